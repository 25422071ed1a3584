/**
 * Unsigned 32-bit arithmetic that gives identical results on V8, Espruino and Lua 5.3.
 * Every result is normalised into [0, 2^32) with `>>> 0` (Lua's `<<` does not wrap at
 * 32 bits and TSTL refuses `>>`, see PORTABLE.md).
 */
import { Bytes } from "./bytes";

export function add32(a: number, b: number): number {
  return (a + b) >>> 0;
}

export function sub32(a: number, b: number): number {
  return (a - b + 0x100000000) >>> 0;
}

/** Rotate left by a constant n in 1..31. */
export function rotl32(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

/** Rotate right by a constant n in 1..31. */
export function rotr32(x: number, n: number): number {
  return ((x >>> n) | (x << (32 - n))) >>> 0;
}

/** Low 32 bits of a*b, computed on 16-bit halves so no intermediate exceeds 2^53. */
export function mul32(a: number, b: number): number {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const bHi = b >>> 16;
  const bLo = b & 0xffff;
  const cross = ((aHi * bLo + aLo * bHi) & 0xffff) >>> 0;
  return (aLo * bLo + cross * 0x10000) >>> 0;
}

export function load32le(b: Bytes, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

export function load32be(b: Bytes, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

export function store32le(b: Bytes, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

export function store32be(b: Bytes, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

export function load16be(b: Bytes, off: number): number {
  return (b[off] << 8) | b[off + 1];
}

export function store16be(b: Bytes, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}
