/**
 * Arithmetic in GF(2^255 - 19) for X25519 and Ed25519, in the portable subset.
 *
 * An element is 16 limbs of 16 bits, little-endian: value = sum limb[i] * 2^(16 i).
 * Products of limbs are computed exactly in doubles (JS) and in 64-bit ints (Lua);
 * the bounds below keep every intermediate under 2^53 so both agree bit for bit.
 *
 * Limb bounds (all limbs are always non-negative integers):
 * - feMul/feSqr/feFromBytes output "reduced" limbs: limb 2 < 2^16 + 16, the others < 2^16.
 * - feAdd of two reduced or one reduced and one sum stays < 2^18.
 * - feSub(a, b) adds 16p limbwise, so it needs b's limbs < 2^19 and gives limbs < 2^21.
 * - feMul/feSqr accept limbs < 2^21: each product < 2^42, each column sums at most
 *   16 products plus 38 times 15 products folded down (586 products < 2^9.2), so
 *   every column stays below 2^51.2.
 * No function branches on or indexes by limb values (constant time).
 */
import { Bytes, alloc } from "../../port/bytes";

export type Fe = number[];

const LIMBS = 16;
const RADIX = 65536;

/** 16p, limbwise: added before subtracting so that limbs never go negative. */
const SUB_BIAS: number[] = [0xffed0, 0xffff0, 0xffff0, 0xffff0, 0xffff0, 0xffff0, 0xffff0, 0xffff0,
  0xffff0, 0xffff0, 0xffff0, 0xffff0, 0xffff0, 0xffff0, 0xffff0, 0x7fff0];

/** p = 2^255 - 19, limbwise. */
const P: number[] = [0xffed, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
  0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0x7fff];

function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(0);
  }
  return a;
}

/** Scratch columns of a product (code is synchronous, so one buffer is enough). */
const COLS = zeros(2 * LIMBS - 1);

export function feZero(): Fe {
  return zeros(LIMBS);
}

export function feOne(): Fe {
  const a = zeros(LIMBS);
  a[0] = 1;
  return a;
}

/** An element from 16 literal limbs (constants). */
export function feFromLimbs(limbs: number[]): Fe {
  const a = zeros(LIMBS);
  for (let i = 0; i < LIMBS; i++) {
    a[i] = limbs[i];
  }
  return a;
}

export function feCopy(out: Fe, a: Fe): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = a[i];
  }
}

export function feAdd(out: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = a[i] + b[i];
  }
}

/** out = a - b + 16p (see the bounds in the header). */
export function feSub(out: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = a[i] + SUB_BIAS[i] - b[i];
  }
}

/** Propagates carries once through all limbs, folding the top carry (weight 2^256) as 38. */
function carryOnce(t: Fe): void {
  let c = 0;
  for (let i = 0; i < LIMBS; i++) {
    const v = t[i] + c;
    c = Math.floor(v / RADIX);
    t[i] = v - c * RADIX;
  }
  t[0] += 38 * c;
}

/** out = -a (mod p), with limbs carried back below 2^16 + 2^9. */
export function feNeg(out: Fe, a: Fe): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = SUB_BIAS[i] - a[i];
  }
  carryOnce(out);
}

/** Carries the 31 columns into out, folding 2^256 = 38 (mod p). */
function reduceColumns(out: Fe): void {
  for (let i = 0; i < LIMBS - 1; i++) {
    COLS[i] += 38 * COLS[i + LIMBS];
  }
  let c = 0;
  for (let i = 0; i < LIMBS; i++) {
    const v = COLS[i] + c;
    c = Math.floor(v / RADIX);
    out[i] = v - c * RADIX;
  }
  // The carry out of limb 15 has weight 2^256 = 38; push it through limbs 0 and 1.
  let v = out[0] + 38 * c;
  c = Math.floor(v / RADIX);
  out[0] = v - c * RADIX;
  v = out[1] + c;
  c = Math.floor(v / RADIX);
  out[1] = v - c * RADIX;
  out[2] += c;
}

/** out = a * b; out may alias a or b. */
export function feMul(out: Fe, a: Fe, b: Fe): void {
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
export function feSqr(out: Fe, a: Fe): void {
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

/** out = a^(2^n) for n >= 1. */
function feSqrN(out: Fe, a: Fe, n: number): void {
  feSqr(out, a);
  for (let i = 1; i < n; i++) {
    feSqr(out, out);
  }
}

/** Swaps a and b when bit is 1, leaves them when 0, with the same operations either way. */
export function feCswap(a: Fe, b: Fe, bit: number): void {
  // Limbs are non-negative and below 2^26, so the mask covers every set bit.
  const mask = bit * 0x3ffffff;
  for (let i = 0; i < LIMBS; i++) {
    const t = mask & (a[i] ^ b[i]);
    a[i] = a[i] ^ t;
    b[i] = b[i] ^ t;
  }
}

/** The element encoded by 32 little-endian bytes; bit 255 is ignored (RFC 7748 §5). */
export function feFromBytes(out: Fe, b: Bytes): void {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = b[2 * i] + 256 * b[2 * i + 1];
  }
  out[LIMBS - 1] = out[LIMBS - 1] & 0x7fff;
}

/** t = t - p when t >= p, else t unchanged; t has limbs < 2^16. */
function subPOnce(t: Fe): void {
  const m = zeros(LIMBS);
  let borrow = 0;
  for (let i = 0; i < LIMBS; i++) {
    const v = t[i] - P[i] - borrow + RADIX;
    borrow = 1 - Math.floor(v / RADIX);
    m[i] = v & 0xffff;
  }
  // borrow = 1 means t < p: keep t. Select without branching on the value.
  feCswap(t, m, 1 - borrow);
}

/** The canonical 32-byte little-endian encoding (value fully reduced mod p). */
export function feToBytes(a: Fe): Bytes {
  const t = zeros(LIMBS);
  feCopy(t, a);
  carryOnce(t);
  carryOnce(t);
  carryOnce(t);
  // Now t < 2^256 with limbs < 2^16, so t < 3p and two subtractions reduce it.
  subPOnce(t);
  subPOnce(t);
  const out = alloc(32);
  for (let i = 0; i < LIMBS; i++) {
    out[2 * i] = t[i] & 0xff;
    out[2 * i + 1] = Math.floor(t[i] / 256) & 0xff;
  }
  return out;
}

/** z^(2^250 - 1) into out and z^11 into z11: the common head of invert and pow2523. */
function powChain(out: Fe, z11: Fe, z: Fe): void {
  const z2 = feZero();
  const t = feZero();
  const z9 = feZero();
  const a = feZero();
  const b = feZero();
  feSqr(z2, z); // z^2
  feSqrN(t, z2, 2); // z^8
  feMul(z9, t, z); // z^9
  feMul(z11, z9, z2); // z^11
  feSqr(t, z11); // z^22
  feMul(a, t, z9); // z^(2^5 - 1)
  feSqrN(t, a, 5);
  feMul(b, t, a); // z^(2^10 - 1)
  feSqrN(t, b, 10);
  feMul(a, t, b); // z^(2^20 - 1)
  const c = feZero();
  feSqrN(t, a, 20);
  feMul(c, t, a); // z^(2^40 - 1)
  feSqrN(t, c, 10);
  feMul(a, t, b); // z^(2^50 - 1)
  feSqrN(t, a, 50);
  feMul(b, t, a); // z^(2^100 - 1)
  feSqrN(t, b, 100);
  feMul(c, t, b); // z^(2^200 - 1)
  feSqrN(t, c, 50);
  feMul(out, t, a); // z^(2^250 - 1)
}

/** out = z^(p - 2) = 1/z (0 maps to 0). */
export function feInvert(out: Fe, z: Fe): void {
  const t = feZero();
  const z11 = feZero();
  powChain(t, z11, z);
  feSqrN(t, t, 5); // z^(2^255 - 32)
  feMul(out, t, z11); // z^(2^255 - 21)
}

/** out = z^((p - 5) / 8) = z^(2^252 - 3), for square roots (RFC 8032 §5.1.3). */
export function fePow2523(out: Fe, z: Fe): void {
  const t = feZero();
  const z11 = feZero();
  powChain(t, z11, z);
  feSqrN(t, t, 2); // z^(2^252 - 4)
  feMul(out, t, z); // z^(2^252 - 3)
}

/** True when a = 0 (mod p). */
export function feIsZero(a: Fe): boolean {
  const b = feToBytes(a);
  let d = 0;
  for (let i = 0; i < 32; i++) {
    d = d | b[i];
  }
  return d === 0;
}

/** The low bit of the canonical encoding ("negative" in RFC 8032). */
export function feIsOdd(a: Fe): number {
  return feToBytes(a)[0] & 1;
}
