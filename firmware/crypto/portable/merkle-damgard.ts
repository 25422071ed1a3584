/**
 * Merkle-Damgard buffering and padding shared by SHA-256 and SHA-512 (FIPS 180-4 5.1):
 * append 0x80, zeros, then the message length in bits big-endian in the last
 * `lengthBytes` of the final block. Subclasses supply the compression function.
 */
import { Bytes, alloc } from "../../port/bytes";
import { store32be } from "../../port/u32";

/** 2^29: byte counts split here so the bit count (bytes * 8) is formed in two u32 halves. */
const BYTES_PER_BIT_WORD = 0x20000000;

/** Writes the message length in bits (total * 8 < 2^56) as two big-endian u32 words just before `end`. */
export function storeBitLength(buf: Bytes, end: number, totalBytes: number): void {
  store32be(buf, end - 8, Math.floor(totalBytes / BYTES_PER_BIT_WORD));
  store32be(buf, end - 4, ((totalBytes % BYTES_PER_BIT_WORD) * 8) >>> 0);
}

export abstract class MerkleDamgardHash {
  readonly blockLen: number;
  readonly digestLen: number;
  private readonly lengthBytes: number;
  private readonly buf: Bytes;
  private bufLen: number;
  /** Bytes absorbed so far (exact below 2^53). */
  private total: number;
  private finished: boolean;

  protected constructor(blockLen: number, digestLen: number, lengthBytes: number) {
    this.blockLen = blockLen;
    this.digestLen = digestLen;
    this.lengthBytes = lengthBytes;
    this.buf = alloc(blockLen);
    this.bufLen = 0;
    this.total = 0;
    this.finished = false;
  }

  /** Absorbs nBlocks whole blocks of b starting at off. */
  protected abstract compress(b: Bytes, off: number, nBlocks: number): void;
  /** Writes the chaining value big-endian into out[0..digestLen). */
  protected abstract writeState(out: Bytes): void;

  update(data: Bytes): this {
    if (this.finished) {
      throw new Error("hash: update after digest");
    }
    const n = data.length;
    const bl = this.blockLen;
    let pos = 0;
    this.total += n;
    if (this.bufLen > 0) {
      const take = bl - this.bufLen < n ? bl - this.bufLen : n;
      for (let i = 0; i < take; i++) {
        this.buf[this.bufLen + i] = data[i];
      }
      this.bufLen += take;
      pos = take;
      if (this.bufLen < bl) {
        return this;
      }
      this.compress(this.buf, 0, 1);
      this.bufLen = 0;
    }
    const whole = Math.floor((n - pos) / bl);
    if (whole > 0) {
      this.compress(data, pos, whole);
      pos += whole * bl;
    }
    for (let i = pos; i < n; i++) {
      this.buf[i - pos] = data[i];
    }
    this.bufLen = n - pos;
    return this;
  }

  /** Pads, finishes and returns the digest; the object cannot be used afterwards. */
  digest(): Bytes {
    if (this.finished) {
      throw new Error("hash: digest called twice");
    }
    this.finished = true;
    const bl = this.blockLen;
    const buf = this.buf;
    let len = this.bufLen;
    buf[len] = 0x80;
    len++;
    if (len > bl - this.lengthBytes) {
      for (let i = len; i < bl; i++) {
        buf[i] = 0;
      }
      this.compress(buf, 0, 1);
      len = 0;
    }
    for (let i = len; i < bl; i++) {
      buf[i] = 0;
    }
    storeBitLength(buf, bl, this.total);
    this.compress(buf, 0, 1);
    const out = alloc(this.digestLen);
    this.writeState(out);
    for (let i = 0; i < bl; i++) {
      buf[i] = 0;
    }
    return out;
  }
}
