// Every vector file on the Espruino bundle (build/espruino/vectors.js, portable provider)
// in an Espruino-shaped vm context: every case, zero failures allowed.
import { describe, expect, it } from "vitest";
import { allVectorFiles, shortName } from "./runner/node/files";
import { loadVectorFile, toWire } from "./runner/node/vector-file";
import { runEspruinoVectors } from "./runner/node/device-targets";

describe.each(allVectorFiles().map((f) => [shortName(f), f]))("%s on espruino", (_name, path) => {
  it("every case", async () => {
    const file = loadVectorFile(path);
    const run = await runEspruinoVectors(toWire(file));
    expect(run.lines.filter((l) => !l.startsWith("pass ")).slice(0, 10)).toEqual([]);
    expect(run.lines.length).toBe(file.cases.length);
  });
});
