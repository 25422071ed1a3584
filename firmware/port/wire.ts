/**
 * Big-endian wire encodings shared by SMP and the agent (simplexmq's Encoding class):
 * Word16/Word32, shortString (1-byte length), Large (2-byte length), Tail (rest), and
 * pad(m, N) = Word16 len ‖ m ‖ '#' fill to N. Readers never throw: a short or malformed
 * input sets `failed` with a reason, and every later read returns empty values.
 */
import { Bytes, alloc, copyInto, slice } from "./bytes";

const PAD_FILL = 0x23; // '#'

export class ByteWriter {
  private parts: Bytes[];
  length: number;
  constructor() {
    this.parts = [];
    this.length = 0;
  }
  bytes(b: Bytes): ByteWriter {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
  byte(v: number): ByteWriter {
    const b = alloc(1);
    b[0] = v & 0xff;
    return this.bytes(b);
  }
  word16(v: number): ByteWriter {
    const b = alloc(2);
    b[0] = (v >>> 8) & 0xff;
    b[1] = v & 0xff;
    return this.bytes(b);
  }
  word32(v: number): ByteWriter {
    const b = alloc(4);
    b[0] = (v >>> 24) & 0xff;
    b[1] = (v >>> 16) & 0xff;
    b[2] = (v >>> 8) & 0xff;
    b[3] = v & 0xff;
    return this.bytes(b);
  }
  /** shortString: 1-byte length (≤ 255) then the bytes. */
  short(b: Bytes): ByteWriter {
    if (b.length > 255) {
      throw new Error("shortString too long: " + b.length);
    }
    return this.byte(b.length).bytes(b);
  }
  /** Large: 2-byte length (≤ 65535) then the bytes. */
  large(b: Bytes): ByteWriter {
    if (b.length > 65535) {
      throw new Error("Large too long: " + b.length);
    }
    return this.word16(b.length).bytes(b);
  }
  finish(): Bytes {
    const out = alloc(this.length);
    let off = 0;
    for (const p of this.parts) {
      copyInto(out, off, p, 0, p.length);
      off += p.length;
    }
    return out;
  }
}

export class ByteReader {
  private buf: Bytes;
  pos: number;
  failed: string;
  constructor(buf: Bytes) {
    this.buf = buf;
    this.pos = 0;
    this.failed = "";
  }
  remaining(): number {
    return this.failed === "" ? this.buf.length - this.pos : 0;
  }
  fail(why: string): void {
    if (this.failed === "") {
      this.failed = why;
    }
  }
  bytes(n: number): Bytes {
    if (this.failed !== "" || n < 0 || this.pos + n > this.buf.length) {
      this.fail("truncated: wanted " + n + " bytes at offset " + this.pos);
      return alloc(0);
    }
    const out = slice(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  byte(): number {
    const b = this.bytes(1);
    return b.length === 1 ? b[0] : 0;
  }
  word16(): number {
    const b = this.bytes(2);
    return b.length === 2 ? (b[0] << 8) | b[1] : 0;
  }
  word32(): number {
    const b = this.bytes(4);
    return b.length === 4 ? ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0 : 0;
  }
  short(): Bytes {
    return this.bytes(this.byte());
  }
  large(): Bytes {
    return this.bytes(this.word16());
  }
  tail(): Bytes {
    return this.bytes(this.remaining());
  }
  /** Marks the read failed unless every byte was consumed. */
  end(): void {
    if (this.failed === "" && this.pos !== this.buf.length) {
      this.fail((this.buf.length - this.pos) + " unexpected trailing bytes");
    }
  }
}

/** pad(m, N): Word16 length ‖ m ‖ '#' fill, exactly N bytes. */
export function pad(m: Bytes, n: number): Bytes {
  if (m.length + 2 > n || m.length > 65535) {
    throw new Error("pad: message of " + m.length + " bytes does not fit in " + n);
  }
  const out = alloc(n);
  out[0] = (m.length >>> 8) & 0xff;
  out[1] = m.length & 0xff;
  copyInto(out, 2, m, 0, m.length);
  for (let i = m.length + 2; i < n; i++) {
    out[i] = PAD_FILL;
  }
  return out;
}

/** The inverse of pad; undefined when the length prefix does not fit. */
export function unpad(p: Bytes): Bytes | undefined {
  if (p.length < 2) {
    return undefined;
  }
  const len = (p[0] << 8) | p[1];
  if (len + 2 > p.length) {
    return undefined;
  }
  return slice(p, 2, 2 + len);
}
