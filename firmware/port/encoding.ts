/**
 * SMP wire encodings (simplexmq src/Simplex/Messaging/Encoding.hs): big-endian Word16,
 * Word32 and Int64, shortString (1-byte length), Large (2-byte length), Tail (the rest),
 * Bool 'T'/'F', Maybe '0' | '1'+value, lists and NonEmpty (1-byte count + items).
 *
 * SmpReader never throws: the first failure records a reason, and every later read
 * returns an empty value, so a parser reads on and checks `failed` once at the end.
 */
import { Bytes, alloc, copyInto, slice, view } from "./bytes";

export const CHAR_SPACE = 0x20;
export const CHAR_T = 0x54;
export const CHAR_F = 0x46;
export const CHAR_0 = 0x30;
export const CHAR_1 = 0x31;

const EMPTY = alloc(0);
/**
 * Takes this long or longer are views into the input, not copies: message bodies and
 * ciphertexts inside a 16 KiB block, read once on their way to a decryption. Shorter ones
 * (ids, keys, hashes) are copied, because they are kept, and a kept view would keep its
 * whole block alive (views for every take made the fleet slower).
 */
const VIEW_MIN = 4096;

export class SmpReader {
  private buf: Bytes;
  pos: number;
  failed: string | undefined;
  constructor(buf: Bytes) {
    this.buf = buf;
    this.pos = 0;
    this.failed = undefined;
  }
  fail(reason: string): void {
    if (this.failed === undefined) {
      this.failed = reason;
    }
    this.pos = this.buf.length;
  }
  remaining(): number {
    return this.buf.length - this.pos;
  }
  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }
  /** Fails unless the whole input was consumed (attoparsec's parseAll). */
  end(): void {
    if (this.failed === undefined && this.pos !== this.buf.length) {
      this.fail("trailing bytes");
    }
  }
  peek(): number {
    return this.pos < this.buf.length ? this.buf[this.pos] : -1;
  }
  byte(): number {
    if (this.pos >= this.buf.length) {
      this.fail("unexpected end of input");
      return 0;
    }
    const v = this.buf[this.pos];
    this.pos += 1;
    return v;
  }
  take(n: number): Bytes {
    if (this.failed !== undefined) {
      return EMPTY;
    }
    if (this.pos + n > this.buf.length) {
      this.fail("unexpected end of input");
      return EMPTY;
    }
    const out = n >= VIEW_MIN ? view(this.buf, this.pos, this.pos + n) : slice(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** Expects one exact byte. */
  char(c: number): void {
    const v = this.byte();
    if (this.failed === undefined && v !== c) {
      this.fail("expected '" + String.fromCharCode(c) + "'");
    }
  }
  space(): void {
    this.char(CHAR_SPACE);
  }
  word16(): number {
    const hi = this.byte();
    const lo = this.byte();
    return ((hi << 8) | lo) >>> 0;
  }
  word32(): number {
    const a = this.word16();
    const b = this.word16();
    return a * 65536 + b;
  }
  /** Int64 as a JS number; values beyond 2^53 fail (SMP uses it for seconds since 1970). */
  int64(): number {
    const hi = this.word32();
    const lo = this.word32();
    if (hi >= 0x200000) {
      this.fail("Int64 out of range");
      return 0;
    }
    return hi * 4294967296 + lo;
  }
  short(): Bytes {
    const n = this.byte();
    return this.take(n);
  }
  large(): Bytes {
    const n = this.word16();
    return this.take(n);
  }
  tail(): Bytes {
    return this.take(this.remaining());
  }
  bool(): boolean {
    const v = this.byte();
    if (v === CHAR_T) {
      return true;
    }
    if (v !== CHAR_F) {
      this.fail("invalid Bool");
    }
    return false;
  }
  /** Reads the Maybe tag: true for '1' (a value follows), false for '0'. */
  maybeTag(): boolean {
    const v = this.byte();
    if (v === CHAR_1) {
      return true;
    }
    if (v !== CHAR_0) {
      this.fail("invalid Maybe tag");
    }
    return false;
  }
  /** Bytes up to (not including) the next space or the end. */
  word(): Bytes {
    let i = this.pos;
    while (i < this.buf.length && this.buf[i] !== CHAR_SPACE) {
      i++;
    }
    const out = slice(this.buf, this.pos, i);
    this.pos = i;
    return out;
  }
}

export class SmpWriter {
  private parts: Bytes[];
  length: number;
  constructor() {
    this.parts = [];
    this.length = 0;
  }
  bytes(b: Bytes): SmpWriter {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
  byte(v: number): SmpWriter {
    const b = alloc(1);
    b[0] = v & 0xff;
    return this.bytes(b);
  }
  ascii(s: string): SmpWriter {
    const b = alloc(s.length);
    for (let i = 0; i < s.length; i++) {
      b[i] = s.charCodeAt(i) & 0xff;
    }
    return this.bytes(b);
  }
  space(): SmpWriter {
    return this.byte(CHAR_SPACE);
  }
  word16(v: number): SmpWriter {
    const b = alloc(2);
    b[0] = (v >>> 8) & 0xff;
    b[1] = v & 0xff;
    return this.bytes(b);
  }
  word32(v: number): SmpWriter {
    const b = alloc(4);
    b[0] = (v >>> 24) & 0xff;
    b[1] = (v >>> 16) & 0xff;
    b[2] = (v >>> 8) & 0xff;
    b[3] = v & 0xff;
    return this.bytes(b);
  }
  /** Non-negative integer below 2^53 as Int64. */
  int64(v: number): SmpWriter {
    const hi = Math.floor(v / 4294967296);
    const lo = v - hi * 4294967296;
    return this.word32(hi).word32(lo);
  }
  short(b: Bytes): SmpWriter {
    if (b.length > 255) {
      throw new Error("shortString longer than 255 bytes: " + b.length);
    }
    return this.byte(b.length).bytes(b);
  }
  large(b: Bytes): SmpWriter {
    if (b.length > 65535) {
      throw new Error("Large longer than 65535 bytes: " + b.length);
    }
    return this.word16(b.length).bytes(b);
  }
  bool(v: boolean): SmpWriter {
    return this.byte(v ? CHAR_T : CHAR_F);
  }
  /**
   * Appends what another writer holds, without copying it: layers of an encoding (command
   * in transmission in block) then copy a 16 KiB body once, into the block, not per layer.
   */
  writer(w: SmpWriter): SmpWriter {
    for (const p of w.parts) {
      this.parts.push(p);
    }
    this.length += w.length;
    return this;
  }
  /** Large (Word16 length ‖ content) of what another writer holds, uncopied. */
  largeWriter(w: SmpWriter): SmpWriter {
    if (w.length > 65535) {
      throw new Error("Large longer than 65535 bytes: " + w.length);
    }
    return this.word16(w.length).writer(w);
  }
  /** Copies what the writer holds into out[off..]; returns the offset after it. */
  writeTo(out: Bytes, off: number): number {
    let at = off;
    for (const p of this.parts) {
      copyInto(out, at, p, 0, p.length);
      at += p.length;
    }
    return at;
  }
  finish(): Bytes {
    if (this.parts.length === 1) {
      return this.parts[0];
    }
    const out = alloc(this.length);
    let off = 0;
    for (const p of this.parts) {
      copyInto(out, off, p, 0, p.length);
      off += p.length;
    }
    return out;
  }
}

/** Result of every parser in the codec: a value or a typed error, never an exception. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parsedOk<T>(value: T): Parsed<T> {
  return { ok: true, value: value };
}

export function parsedError<T>(error: string): Parsed<T> {
  return { ok: false, error: error };
}

export function asciiBytes(s: string): Bytes {
  const b = alloc(s.length);
  for (let i = 0; i < s.length; i++) {
    b[i] = s.charCodeAt(i) & 0xff;
  }
  return b;
}

export function bytesToAscii(b: Bytes): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    s += String.fromCharCode(b[i]);
  }
  return s;
}
