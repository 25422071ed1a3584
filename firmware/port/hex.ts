/** Lower-case hex encoding of Bytes; decoding rejects odd lengths and non-hex characters. */
import { Bytes, alloc } from "./bytes";

const DIGITS = "0123456789abcdef";

export function toHex(b: Bytes): string {
  let s = "";
  let part = "";
  for (let i = 0; i < b.length; i++) {
    const v = b[i];
    part += DIGITS.charAt(v >>> 4) + DIGITS.charAt(v & 15);
    if (part.length >= 512) {
      s += part;
      part = "";
    }
  }
  return s + part;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) {
    return c - 48;
  }
  if (c >= 97 && c <= 102) {
    return c - 87;
  }
  if (c >= 65 && c <= 70) {
    return c - 55;
  }
  return -1;
}

export function fromHex(s: string): Bytes {
  if (s.length % 2 !== 0) {
    throw new Error("fromHex: odd length " + s.length);
  }
  const out = alloc(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(s.charCodeAt(2 * i));
    const lo = nibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new Error("fromHex: bad character near offset " + 2 * i);
    }
    out[i] = hi * 16 + lo;
  }
  return out;
}
