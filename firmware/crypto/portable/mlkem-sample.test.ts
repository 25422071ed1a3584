// SampleNTT reads the XOF as a prefix of fixed length and asks again, twice as long, when it
// runs short: the coefficients must be those of the stream read straight through.
import { describe, expect, it } from "vitest";
import type { MlKemHashes } from "./mlkem-hashes";
import { PORTABLE_MLKEM_HASHES } from "./mlkem-hashes";
import { N, Q } from "./mlkem-params";
import { sampleNtt } from "./mlkem-sample";

/** Reference: FIPS 203 Algorithm 7 over a byte stream read straight through. */
function reference(stream: (k: number) => number): number[] {
  const f: number[] = [];
  for (let p = 0; f.length < N; p += 3) {
    const [c0, c1, c2] = [stream(p), stream(p + 1), stream(p + 2)];
    const d1 = c0 | ((c1 & 0x0f) << 8);
    const d2 = (c1 >>> 4) | (c2 << 4);
    if (d1 < Q) f.push(d1);
    if (d2 < Q && f.length < N) f.push(d2);
  }
  return f;
}

describe("SampleNTT", () => {
  it("asks the XOF for a longer prefix when the first one yields fewer than 256 coefficients", () => {
    // the first 900 bytes give only rejected candidates (0xfff >= q), the rest a known pattern
    const stream = (k: number) => (k < 900 ? 0xff : (k * 7 + 3) & 0xff);
    const lengths: number[] = [];
    const h: MlKemHashes = {
      ...PORTABLE_MLKEM_HASHES,
      shake128: (_msg, outLen) => {
        lengths.push(outLen);
        return Uint8Array.from({ length: outLen }, (_, k) => stream(k));
      },
    };
    const f = new Array<number>(N).fill(0);
    sampleNtt(h, new Uint8Array(32), 1, 2, f);
    expect(f).toEqual(reference(stream));
    expect(lengths).toEqual([504, 1008, 2016]);
  });

  it("gives the coefficients of SHAKE128(ρ ‖ j ‖ i) read block by block", () => {
    const rho = Uint8Array.from({ length: 32 }, (_, k) => k * 5);
    const xof = PORTABLE_MLKEM_HASHES.shake128(Uint8Array.from([...rho, 2, 1]), 4096);
    const f = new Array<number>(N).fill(0);
    sampleNtt(PORTABLE_MLKEM_HASHES, rho, 2, 1, f);
    expect(f).toEqual(reference((k) => xof[k]));
  });
});
