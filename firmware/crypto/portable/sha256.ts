/**
 * SHA-256 (FIPS 180-4 6.2) on u32 words held in locals. No branch or table index
 * depends on the data, so it runs in constant time.
 */
import { Bytes, alloc } from "../../port/bytes";
import { MerkleDamgardHash, storeBitLength } from "./merkle-damgard";

export const SHA256_BLOCK_LEN = 64;
export const SHA256_DIGEST_LEN = 32;
/** The 64-bit message length field at the end of the padded message. */
const LENGTH_FIELD_LEN = 8;

// Round constants K0..K63 (FIPS 180-4 4.2.2).
const K: number[] = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
// Initial hash value H(0) (FIPS 180-4 5.3.3).
const IV: number[] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(0);
  }
  return a;
}

// Message schedule as a 16-word ring (W[t] overwrites W[t-16]); shared scratch: portable
// code is synchronous, so no two compressions overlap.
const W = zeros(16);
// Padding scratch of the one-shot path: the message tail, 0x80, zeros and the length
// field span at most two blocks.
const TAIL = alloc(2 * SHA256_BLOCK_LEN);
const TAIL_LEN = 2 * SHA256_BLOCK_LEN;

/**
 * Compresses nBlocks 64-byte blocks of b starting at off into the chaining value H
 * (8 u32 words, updated in place).
 */
export function sha256Blocks(H: number[], b: Bytes, off: number, nBlocks: number): void {
  const w = W;
  const k = K;
  let a = H[0];
  let bb = H[1];
  let c = H[2];
  let d = H[3];
  let e = H[4];
  let f = H[5];
  let g = H[6];
  let h = H[7];
  for (let blk = 0; blk < nBlocks; blk++) {
    let p = off + blk * SHA256_BLOCK_LEN;
    for (let t = 0; t < 16; t++) {
      w[t] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
      p += 4;
    }
    for (let t = 0; t < 64; t++) {
      let wt: number;
      if (t < 16) {
        wt = w[t];
      } else {
        // W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16], indices mod 16;
        // sigma0 = ROTR7 ^ ROTR18 ^ SHR3, sigma1 = ROTR17 ^ ROTR19 ^ SHR10
        const x = w[(t - 15) & 15];
        const y = w[(t - 2) & 15];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        wt = w[t & 15] = (s1 + w[(t - 7) & 15] + s0 + w[t & 15]) >>> 0;
      }
      // Sigma1 = ROTR6 ^ ROTR11 ^ ROTR25; Sigma0 = ROTR2 ^ ROTR13 ^ ROTR22
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = h + S1 + ch + k[t] + wt;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & bb) ^ (a & c) ^ (bb & c);
      h = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = bb;
      bb = a;
      a = (t1 + S0 + maj) >>> 0;
    }
    a = H[0] = (H[0] + a) >>> 0;
    bb = H[1] = (H[1] + bb) >>> 0;
    c = H[2] = (H[2] + c) >>> 0;
    d = H[3] = (H[3] + d) >>> 0;
    e = H[4] = (H[4] + e) >>> 0;
    f = H[5] = (H[5] + f) >>> 0;
    g = H[6] = (H[6] + g) >>> 0;
    h = H[7] = (H[7] + h) >>> 0;
  }
  // The schedule is derived from the message (often a key): leave none of it behind.
  for (let t = 0; t < 16; t++) {
    w[t] = 0;
  }
}

/** Sets H to the initial hash value H(0). */
export function sha256Init(H: number[]): void {
  for (let i = 0; i < 8; i++) {
    H[i] = IV[i];
  }
}

/** Writes H big-endian into out[off..off+32) and wipes H. */
export function sha256Output(H: number[], out: Bytes, off: number): void {
  for (let i = 0; i < 8; i++) {
    const v = H[i];
    out[off + 4 * i] = (v >>> 24) & 0xff;
    out[off + 4 * i + 1] = (v >>> 16) & 0xff;
    out[off + 4 * i + 2] = (v >>> 8) & 0xff;
    out[off + 4 * i + 3] = v & 0xff;
    H[i] = 0;
  }
}

/**
 * Finishes a hash in one call, without a hash object: absorbs all of msg into H, which has
 * already absorbed `prefixLen` bytes (a multiple of the block length), then pads with the
 * total length and compresses the last block(s). The hot path of HMAC and one-shot SHA-256.
 */
export function sha256Finish(H: number[], msg: Bytes, prefixLen: number): void {
  const n = msg.length;
  const whole = Math.floor(n / SHA256_BLOCK_LEN);
  if (whole > 0) {
    sha256Blocks(H, msg, 0, whole);
  }
  const tail = TAIL;
  let len = 0;
  for (let i = whole * SHA256_BLOCK_LEN; i < n; i++) {
    tail[len] = msg[i];
    len++;
  }
  tail[len] = 0x80;
  len++;
  const blocks = len > SHA256_BLOCK_LEN - LENGTH_FIELD_LEN ? 2 : 1;
  const end = blocks * SHA256_BLOCK_LEN;
  for (let i = len; i < end; i++) {
    tail[i] = 0;
  }
  storeBitLength(tail, end, prefixLen + n);
  sha256Blocks(H, tail, 0, blocks);
  for (let i = 0; i < TAIL_LEN; i++) {
    tail[i] = 0;
  }
}

/** Incremental SHA-256: `new Sha256().update(a).update(b).digest()`. */
export class Sha256 extends MerkleDamgardHash {
  /** Chaining value H0..H7. */
  private readonly h: number[];

  constructor() {
    super(SHA256_BLOCK_LEN, SHA256_DIGEST_LEN, LENGTH_FIELD_LEN);
    this.h = IV.slice(0);
  }

  protected compress(b: Bytes, off: number, nBlocks: number): void {
    sha256Blocks(this.h, b, off, nBlocks);
  }

  protected writeState(out: Bytes): void {
    sha256Output(this.h, out, 0);
  }
}

// State of the one-shot sha256(); module scratch, wiped after each use.
const ONE_SHOT = zeros(8);

/** SHA-256 of msg (32 bytes). */
export function sha256(msg: Bytes): Bytes {
  const H = ONE_SHOT;
  sha256Init(H);
  sha256Finish(H, msg, 0);
  const out = alloc(SHA256_DIGEST_LEN);
  sha256Output(H, out, 0);
  return out;
}
