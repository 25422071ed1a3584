/** Constant-time helpers for secret data: no branch or index depends on the values. */
import { Bytes } from "./bytes";

/** True when a and b are equal; time depends only on the lengths. */
export function ctEqual(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) {
    return false;
  }
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    d = d | (a[i] ^ b[i]);
  }
  return d === 0;
}

/** 0xff..ff-style mask: 1 when x == 0 else 0, for u32 x, without branching. */
export function ctIsZero32(x: number): number {
  return ((x | ((0x100000000 - x) >>> 0)) >>> 31) ^ 1;
}

/** Copies src into dst when bit is 1, leaves dst when 0 (bit must be 0 or 1). */
export function ctSelectInto(dst: Bytes, src: Bytes, bit: number): void {
  const mask = (0 - bit) & 0xff;
  for (let i = 0; i < dst.length; i++) {
    dst[i] = (dst[i] ^ ((dst[i] ^ src[i]) & mask)) & 0xff;
  }
}
