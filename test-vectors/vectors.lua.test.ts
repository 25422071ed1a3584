// Every vector file on the Lua build (build/lua/vectors.lua, portable provider), zero
// failures allowed. lua5.3 (the reference Lua) runs every case of every file whenever it
// is on PATH, and must be there when CI=true. wasmoon always runs too: every case when it
// is the only Lua, otherwise a deterministic sample per file (see WASMOON_SAMPLE): the full
// set takes minutes on either runtime (the RFC 7748 1,000-round X25519 and X448 cases alone
// take minutes), and wasmoon is 2-4× slower than lua5.3 per primitive.
import { describe, expect, it } from "vitest";
import { allVectorFiles, shortName } from "./runner/node/files";
import { loadVectorFile, toWire, type VectorFile } from "./runner/node/vector-file";
import { runLuaVectors } from "./runner/node/device-targets";
import { lua53Available } from "../firmware/targets/lua/node/lua-runner";

const LUA53 = lua53Available();
const CI = process.env.CI === "true";
/** Cases per file on wasmoon while lua5.3 runs them all: evenly spread, first and last included. */
const WASMOON_SAMPLE = 8;
/** Iterated cases (e.g. RFC 7748's 1,000 X25519 rounds) are left to lua5.3 in sampled mode. */
const MAX_SAMPLED_ITERATIONS = 10;
const FULL_RUN_TIMEOUT = 15 * 60_000;

function sampled(file: VectorFile): VectorFile {
  const cheap = file.cases.filter((c) => !(typeof c.in.iterations === "number" && c.in.iterations > MAX_SAMPLED_ITERATIONS));
  if (cheap.length <= WASMOON_SAMPLE) return { ...file, cases: cheap };
  const picked = new Set<number>();
  for (let k = 0; k < WASMOON_SAMPLE; k++) picked.add(Math.round((k * (cheap.length - 1)) / (WASMOON_SAMPLE - 1)));
  return { ...file, cases: [...picked].sort((a, b) => a - b).map((i) => cheap[i]) };
}

function failures(lines: string[]): string[] {
  return lines.filter((l) => !l.startsWith("pass "));
}

describe("lua5.3 availability", () => {
  it.runIf(CI)("lua5.3 is on PATH in CI", () => {
    expect(LUA53, "CI=true requires lua5.3 (apt-get install lua5.3)").not.toBeNull();
  });
});

describe.concurrent.each(allVectorFiles().map((f) => [shortName(f), f]))("%s on lua", (_name, path) => {
  const file = loadVectorFile(path);
  const full = LUA53 === null;

  it.runIf(LUA53 !== null)("lua5.3, every case", { timeout: FULL_RUN_TIMEOUT }, async () => {
    const run = await runLuaVectors(toWire(file), "lua5.3");
    expect(failures(run.lines).slice(0, 10)).toEqual([]);
    expect(run.lines.length).toBe(file.cases.length);
  });

  it(full ? "wasmoon, every case" : `wasmoon, sample of ${WASMOON_SAMPLE}`, { timeout: FULL_RUN_TIMEOUT }, async () => {
    const cases = full ? file : sampled(file);
    const run = await runLuaVectors(toWire(cases), "wasmoon");
    expect(failures(run.lines).slice(0, 10)).toEqual([]);
    expect(run.lines.length).toBe(cases.cases.length);
  });
});
