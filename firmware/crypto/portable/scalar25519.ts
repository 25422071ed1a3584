/**
 * Scalars modulo the Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493
 * (RFC 8032 §5.1), on 16-bit limbs held in numbers.
 *
 * Reduction folds the top limbs down with 2^252 = -DELTA (mod L), where DELTA = L - 2^252
 * is below 2^125. Intermediate limbs are signed but stay far below 2^53 (see reduce), so
 * JS doubles and Lua 64-bit integers compute the same values. Reduction and scMulAdd do
 * not branch on or index by the values: they run on secret nonces and keys when signing.
 */
import { Bytes, alloc } from "../../port/bytes";

const RADIX = 65536;
const HALF = 32768;

/** DELTA = L - 2^252, as 8 little-endian 16-bit limbs. */
const DELTA: number[] = [0xd3ed, 0x5cf5, 0x631a, 0x5812, 0x9cd6, 0xa2f7, 0xf9de, 0x14de];

/** L as 16 little-endian 16-bit limbs. */
const L_LIMBS: number[] = [0xd3ed, 0x5cf5, 0x631a, 0x5812, 0x9cd6, 0xa2f7, 0xf9de, 0x14de,
  0, 0, 0, 0, 0, 0, 0, 0x1000];

/** L as 32 little-endian bytes, for the canonical-encoding check. */
const L_BYTES: number[] = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
  0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];

function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(0);
  }
  return a;
}

/** Floor-carries x[from..to) upward so those limbs land in [0, 2^16); the last carry goes into x[to]. */
function carryUp(x: number[], from: number, to: number): void {
  let c = 0;
  for (let i = from; i < to; i++) {
    const v = x[i] + c;
    c = Math.floor(v / RADIX);
    x[i] = v - c * RADIX;
  }
  x[to] += c;
}

/** Constant-time select: a = b when bit is 1; limbs are in [0, 2^16). */
function select(a: number[], b: number[], bit: number): void {
  const mask = bit * 0xffff;
  for (let i = 0; i < 16; i++) {
    a[i] = a[i] ^ (mask & (a[i] ^ b[i]));
  }
}

/** r = r - L when r >= L; r has limbs 0..14 in [0, 2^16) and r < 2^253. */
function subLOnce(r: number[]): void {
  const t = zeros(17);
  for (let i = 0; i < 16; i++) {
    t[i] = r[i] - L_LIMBS[i];
  }
  carryUp(t, 0, 16);
  // t[16] is the sign: 0 when r >= L, -1 when r < L.
  select(r, t, t[16] + 1);
}

/**
 * x mod L as 32 little-endian bytes, for x given as 32 limbs (value sum x[i] 2^(16 i))
 * with non-negative limbs below 2^40. x is overwritten.
 */
function reduce(x: number[]): Bytes {
  carryUp(x, 0, 31); // limbs 0..30 in [0, 2^16); x[31] < 2^25
  // Fold limb i (weight 2^(16 i) = 2^(16 (i - 16) + 4) 2^252) as -16 DELTA 2^(16 (i - 16)).
  // After each fold the window is re-centred to [-2^15, 2^15) and its carry goes to x[i - 8],
  // which is folded later; limbs stay below 2^26, the products below 2^46.
  for (let i = 31; i >= 16; i--) {
    const v = x[i];
    x[i] = 0;
    let c = 0;
    for (let j = 0; j < 8; j++) {
      const k = i - 16 + j;
      const w = x[k] + c - 16 * v * DELTA[j];
      c = Math.floor((w + HALF) / RADIX);
      x[k] = w - c * RADIX;
    }
    x[i - 8] += c;
  }
  // Now x = sum x[0..15] with small signed limbs; fold bits 252 and up of the same way.
  carryUp(x, 0, 15);
  const top = Math.floor(x[15] / 4096);
  x[15] -= top * 4096;
  for (let j = 0; j < 8; j++) {
    x[j] -= top * DELTA[j];
  }
  carryUp(x, 0, 15);
  // |x| < 2^252 + 2^160 and x may be negative: add L, then subtract L at most twice.
  for (let i = 0; i < 16; i++) {
    x[i] += L_LIMBS[i];
  }
  carryUp(x, 0, 15);
  subLOnce(x);
  subLOnce(x);
  const out = alloc(32);
  for (let i = 0; i < 16; i++) {
    out[2 * i] = x[i] & 0xff;
    out[2 * i + 1] = Math.floor(x[i] / 256) & 0xff;
  }
  return out;
}

function limbsOf(b: Bytes, into: number[]): void {
  for (let i = 0; 2 * i < b.length; i++) {
    into[i] = b[2 * i] + 256 * b[2 * i + 1];
  }
}

/** A 64-byte little-endian integer (a SHA-512 digest) reduced mod L, as 32 bytes. */
export function scReduce64(h: Bytes): Bytes {
  if (h.length !== 64) {
    throw new Error("scalar25519: reduce needs 64 bytes, got " + h.length);
  }
  const x = zeros(32);
  limbsOf(h, x);
  return reduce(x);
}

/** (a b + c) mod L for 32-byte little-endian a, b, c (any values below 2^256). */
export function scMulAdd(a: Bytes, b: Bytes, c: Bytes): Bytes {
  if (a.length !== 32 || b.length !== 32 || c.length !== 32) {
    throw new Error("scalar25519: mulAdd needs 32-byte scalars");
  }
  const al = zeros(16);
  const bl = zeros(16);
  const x = zeros(32);
  limbsOf(a, al);
  limbsOf(b, bl);
  limbsOf(c, x);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      x[i + j] += al[i] * bl[j];
    }
  }
  return reduce(x);
}

/** True when the 32-byte little-endian s is below L (a canonical S, RFC 8032 §5.1.7). */
export function scIsCanonical(s: Bytes): boolean {
  if (s.length !== 32) {
    return false;
  }
  // Public data (a signature): a variable-time comparison from the top byte down is fine.
  for (let i = 31; i >= 0; i--) {
    if (s[i] !== L_BYTES[i]) {
      return s[i] < L_BYTES[i];
    }
  }
  return false;
}
