/**
 * Arithmetic in GF(p), p = 2^448 - 2^224 - 1 (Curve448, RFC 7748; Ed448, RFC 8032), in
 * the portable subset. Same layout as field25519.ts: 28 non-negative limbs of 16 bits,
 * products exact in doubles and in Lua 64-bit integers.
 *
 * Reduction uses 2^448 = 2^224 + 1 (mod p): column i >= 28 of a product is added to
 * columns i - 28 and i - 14. Column j then holds at most c_j + c_(j+14) + 2 c_(j+28),
 * i.e. 112 products, so with input limbs below 2^22 every column stays below 2^51.
 *
 * Limb bounds (always non-negative integers):
 * - fqMul/fqSqr/fqFromBytes output "reduced" limbs: limbs 2 and 16 < 2^16 + 16, others < 2^16.
 * - fqAdd of two reduced values stays < 2^18.
 * - fqSub(a, b) adds 16p limbwise: it needs b's limbs < 2^19 and gives limbs < 2^21.
 * - fqMul/fqSqr accept limbs < 2^22.
 * No function branches on or indexes by limb values (constant time).
 */
import { Bytes, alloc } from "../../port/bytes";

export type Fq = number[];

const LIMBS = 28;
const HALF = 14;
const RADIX = 65536;

function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(0);
  }
  return a;
}

/** p limbwise: all 0xffff except limb 14 (bits 224..239) = 0xfffe. */
const P: number[] = (function (): number[] {
  const a = zeros(LIMBS);
  for (let i = 0; i < LIMBS; i++) {
    a[i] = i === HALF ? 0xfffe : 0xffff;
  }
  return a;
})();

/** 16p limbwise, added before subtracting so that limbs never go negative. */
const SUB_BIAS: number[] = (function (): number[] {
  const a = zeros(LIMBS);
  for (let i = 0; i < LIMBS; i++) {
    a[i] = 16 * P[i];
  }
  return a;
})();

/** Scratch columns of a product (code is synchronous, so one buffer is enough). */
const COLS = zeros(2 * LIMBS - 1);

export function fqZero(): Fq {
  return zeros(LIMBS);
}

export function fqOne(): Fq {
  const a = zeros(LIMBS);
  a[0] = 1;
  return a;
}

/** An element from a small non-negative integer below 2^16. */
export function fqSmall(v: number): Fq {
  const a = zeros(LIMBS);
  a[0] = v;
  return a;
}

/** An element from 28 literal limbs (constants). */
export function fqFromLimbs(limbs: number[]): Fq {
  const a = zeros(LIMBS);
  for (let i = 0; i < LIMBS; i++) {
    a[i] = limbs[i];
  }
  return a;
}

export function fqCopy(out: Fq, a: Fq): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = a[i];
  }
}

export function fqAdd(out: Fq, a: Fq, b: Fq): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = a[i] + b[i];
  }
}

/** out = a - b + 16p (see the bounds in the header). */
export function fqSub(out: Fq, a: Fq, b: Fq): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = a[i] + SUB_BIAS[i] - b[i];
  }
}

/** Carries limbs from..to-1 upward once; the carry out lands in t[to]. */
function carryRange(t: number[], from: number, to: number): void {
  let c = 0;
  for (let i = from; i < to; i++) {
    const v = t[i] + c;
    c = Math.floor(v / RADIX);
    t[i] = v - c * RADIX;
  }
  t[to] += c;
}

/** Carries all limbs once; the carry out of limb 27 (weight 2^448) goes to limbs 0 and 14. */
function carryOnce(t: Fq): void {
  let c = 0;
  for (let i = 0; i < LIMBS; i++) {
    const v = t[i] + c;
    c = Math.floor(v / RADIX);
    t[i] = v - c * RADIX;
  }
  t[0] += c;
  t[HALF] += c;
}

/** out = -a (mod p), with limbs carried back below 2^16 + 2^5. */
export function fqNeg(out: Fq, a: Fq): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = SUB_BIAS[i] - a[i];
  }
  carryOnce(out);
}

/** Folds the 55 columns into out and carries. */
function reduceColumns(out: Fq): void {
  for (let i = 2 * LIMBS - 2; i >= LIMBS; i--) {
    const v = COLS[i];
    COLS[i - LIMBS] += v;
    COLS[i - HALF] += v;
  }
  let c = 0;
  for (let i = 0; i < LIMBS; i++) {
    const v = COLS[i] + c;
    c = Math.floor(v / RADIX);
    out[i] = v - c * RADIX;
  }
  // The carry out of limb 27 has weight 2^448 = 2^224 + 1: add it at limbs 0 and 14 and
  // carry each two limbs on, which leaves limbs 2 and 16 at most 16 over 2^16.
  out[0] += c;
  out[HALF] += c;
  carryRange(out, 0, 2);
  carryRange(out, HALF, HALF + 2);
}

/** out = a * b; out may alias a or b. */
export function fqMul(out: Fq, a: Fq, b: Fq): void {
  for (let i = 0; i < 2 * LIMBS - 1; i++) {
    COLS[i] = 0;
  }
  for (let i = 0; i < LIMBS; i++) {
    const ai = a[i];
    for (let j = 0; j < LIMBS; j++) {
      COLS[i + j] += ai * b[j];
    }
  }
  reduceColumns(out);
}

/** out = a^2; computes each cross product once. */
export function fqSqr(out: Fq, a: Fq): void {
  for (let i = 0; i < 2 * LIMBS - 1; i++) {
    COLS[i] = 0;
  }
  for (let i = 0; i < LIMBS; i++) {
    const ai = a[i];
    COLS[2 * i] += ai * ai;
    const ai2 = 2 * ai;
    for (let j = i + 1; j < LIMBS; j++) {
      COLS[i + j] += ai2 * a[j];
    }
  }
  reduceColumns(out);
}

function fqSqrN(out: Fq, a: Fq, n: number): void {
  fqSqr(out, a);
  for (let i = 1; i < n; i++) {
    fqSqr(out, out);
  }
}

/** Swaps a and b when bit is 1, leaves them when 0, with the same operations either way. */
export function fqCswap(a: Fq, b: Fq, bit: number): void {
  const mask = bit * 0x3ffffff;
  for (let i = 0; i < LIMBS; i++) {
    const t = mask & (a[i] ^ b[i]);
    a[i] = a[i] ^ t;
    b[i] = b[i] ^ t;
  }
}

/** The element encoded by 56 little-endian bytes (values >= p are accepted and reduced). */
export function fqFromBytes(out: Fq, b: Bytes): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = b[2 * i] + 256 * b[2 * i + 1];
  }
}

/** t = t - p when t >= p, else t unchanged; t has limbs < 2^16. */
function subPOnce(t: Fq): void {
  const m = zeros(LIMBS);
  let borrow = 0;
  for (let i = 0; i < LIMBS; i++) {
    const v = t[i] - P[i] - borrow + RADIX;
    borrow = 1 - Math.floor(v / RADIX);
    m[i] = v & 0xffff;
  }
  fqCswap(t, m, 1 - borrow);
}

/** The canonical 56-byte little-endian encoding (value fully reduced mod p). */
export function fqToBytes(a: Fq): Bytes {
  const t = zeros(LIMBS);
  fqCopy(t, a);
  carryOnce(t);
  carryOnce(t);
  carryOnce(t);
  // Now t < 2^448 with limbs < 2^16, so t < 2p and one subtraction reduces it.
  subPOnce(t);
  const out = alloc(56);
  for (let i = 0; i < LIMBS; i++) {
    out[2 * i] = t[i] & 0xff;
    out[2 * i + 1] = Math.floor(t[i] / 256) & 0xff;
  }
  return out;
}

/** z^(2^222 - 1) into e222 and z^(2^223 - 1) into e223. */
function powChain(e222: Fq, e223: Fq, z: Fq): void {
  const t = fqZero();
  const e3 = fqZero();
  const e6 = fqZero();
  const a = fqZero();
  const b = fqZero();
  fqSqr(t, z);
  fqMul(t, t, z); // 2^2 - 1
  fqSqr(t, t);
  fqMul(e3, t, z); // 2^3 - 1
  fqSqrN(t, e3, 3);
  fqMul(e6, t, e3); // 2^6 - 1
  fqSqrN(t, e6, 6);
  fqMul(a, t, e6); // 2^12 - 1
  fqSqrN(t, a, 12);
  fqMul(b, t, a); // 2^24 - 1
  const e30 = fqZero();
  fqSqrN(t, b, 6);
  fqMul(e30, t, e6); // 2^30 - 1
  fqSqrN(t, b, 24);
  fqMul(a, t, b); // 2^48 - 1
  fqSqrN(t, a, 48);
  fqMul(b, t, a); // 2^96 - 1
  fqSqrN(t, b, 96);
  fqMul(a, t, b); // 2^192 - 1
  fqSqrN(t, a, 30);
  fqMul(e222, t, e30); // 2^222 - 1
  fqSqr(t, e222);
  fqMul(e223, t, z); // 2^223 - 1
}

/** out = z^(p - 2) = 1/z (0 maps to 0). p - 2 = (2^223 - 1) 2^225 + (2^222 - 1) 4 + 1. */
export function fqInvert(out: Fq, z: Fq): void {
  const e222 = fqZero();
  const t = fqZero();
  powChain(e222, t, z);
  fqSqrN(t, t, 223);
  fqMul(t, t, e222);
  fqSqrN(t, t, 2);
  fqMul(out, t, z);
}

/** out = z^((p - 3) / 4) = z^((2^223 - 1) 2^223 + 2^222 - 1), for square roots (RFC 8032 §5.2.3). */
export function fqPowP34(out: Fq, z: Fq): void {
  const e222 = fqZero();
  const t = fqZero();
  powChain(e222, t, z);
  fqSqrN(t, t, 223);
  fqMul(out, t, e222);
}

/** True when a = 0 (mod p). */
export function fqIsZero(a: Fq): boolean {
  const b = fqToBytes(a);
  let d = 0;
  for (let i = 0; i < 56; i++) {
    d = d | b[i];
  }
  return d === 0;
}

/** The low bit of the canonical value (the sign of x in RFC 8032 encodings). */
export function fqIsOdd(a: Fq): number {
  return fqToBytes(a)[0] & 1;
}
