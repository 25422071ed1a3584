/**
 * ML-KEM sampling (FIPS 203 §4.2.2): SampleNTT (Algorithm 7) reads SHAKE128 block by
 * block and rejects 12-bit candidates ≥ q; it works on the public seed ρ, so its branches
 * leak nothing secret. SamplePolyCBD_2 (Algorithm 8, η = 2) is branch-free.
 */
import { Bytes, alloc } from "../../port/bytes";
import { N, Q } from "./mlkem-params";
import { SHAKE128_RATE, shake128Sponge, shake256Sponge } from "./sha3";

/** Â[i][j] = SampleNTT(ρ ‖ j ‖ i) into f. */
export function sampleNtt(rho: Bytes, j: number, i: number, f: number[]): void {
  const xof = shake128Sponge();
  xof.absorb(rho);
  const ji = alloc(2);
  ji[0] = j & 0xff;
  ji[1] = i & 0xff;
  xof.absorb(ji);
  const block = alloc(SHAKE128_RATE);
  let n = 0;
  while (n < N) {
    xof.squeezeInto(block, 0, SHAKE128_RATE);
    for (let p = 0; p + 3 <= SHAKE128_RATE && n < N; p += 3) {
      const c0 = block[p];
      const c1 = block[p + 1];
      const c2 = block[p + 2];
      const d1 = c0 | ((c1 & 0x0f) << 8);
      const d2 = (c1 >>> 4) | (c2 << 4);
      if (d1 < Q) {
        f[n] = d1;
        n++;
      }
      if (d2 < Q && n < N) {
        f[n] = d2;
        n++;
      }
    }
  }
}

/** PRF_2(s, b) = SHAKE256(s ‖ b, 128) (FIPS 203 §4.1, η = 2). */
export function prfEta2(s: Bytes, b: number): Bytes {
  const h = shake256Sponge();
  h.absorb(s);
  const nb = alloc(1);
  nb[0] = b & 0xff;
  h.absorb(nb);
  const out = alloc(128);
  h.squeezeInto(out, 0, 128);
  return out;
}

/**
 * SamplePolyCBD_2 of 128 bytes into f, coefficients in [0, q). Coefficient 2k uses bits
 * 0..3 of byte k and 2k+1 bits 4..7: (b0 + b1) - (b2 + b3), then + q when negative.
 */
export function sampleCbd2(bytes: Bytes, f: number[]): void {
  for (let k = 0; k < N >>> 1; k++) {
    const b = bytes[k];
    const t = (b & 0x55) + ((b >>> 1) & 0x55);
    const c0 = (t & 3) - ((t >>> 2) & 3);
    const c1 = ((t >>> 4) & 3) - ((t >>> 6) & 3);
    f[2 * k] = c0 + Q * (c0 >>> 31);
    f[2 * k + 1] = c1 + Q * (c1 >>> 31);
  }
}
