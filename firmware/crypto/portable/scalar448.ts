/**
 * Scalars modulo the Ed448 group order L = 2^446 - DELTA (RFC 8032 §5.2), DELTA below
 * 2^224, on 16-bit limbs. Only verification uses these (k = SHAKE256(...) mod L and the
 * S < L check): inputs are public, so the final comparison may branch.
 */
import { Bytes, alloc } from "../../port/bytes";

const RADIX = 65536;

/** DELTA = 2^446 - L, as 14 little-endian 16-bit limbs. */
const DELTA: number[] = [0xbb0d, 0x54a7, 0x3d6d, 0xdc87, 0x70aa, 0x723a, 0x3d8d, 0xde93,
  0xc96f, 0x5129, 0x24b6, 0x3bb1, 0xdc16, 0x8335];

/** L as 28 little-endian 16-bit limbs. */
const L_LIMBS: number[] = [0x44f3, 0xab58, 0xc292, 0x2378, 0x8f55, 0x8dc5, 0xc272, 0x216c,
  0x3690, 0xaed6, 0xdb49, 0xc44e, 0x23e9, 0x7cca, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
  0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0x3fff];

function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(0);
  }
  return a;
}

/** Carries x[from..to) so those limbs land in [0, 2^16); the last carry is added to x[to]. */
function carryUp(x: number[], from: number, to: number): void {
  let c = 0;
  for (let i = from; i < to; i++) {
    const v = x[i] + c;
    c = Math.floor(v / RADIX);
    x[i] = v - c * RADIX;
  }
  x[to] += c;
}

/** Folds bits 446 and up of x[0..28] back down with 2^446 = DELTA (mod L). */
function foldTop(x: number[]): void {
  // x[27] holds bits 432..447 and x[28] bits 448 and up.
  const top = Math.floor(x[27] / 16384) + 4 * x[28];
  x[27] -= Math.floor(x[27] / 16384) * 16384;
  x[28] = 0;
  for (let j = 0; j < 14; j++) {
    x[j] += top * DELTA[j];
  }
  carryUp(x, 0, 28);
}

/**
 * A little-endian integer of up to 114 bytes (a SHAKE256 output) reduced mod L, as 56
 * bytes. Limb i >= 28 has weight 2^(16 (i - 28) + 2) 2^446 = 4 DELTA 2^(16 (i - 28));
 * after each fold the window is carried and its carry goes to x[i - 14], folded later.
 * Limbs stay below 2^24, products below 2^42.
 */
export function sc448Reduce(h: Bytes): Bytes {
  if (h.length > 114 || h.length % 2 !== 0) {
    throw new Error("scalar448: reduce takes an even length up to 114 bytes, got " + h.length);
  }
  const x = zeros(58);
  for (let i = 0; 2 * i < h.length; i++) {
    x[i] = h[2 * i] + 256 * h[2 * i + 1];
  }
  for (let i = 56; i >= 28; i--) {
    const v = x[i];
    x[i] = 0;
    for (let j = 0; j < 14; j++) {
      x[i - 28 + j] += 4 * v * DELTA[j];
    }
    carryUp(x, i - 28, i - 14);
  }
  carryUp(x, 0, 28);
  foldTop(x);
  foldTop(x);
  // Now x < 2^446 < 2L: subtract L once if x >= L (public data: a comparison is fine).
  let geq = true;
  for (let i = 27; i >= 0; i--) {
    if (x[i] !== L_LIMBS[i]) {
      geq = x[i] > L_LIMBS[i];
      break;
    }
  }
  if (geq) {
    for (let i = 0; i < 28; i++) {
      x[i] -= L_LIMBS[i];
    }
    carryUp(x, 0, 28);
  }
  const out = alloc(56);
  for (let i = 0; i < 28; i++) {
    out[2 * i] = x[i] & 0xff;
    out[2 * i + 1] = Math.floor(x[i] / 256) & 0xff;
  }
  return out;
}

/** True when the 57-byte little-endian s is below L (a canonical S, RFC 8032 §5.2.7). */
export function sc448IsCanonical(s: Bytes): boolean {
  if (s.length !== 57 || s[56] !== 0) {
    return false;
  }
  for (let i = 27; i >= 0; i--) {
    const limb = s[2 * i] + 256 * s[2 * i + 1];
    if (limb !== L_LIMBS[i]) {
      return limb < L_LIMBS[i];
    }
  }
  return false;
}
