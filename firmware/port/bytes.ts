/**
 * Bytes: the one byte-buffer type of portable code.
 *
 * On JS targets (Node, Espruino) a Bytes is a Uint8Array; on Lua it is a 0-based table
 * with a `length` field (TSTL emits `b[i]` and `b.length` unchanged for this type).
 * Which one is chosen at load time by feature detection, so one source serves all
 * targets without build-time module swapping. Always store `v & 0xff`: a Lua table
 * does not wrap like a Uint8Array.
 */
export interface Bytes {
  [i: number]: number;
  readonly length: number;
}

// Lua has no Uint8Array; TSTL compiles this `typeof` to a nil check on the global.
const TYPED = typeof Uint8Array !== "undefined";

interface MutableLength {
  length: number;
}

function allocTable(n: number): Bytes {
  const t = { length: n } as MutableLength as unknown as Bytes;
  for (let i = 0; i < n; i++) {
    t[i] = 0;
  }
  return t;
}

/** A new zero-filled Bytes of length n. */
export function alloc(n: number): Bytes {
  if (n < 0 || n !== Math.floor(n)) {
    throw new Error("alloc: bad length " + n);
  }
  if (TYPED) {
    // eslint-disable-next-line no-restricted-syntax -- the one place typed arrays are chosen
    return new Uint8Array(n) as unknown as Bytes;
  }
  return allocTable(n);
}

/** Copies len bytes from src[srcOff..] into dst[dstOff..]. */
export function copyInto(dst: Bytes, dstOff: number, src: Bytes, srcOff: number, len: number): void {
  if (TYPED && len > 64) {
    // Native block copy on JS targets (a byte loop made GRP transport 3x slower).
    (dst as unknown as Uint8Array).set((src as unknown as Uint8Array).subarray(srcOff, srcOff + len), dstOff);
    return;
  }
  for (let i = 0; i < len; i++) {
    dst[dstOff + i] = src[srcOff + i];
  }
}

/** A copy of b[start..end) (end exclusive, clamped to b.length). */
export function slice(b: Bytes, start: number, end: number): Bytes {
  const e = end > b.length ? b.length : end;
  const n = e > start ? e - start : 0;
  const out = alloc(n);
  copyInto(out, 0, b, start, n);
  return out;
}

/**
 * b[start..end) sharing b's memory where the runtime can (a subarray on JS targets, a copy
 * on Lua). Neither it nor b may change while both are in use.
 */
export function view(b: Bytes, start: number, end: number): Bytes {
  if (TYPED) {
    const e = end > b.length ? b.length : end;
    return (b as unknown as Uint8Array).subarray(start, e > start ? e : start) as unknown as Bytes;
  }
  return slice(b, start, end);
}

/** Sets b[start..end) to v. */
export function fill(b: Bytes, v: number, start: number, end: number): void {
  if (TYPED) {
    (b as unknown as Uint8Array).fill(v, start, end);
    return;
  }
  for (let i = start; i < end; i++) {
    b[i] = v;
  }
}

/** a ‖ b */
export function concat(a: Bytes, b: Bytes): Bytes {
  const out = alloc(a.length + b.length);
  copyInto(out, 0, a, 0, a.length);
  copyInto(out, a.length, b, 0, b.length);
  return out;
}

/** parts[0] ‖ parts[1] ‖ … */
export function concatAll(parts: Bytes[]): Bytes {
  let n = 0;
  for (const p of parts) {
    n += p.length;
  }
  const out = alloc(n);
  let off = 0;
  for (const p of parts) {
    copyInto(out, off, p, 0, p.length);
    off += p.length;
  }
  return out;
}

/** Variable-time equality: for public data only (see ct.ts for secrets). */
export function equalBytes(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

/** Overwrites b with zeros (key erasure). */
export function wipe(b: Bytes): void {
  for (let i = 0; i < b.length; i++) {
    b[i] = 0;
  }
}

/** Bytes of an ASCII string (one byte per char; non-ASCII is an error, see PORTABLE.md). */
export function fromAscii(s: string): Bytes {
  const out = alloc(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) {
      throw new Error("fromAscii: non-ASCII character at " + i);
    }
    out[i] = c;
  }
  return out;
}

/** Latin-1 string of bytes (each byte one char); the inverse of fromBinaryString. */
export function toBinaryString(b: Bytes): string {
  let s = "";
  const CHUNK = 256;
  for (let i = 0; i < b.length; i += CHUNK) {
    let part = "";
    const end = i + CHUNK > b.length ? b.length : i + CHUNK;
    for (let j = i; j < end; j++) {
      part += String.fromCharCode(b[j]);
    }
    s += part;
  }
  return s;
}

/** Bytes of a binary string as interpreters hand them over at I/O boundaries. */
export function fromBinaryString(s: string): Bytes {
  const out = alloc(s.length);
  for (let i = 0; i < s.length; i++) {
    out[i] = s.charCodeAt(i) & 0xff;
  }
  return out;
}
