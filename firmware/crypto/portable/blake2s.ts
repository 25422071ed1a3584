/**
 * BLAKE2s (RFC 7693): 32-bit words, 10 rounds, output 1..32 bytes, optional key of
 * 1..32 bytes (an empty key means unkeyed). The message schedule SIGMA is public, so
 * indexing with it leaks nothing; no branch depends on the data.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";

export const BLAKE2S_BLOCK_LEN = 64;
export const BLAKE2S_MAX_OUT_LEN = 32;
export const BLAKE2S_MAX_KEY_LEN = 32;
const ROUNDS = 10;
/** f0 for the final block (RFC 7693 3.2). */
const LAST_BLOCK_FLAG = 0xffffffff;
const TWO32 = 4294967296;

// IV (RFC 7693 2.6), the same words as SHA-256's initial hash value.
const IV: number[] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

// Message word permutations SIGMA[0..9] (RFC 7693 2.7), row after row.
const SIGMA: number[] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
  11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
  7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
  9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
  2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
  12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
  13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
  6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
  10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
];

function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(0);
  }
  return a;
}

// Message words scratch, shared: portable code is synchronous, so no two compressions overlap.
const M = zeros(16);

/**
 * Compression F (RFC 7693 3.2) of the 64-byte block b[off..] into h; `total` is the
 * byte counter t including this block, `last` marks the final block.
 */
function compress(h: number[], b: Bytes, off: number, total: number, last: boolean): void {
  const m = M;
  for (let i = 0; i < 16; i++) {
    const p = off + 4 * i;
    m[i] = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }
  let v0 = h[0];
  let v1 = h[1];
  let v2 = h[2];
  let v3 = h[3];
  let v4 = h[4];
  let v5 = h[5];
  let v6 = h[6];
  let v7 = h[7];
  let v8 = IV[0];
  let v9 = IV[1];
  let v10 = IV[2];
  let v11 = IV[3];
  let v12 = (IV[4] ^ (total % TWO32)) >>> 0;
  let v13 = (IV[5] ^ Math.floor(total / TWO32)) >>> 0;
  let v14 = last ? (IV[6] ^ LAST_BLOCK_FLAG) >>> 0 : IV[6];
  let v15 = IV[7];
  for (let r = 0; r < ROUNDS; r++) {
    const s = r * 16;
    // G(v0, v4, v8, v12, m[s0], m[s1])
    v0 = (v0 + v4 + m[SIGMA[s + 0]]) >>> 0;
    v12 = (v12 ^ v0) >>> 0;
    v12 = ((v12 >>> 16) | (v12 << 16)) >>> 0;
    v8 = (v8 + v12) >>> 0;
    v4 = (v4 ^ v8) >>> 0;
    v4 = ((v4 >>> 12) | (v4 << 20)) >>> 0;
    v0 = (v0 + v4 + m[SIGMA[s + 1]]) >>> 0;
    v12 = (v12 ^ v0) >>> 0;
    v12 = ((v12 >>> 8) | (v12 << 24)) >>> 0;
    v8 = (v8 + v12) >>> 0;
    v4 = (v4 ^ v8) >>> 0;
    v4 = ((v4 >>> 7) | (v4 << 25)) >>> 0;
    // G(v1, v5, v9, v13, m[s2], m[s3])
    v1 = (v1 + v5 + m[SIGMA[s + 2]]) >>> 0;
    v13 = (v13 ^ v1) >>> 0;
    v13 = ((v13 >>> 16) | (v13 << 16)) >>> 0;
    v9 = (v9 + v13) >>> 0;
    v5 = (v5 ^ v9) >>> 0;
    v5 = ((v5 >>> 12) | (v5 << 20)) >>> 0;
    v1 = (v1 + v5 + m[SIGMA[s + 3]]) >>> 0;
    v13 = (v13 ^ v1) >>> 0;
    v13 = ((v13 >>> 8) | (v13 << 24)) >>> 0;
    v9 = (v9 + v13) >>> 0;
    v5 = (v5 ^ v9) >>> 0;
    v5 = ((v5 >>> 7) | (v5 << 25)) >>> 0;
    // G(v2, v6, v10, v14, m[s4], m[s5])
    v2 = (v2 + v6 + m[SIGMA[s + 4]]) >>> 0;
    v14 = (v14 ^ v2) >>> 0;
    v14 = ((v14 >>> 16) | (v14 << 16)) >>> 0;
    v10 = (v10 + v14) >>> 0;
    v6 = (v6 ^ v10) >>> 0;
    v6 = ((v6 >>> 12) | (v6 << 20)) >>> 0;
    v2 = (v2 + v6 + m[SIGMA[s + 5]]) >>> 0;
    v14 = (v14 ^ v2) >>> 0;
    v14 = ((v14 >>> 8) | (v14 << 24)) >>> 0;
    v10 = (v10 + v14) >>> 0;
    v6 = (v6 ^ v10) >>> 0;
    v6 = ((v6 >>> 7) | (v6 << 25)) >>> 0;
    // G(v3, v7, v11, v15, m[s6], m[s7])
    v3 = (v3 + v7 + m[SIGMA[s + 6]]) >>> 0;
    v15 = (v15 ^ v3) >>> 0;
    v15 = ((v15 >>> 16) | (v15 << 16)) >>> 0;
    v11 = (v11 + v15) >>> 0;
    v7 = (v7 ^ v11) >>> 0;
    v7 = ((v7 >>> 12) | (v7 << 20)) >>> 0;
    v3 = (v3 + v7 + m[SIGMA[s + 7]]) >>> 0;
    v15 = (v15 ^ v3) >>> 0;
    v15 = ((v15 >>> 8) | (v15 << 24)) >>> 0;
    v11 = (v11 + v15) >>> 0;
    v7 = (v7 ^ v11) >>> 0;
    v7 = ((v7 >>> 7) | (v7 << 25)) >>> 0;
    // G(v0, v5, v10, v15, m[s8], m[s9])
    v0 = (v0 + v5 + m[SIGMA[s + 8]]) >>> 0;
    v15 = (v15 ^ v0) >>> 0;
    v15 = ((v15 >>> 16) | (v15 << 16)) >>> 0;
    v10 = (v10 + v15) >>> 0;
    v5 = (v5 ^ v10) >>> 0;
    v5 = ((v5 >>> 12) | (v5 << 20)) >>> 0;
    v0 = (v0 + v5 + m[SIGMA[s + 9]]) >>> 0;
    v15 = (v15 ^ v0) >>> 0;
    v15 = ((v15 >>> 8) | (v15 << 24)) >>> 0;
    v10 = (v10 + v15) >>> 0;
    v5 = (v5 ^ v10) >>> 0;
    v5 = ((v5 >>> 7) | (v5 << 25)) >>> 0;
    // G(v1, v6, v11, v12, m[s10], m[s11])
    v1 = (v1 + v6 + m[SIGMA[s + 10]]) >>> 0;
    v12 = (v12 ^ v1) >>> 0;
    v12 = ((v12 >>> 16) | (v12 << 16)) >>> 0;
    v11 = (v11 + v12) >>> 0;
    v6 = (v6 ^ v11) >>> 0;
    v6 = ((v6 >>> 12) | (v6 << 20)) >>> 0;
    v1 = (v1 + v6 + m[SIGMA[s + 11]]) >>> 0;
    v12 = (v12 ^ v1) >>> 0;
    v12 = ((v12 >>> 8) | (v12 << 24)) >>> 0;
    v11 = (v11 + v12) >>> 0;
    v6 = (v6 ^ v11) >>> 0;
    v6 = ((v6 >>> 7) | (v6 << 25)) >>> 0;
    // G(v2, v7, v8, v13, m[s12], m[s13])
    v2 = (v2 + v7 + m[SIGMA[s + 12]]) >>> 0;
    v13 = (v13 ^ v2) >>> 0;
    v13 = ((v13 >>> 16) | (v13 << 16)) >>> 0;
    v8 = (v8 + v13) >>> 0;
    v7 = (v7 ^ v8) >>> 0;
    v7 = ((v7 >>> 12) | (v7 << 20)) >>> 0;
    v2 = (v2 + v7 + m[SIGMA[s + 13]]) >>> 0;
    v13 = (v13 ^ v2) >>> 0;
    v13 = ((v13 >>> 8) | (v13 << 24)) >>> 0;
    v8 = (v8 + v13) >>> 0;
    v7 = (v7 ^ v8) >>> 0;
    v7 = ((v7 >>> 7) | (v7 << 25)) >>> 0;
    // G(v3, v4, v9, v14, m[s14], m[s15])
    v3 = (v3 + v4 + m[SIGMA[s + 14]]) >>> 0;
    v14 = (v14 ^ v3) >>> 0;
    v14 = ((v14 >>> 16) | (v14 << 16)) >>> 0;
    v9 = (v9 + v14) >>> 0;
    v4 = (v4 ^ v9) >>> 0;
    v4 = ((v4 >>> 12) | (v4 << 20)) >>> 0;
    v3 = (v3 + v4 + m[SIGMA[s + 15]]) >>> 0;
    v14 = (v14 ^ v3) >>> 0;
    v14 = ((v14 >>> 8) | (v14 << 24)) >>> 0;
    v9 = (v9 + v14) >>> 0;
    v4 = (v4 ^ v9) >>> 0;
    v4 = ((v4 >>> 7) | (v4 << 25)) >>> 0;
  }
  h[0] = (h[0] ^ v0 ^ v8) >>> 0;
  h[1] = (h[1] ^ v1 ^ v9) >>> 0;
  h[2] = (h[2] ^ v2 ^ v10) >>> 0;
  h[3] = (h[3] ^ v3 ^ v11) >>> 0;
  h[4] = (h[4] ^ v4 ^ v12) >>> 0;
  h[5] = (h[5] ^ v5 ^ v13) >>> 0;
  h[6] = (h[6] ^ v6 ^ v14) >>> 0;
  h[7] = (h[7] ^ v7 ^ v15) >>> 0;
  // The message words may be key material: leave none of them behind.
  for (let i = 0; i < 16; i++) {
    m[i] = 0;
  }
}

/** Incremental BLAKE2s: `new Blake2s(outLen, key).update(a).update(b).digest()`. */
export class Blake2s {
  private readonly h: number[];
  private readonly outLen: number;
  private readonly buf: Bytes;
  private bufLen: number;
  /** Bytes compressed so far (exact below 2^53). */
  private total: number;
  private finished: boolean;

  constructor(outLen: number, key: Bytes) {
    if (outLen !== Math.floor(outLen) || outLen < 1 || outLen > BLAKE2S_MAX_OUT_LEN) {
      throw new Error("blake2s: output length " + outLen + " must be an integer in 1.." + BLAKE2S_MAX_OUT_LEN);
    }
    if (key.length > BLAKE2S_MAX_KEY_LEN) {
      throw new Error("blake2s: key length " + key.length + " must be at most " + BLAKE2S_MAX_KEY_LEN);
    }
    this.outLen = outLen;
    this.h = IV.slice(0);
    // Parameter block word 0: digest length, key length, fanout 1, depth 1 (RFC 7693 2.5).
    this.h[0] = (this.h[0] ^ 0x01010000 ^ (key.length << 8) ^ outLen) >>> 0;
    this.buf = alloc(BLAKE2S_BLOCK_LEN);
    this.bufLen = 0;
    this.total = 0;
    this.finished = false;
    if (key.length > 0) {
      // The key, zero-padded, is the first block (the buffer is already zero).
      for (let i = 0; i < key.length; i++) {
        this.buf[i] = key[i];
      }
      this.bufLen = BLAKE2S_BLOCK_LEN;
    }
  }

  update(data: Bytes): this {
    if (this.finished) {
      throw new Error("blake2s: update after digest");
    }
    const n = data.length;
    let pos = 0;
    while (pos < n) {
      // A full buffer is compressed only once more data follows: the last block is flagged.
      if (this.bufLen === BLAKE2S_BLOCK_LEN) {
        this.total += BLAKE2S_BLOCK_LEN;
        compress(this.h, this.buf, 0, this.total, false);
        this.bufLen = 0;
      }
      if (this.bufLen === 0) {
        while (n - pos > BLAKE2S_BLOCK_LEN) {
          this.total += BLAKE2S_BLOCK_LEN;
          compress(this.h, data, pos, this.total, false);
          pos += BLAKE2S_BLOCK_LEN;
        }
      }
      const room = BLAKE2S_BLOCK_LEN - this.bufLen;
      const take = n - pos < room ? n - pos : room;
      for (let i = 0; i < take; i++) {
        this.buf[this.bufLen + i] = data[pos + i];
      }
      this.bufLen += take;
      pos += take;
    }
    return this;
  }

  /** The outLen-byte digest; the object cannot be used afterwards. */
  digest(): Bytes {
    if (this.finished) {
      throw new Error("blake2s: digest called twice");
    }
    this.finished = true;
    for (let i = this.bufLen; i < BLAKE2S_BLOCK_LEN; i++) {
      this.buf[i] = 0;
    }
    this.total += this.bufLen;
    compress(this.h, this.buf, 0, this.total, true);
    const out = alloc(this.outLen);
    for (let i = 0; i < this.outLen; i++) {
      out[i] = (this.h[i >>> 2] >>> (8 * (i & 3))) & 0xff;
    }
    wipe(this.buf);
    for (let i = 0; i < 8; i++) {
      this.h[i] = 0;
    }
    return out;
  }
}

/** BLAKE2s of msg with outLen in 1..32 bytes and a key of 0..32 bytes (empty = unkeyed). */
export function blake2s(msg: Bytes, outLen: number, key: Bytes): Bytes {
  return new Blake2s(outLen, key).update(msg).digest();
}
