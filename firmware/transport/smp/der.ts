/**
 * A minimal DER reader: just enough to take X.509 certificates and signed public keys
 * apart (tag, length, value, and the raw bytes of each element for signatures and
 * fingerprints). Multi-byte tags and indefinite lengths are rejected.
 */
import { Bytes, slice } from "../../port/bytes";

export const DER_INTEGER = 0x02;
export const DER_BIT_STRING = 0x03;
export const DER_OID = 0x06;
export const DER_UTC_TIME = 0x17;
export const DER_GENERALIZED_TIME = 0x18;
export const DER_SEQUENCE = 0x30;
export const DER_CONTEXT_0 = 0xa0;

export interface DerElement {
  tag: number;
  /** the whole element: tag, length and value */
  raw: Bytes;
  value: Bytes;
}

/** Reads one element at `off`; returns undefined for malformed input. */
export function readDer(b: Bytes, off: number): { el: DerElement; next: number } | undefined {
  if (off + 2 > b.length) {
    return undefined;
  }
  const tag = b[off];
  if ((tag & 0x1f) === 0x1f) {
    return undefined;
  }
  let len = b[off + 1];
  let p = off + 2;
  if (len >= 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || p + n > b.length) {
      return undefined;
    }
    len = 0;
    for (let i = 0; i < n; i++) {
      len = len * 256 + b[p + i];
    }
    p += n;
  }
  if (p + len > b.length) {
    return undefined;
  }
  return { el: { tag: tag, raw: slice(b, off, p + len), value: slice(b, p, p + len) }, next: p + len };
}

/** The children of a constructed element, or undefined if any is malformed. */
export function derChildren(value: Bytes): DerElement[] | undefined {
  const out: DerElement[] = [];
  let off = 0;
  while (off < value.length) {
    const r = readDer(value, off);
    if (r === undefined) {
      return undefined;
    }
    out.push(r.el);
    off = r.next;
  }
  return out;
}

/** A single top-level element that spans the whole input. */
export function readDerExact(b: Bytes): DerElement | undefined {
  const r = readDer(b, 0);
  if (r === undefined || r.next !== b.length) {
    return undefined;
  }
  return r.el;
}
