// Every vector file on the Espruino bundle (build/espruino/vectors.js, portable provider)
// in an Espruino-shaped vm context: every case, zero failures allowed.
// With TSENSE_ESPRUINO=/path/to/espruino (a Linux build of Espruino 2v29, see
// docs/portable.md) the bundle also runs on the real interpreter, on the files whose ops
// are cheap enough for it (hashes, MACs, KDFs, AEADs, target semantics), up to
// REAL_SAMPLE cases each: curve and KEM operations take seconds each there.
import { describe, expect, it } from "vitest";
import { allVectorFiles, shortName } from "./runner/node/files";
import { loadVectorFile, toWire, type VectorFile } from "./runner/node/vector-file";
import { runEspruinoVectors } from "./runner/node/device-targets";
import { realEspruinoBinary } from "../firmware/targets/espruino/node/real-espruino";

const REAL = realEspruinoBinary();
const REAL_SAMPLE = 24;
const CHEAP_OPS = /^(sem\.|sha|hmac|hkdf|blake2s|shake|chacha20poly1305|secretbox|hsalsa20|aes256gcm)/;

function cheapSample(file: VectorFile): VectorFile | undefined {
  if (!file.cases.every((c) => CHEAP_OPS.test(c.op))) return undefined;
  if (file.cases.length <= REAL_SAMPLE) return file;
  const step = file.cases.length / REAL_SAMPLE;
  return { ...file, cases: Array.from({ length: REAL_SAMPLE }, (_, k) => file.cases[Math.floor(k * step)]) };
}

describe.each(allVectorFiles().map((f) => [shortName(f), f]))("%s on espruino", (_name, path) => {
  const file = loadVectorFile(path);

  it("vm context, every case", async () => {
    const run = await runEspruinoVectors(toWire(file), "vm");
    expect(run.lines.filter((l) => !l.startsWith("pass ")).slice(0, 10)).toEqual([]);
    expect(run.lines.length).toBe(file.cases.length);
  });

  const real = REAL === undefined ? undefined : cheapSample(file);
  it.runIf(real !== undefined)("real Espruino (TSENSE_ESPRUINO), cheap cases", { timeout: 600_000 }, async () => {
    const cases = real as VectorFile;
    const run = await runEspruinoVectors(toWire(cases), "espruino");
    expect(run.lines.filter((l) => !l.startsWith("pass ")).slice(0, 10)).toEqual([]);
    expect(run.lines.length).toBe(cases.cases.length);
  });
});
