/**
 * Base64 (RFC 4648 §4) and base64url (§5). Encoding pads unless asked not to; decoding
 * accepts either alphabet's text with or without padding and rejects anything else.
 */
import { Bytes, alloc } from "./bytes";

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function encodeWith(b: Bytes, table: string, pad: boolean): string {
  let s = "";
  let part = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    part +=
      table.charAt((v >>> 18) & 63) + table.charAt((v >>> 12) & 63) + table.charAt((v >>> 6) & 63) + table.charAt(v & 63);
    if (part.length >= 512) {
      s += part;
      part = "";
    }
  }
  const rest = b.length - i;
  if (rest === 1) {
    const v = b[i] << 16;
    part += table.charAt((v >>> 18) & 63) + table.charAt((v >>> 12) & 63) + (pad ? "==" : "");
  } else if (rest === 2) {
    const v = (b[i] << 16) | (b[i + 1] << 8);
    part += table.charAt((v >>> 18) & 63) + table.charAt((v >>> 12) & 63) + table.charAt((v >>> 6) & 63) + (pad ? "=" : "");
  }
  return s + part;
}

export function toBase64(b: Bytes): string {
  return encodeWith(b, STD, true);
}

/** base64url without padding, as used in URIs (smp://, grp://). */
export function toBase64Url(b: Bytes): string {
  return encodeWith(b, URL, false);
}

function sextet(c: number): number {
  if (c >= 65 && c <= 90) {
    return c - 65;
  }
  if (c >= 97 && c <= 122) {
    return c - 71;
  }
  if (c >= 48 && c <= 57) {
    return c + 4;
  }
  if (c === 43 || c === 45) {
    return 62;
  }
  if (c === 47 || c === 95) {
    return 63;
  }
  return -1;
}

/** Decodes standard or url-safe base64, padded or not. Throws on malformed input. */
export function fromBase64(s: string): Bytes {
  let n = s.length;
  while (n > 0 && s.charCodeAt(n - 1) === 61) {
    n--;
  }
  if (s.length - n > 2 || n % 4 === 1) {
    throw new Error("fromBase64: bad length");
  }
  const out = alloc(Math.floor((n * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const v = sextet(s.charCodeAt(i));
    if (v < 0) {
      throw new Error("fromBase64: bad character at " + i);
    }
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o] = (acc >>> bits) & 0xff;
      o++;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) {
    throw new Error("fromBase64: non-zero trailing bits");
  }
  return out;
}
