/**
 * Unsigned 64-bit values as hi/lo u32 pairs with explicit carries (no BigInt, and Lua's
 * 64-bit integers would disagree with JS doubles). A U64 is a small mutable record so
 * hot loops can reuse one instead of allocating.
 */
import { Bytes } from "./bytes";

export class U64 {
  hi: number;
  lo: number;
  constructor(hi: number, lo: number) {
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
  }
}

export function u64(hi: number, lo: number): U64 {
  return new U64(hi, lo);
}

/** A U64 from a non-negative integer below 2^53. */
export function u64FromNumber(n: number): U64 {
  const hi = Math.floor(n / 0x100000000);
  return new U64(hi, (n - hi * 0x100000000) >>> 0);
}

/** The value as a number; exact only below 2^53. */
export function u64ToNumber(a: U64): number {
  return a.hi * 0x100000000 + a.lo;
}

export function add64(a: U64, b: U64): U64 {
  const lo = a.lo + b.lo;
  const carry = lo >= 0x100000000 ? 1 : 0;
  return new U64(a.hi + b.hi + carry, lo);
}

export function xor64(a: U64, b: U64): U64 {
  return new U64(a.hi ^ b.hi, a.lo ^ b.lo);
}

export function and64(a: U64, b: U64): U64 {
  return new U64(a.hi & b.hi, a.lo & b.lo);
}

/** Rotate right by a constant n in 1..63. */
export function rotr64(a: U64, n: number): U64 {
  if (n === 32) {
    return new U64(a.lo, a.hi);
  }
  if (n < 32) {
    return new U64((a.hi >>> n) | (a.lo << (32 - n)), (a.lo >>> n) | (a.hi << (32 - n)));
  }
  const m = n - 32;
  return new U64((a.lo >>> m) | (a.hi << (32 - m)), (a.hi >>> m) | (a.lo << (32 - m)));
}

/** Shift right by a constant n in 1..63. */
export function shr64(a: U64, n: number): U64 {
  if (n === 32) {
    return new U64(0, a.hi);
  }
  if (n < 32) {
    return new U64(a.hi >>> n, (a.lo >>> n) | (a.hi << (32 - n)));
  }
  return new U64(0, a.hi >>> (n - 32));
}

/** Shift left by a constant n in 1..63. */
export function shl64(a: U64, n: number): U64 {
  if (n === 32) {
    return new U64(a.lo, 0);
  }
  if (n < 32) {
    return new U64((a.hi << n) | (a.lo >>> (32 - n)), a.lo << n);
  }
  return new U64(a.lo << (n - 32), 0);
}

export function load64be(b: Bytes, off: number): U64 {
  const hi = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  const lo = ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
  return new U64(hi, lo);
}

export function store64be(b: Bytes, off: number, v: U64): void {
  b[off] = (v.hi >>> 24) & 0xff;
  b[off + 1] = (v.hi >>> 16) & 0xff;
  b[off + 2] = (v.hi >>> 8) & 0xff;
  b[off + 3] = v.hi & 0xff;
  b[off + 4] = (v.lo >>> 24) & 0xff;
  b[off + 5] = (v.lo >>> 16) & 0xff;
  b[off + 6] = (v.lo >>> 8) & 0xff;
  b[off + 7] = v.lo & 0xff;
}

export function load64le(b: Bytes, off: number): U64 {
  const lo = (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
  const hi = (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0;
  return new U64(hi, lo);
}

export function store64le(b: Bytes, off: number, v: U64): void {
  b[off] = v.lo & 0xff;
  b[off + 1] = (v.lo >>> 8) & 0xff;
  b[off + 2] = (v.lo >>> 16) & 0xff;
  b[off + 3] = (v.lo >>> 24) & 0xff;
  b[off + 4] = v.hi & 0xff;
  b[off + 5] = (v.hi >>> 8) & 0xff;
  b[off + 6] = (v.hi >>> 16) & 0xff;
  b[off + 7] = (v.hi >>> 24) & 0xff;
}
