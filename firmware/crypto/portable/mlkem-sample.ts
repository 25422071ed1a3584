/**
 * ML-KEM sampling (FIPS 203 §4.2.2): SampleNTT (Algorithm 7) reads SHAKE128 block by
 * block and rejects 12-bit candidates ≥ q; it works on the public seed ρ, so its branches
 * leak nothing secret. SamplePolyCBD_2 (Algorithm 8, η = 2) is branch-free.
 */
import { Bytes, alloc } from "../../port/bytes";
import { N, Q } from "./mlkem-params";
import { MlKemHashes } from "./mlkem-hashes";
import { SHAKE128_RATE } from "./sha3";

/** SHAKE128 output SampleNTT reads first: 3 blocks give 336 candidates, ~273 accepted (256 needed). */
const XOF_FIRST_BYTES = 3 * SHAKE128_RATE;

/**
 * Â[i][j] = SampleNTT(ρ ‖ j ‖ i) into f. The XOF is read as a prefix of fixed length; in
 * the rare case it runs short (≈ 1 %) the prefix is asked for again, twice as long, and
 * parsing goes on where it stopped: the same stream as squeezing block by block.
 */
export function sampleNtt(h: MlKemHashes, rho: Bytes, j: number, i: number, f: number[]): void {
  const input = alloc(rho.length + 2);
  for (let k = 0; k < rho.length; k++) {
    input[k] = rho[k];
  }
  input[rho.length] = j & 0xff;
  input[rho.length + 1] = i & 0xff;
  let len = XOF_FIRST_BYTES;
  let stream = h.shake128(input, len);
  let p = 0;
  let n = 0;
  while (n < N) {
    if (p + 3 > len) {
      len = len * 2;
      stream = h.shake128(input, len);
    }
    const c0 = stream[p];
    const c1 = stream[p + 1];
    const c2 = stream[p + 2];
    p += 3;
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

/** PRF_2(s, b) = SHAKE256(s ‖ b, 128) (FIPS 203 §4.1, η = 2). */
export function prfEta2(h: MlKemHashes, s: Bytes, b: number): Bytes {
  const input = alloc(s.length + 1);
  for (let k = 0; k < s.length; k++) {
    input[k] = s[k];
  }
  input[s.length] = b & 0xff;
  return h.shake256(input, 128);
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
