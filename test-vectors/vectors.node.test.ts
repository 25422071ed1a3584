// Every vector file, on the node target, with every provider: zero failures allowed.
import { describe, expect, it } from "vitest";
import { allVectorFiles, shortName } from "./runner/node/files";
import { loadVectorFile, toWire } from "./runner/node/vector-file";
import { runOnTarget } from "./runner/node/targets";
import { PROVIDER_NAMES } from "../firmware/crypto/node/providers";

describe.each(allVectorFiles().map((f) => [shortName(f), f]))("%s on node", (_name, file) => {
  const wire = toWire(loadVectorFile(file));
  it.each([...PROVIDER_NAMES])("provider %s", async (provider) => {
    const run = await runOnTarget("node", provider, wire);
    const failures = run.lines.filter((l) => !l.startsWith("pass "));
    expect(failures.slice(0, 10)).toEqual([]);
    expect(run.lines.length).toBeGreaterThan(0);
  });
});
