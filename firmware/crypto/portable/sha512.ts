/**
 * SHA-512 (FIPS 180-4 6.4). 64-bit words are hi/lo u32 pairs held in locals, with the
 * carries of each addition formed inline: the low halves are summed as plain numbers
 * (a few u32 terms stay far below 2^53) and floor(sum / 2^32) goes into the high half.
 * No branch or table index depends on the data, so it runs in constant time.
 */
import { Bytes } from "../../port/bytes";
import { MerkleDamgardHash } from "./merkle-damgard";

export const SHA512_BLOCK_LEN = 128;
export const SHA512_DIGEST_LEN = 64;
/** The 128-bit message length field at the end of the padded message. */
const LENGTH_FIELD_LEN = 16;
const TWO32 = 4294967296;

// Round constants K0..K79 (FIPS 180-4 4.2.3), high and low halves.
const K_HI: number[] = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  0xca273ece, 0xd186b8c7, 0xeada7dd6, 0xf57d4f7f, 0x06f067aa, 0x0a637dc5, 0x113f9804, 0x1b710b35,
  0x28db77f5, 0x32caab7b, 0x3c9ebe0a, 0x431d67c4, 0x4cc5d4be, 0x597f299c, 0x5fcb6fab, 0x6c44198c,
];
const K_LO: number[] = [
  0xd728ae22, 0x23ef65cd, 0xec4d3b2f, 0x8189dbbc, 0xf348b538, 0xb605d019, 0xaf194f9b, 0xda6d8118,
  0xa3030242, 0x45706fbe, 0x4ee4b28c, 0xd5ffb4e2, 0xf27b896f, 0x3b1696b1, 0x25c71235, 0xcf692694,
  0x9ef14ad2, 0x384f25e3, 0x8b8cd5b5, 0x77ac9c65, 0x592b0275, 0x6ea6e483, 0xbd41fbd4, 0x831153b5,
  0xee66dfab, 0x2db43210, 0x98fb213f, 0xbeef0ee4, 0x3da88fc2, 0x930aa725, 0xe003826f, 0x0a0e6e70,
  0x46d22ffc, 0x5c26c926, 0x5ac42aed, 0x9d95b3df, 0x8baf63de, 0x3c77b2a8, 0x47edaee6, 0x1482353b,
  0x4cf10364, 0xbc423001, 0xd0f89791, 0x0654be30, 0xd6ef5218, 0x5565a910, 0x5771202a, 0x32bbd1b8,
  0xb8d2d0c8, 0x5141ab53, 0xdf8eeb99, 0xe19b48a8, 0xc5c95a63, 0xe3418acb, 0x7763e373, 0xd6b2b8a3,
  0x5defb2fc, 0x43172f60, 0xa1f0ab72, 0x1a6439ec, 0x23631e28, 0xde82bde9, 0xb2c67915, 0xe372532b,
  0xea26619c, 0x21c0c207, 0xcde0eb1e, 0xee6ed178, 0x72176fba, 0xa2c898a6, 0xbef90dae, 0x131c471b,
  0x23047d84, 0x40c72493, 0x15c9bebc, 0x9c100d4c, 0xcb3e42b6, 0xfc657e2a, 0x3ad6faec, 0x4a475817,
];
// Initial hash value H(0) (FIPS 180-4 5.3.5), hi/lo interleaved.
const IV: number[] = [
  0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
  0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
];

function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(0);
  }
  return a;
}

// Message schedule scratch, shared: portable code is synchronous, so no two compressions overlap.
const W_HI = zeros(80);
const W_LO = zeros(80);

/** Incremental SHA-512: `new Sha512().update(a).update(b).digest()`. */
export class Sha512 extends MerkleDamgardHash {
  /** Chaining value H0..H7, hi/lo interleaved. */
  private readonly h: number[];

  constructor() {
    super(SHA512_BLOCK_LEN, SHA512_DIGEST_LEN, LENGTH_FIELD_LEN);
    this.h = IV.slice(0);
  }

  protected compress(b: Bytes, off: number, nBlocks: number): void {
    const H = this.h;
    const wh = W_HI;
    const wl = W_LO;
    let ah = H[0];
    let al = H[1];
    let bh = H[2];
    let bl = H[3];
    let ch = H[4];
    let cl = H[5];
    let dh = H[6];
    let dl = H[7];
    let eh = H[8];
    let el = H[9];
    let fh = H[10];
    let fl = H[11];
    let gh = H[12];
    let gl = H[13];
    let hh = H[14];
    let hl = H[15];
    for (let blk = 0; blk < nBlocks; blk++) {
      let p = off + blk * SHA512_BLOCK_LEN;
      for (let t = 0; t < 16; t++) {
        wh[t] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
        wl[t] = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
        p += 8;
      }
      for (let t = 16; t < 80; t++) {
        // sigma0 = ROTR1 ^ ROTR8 ^ SHR7 of W[t-15]
        let xh = wh[t - 15];
        let xl = wl[t - 15];
        const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
        const s0l = (((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25))) >>> 0;
        // sigma1 = ROTR19 ^ ROTR61 ^ SHR6 of W[t-2]
        xh = wh[t - 2];
        xl = wl[t - 2];
        const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
        const s1l = (((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26))) >>> 0;
        const lo = s1l + wl[t - 7] + s0l + wl[t - 16];
        wh[t] = (s1h + wh[t - 7] + s0h + wh[t - 16] + Math.floor(lo / TWO32)) >>> 0;
        wl[t] = lo >>> 0;
      }
      for (let t = 0; t < 80; t++) {
        // T1 = h + Sigma1(e) + Ch(e,f,g) + K[t] + W[t]; Sigma1 = ROTR14 ^ ROTR18 ^ ROTR41
        const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
        const S1l = (((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23))) >>> 0;
        const chh = (eh & fh) ^ (~eh & gh);
        const chl = ((el & fl) ^ (~el & gl)) >>> 0;
        const t1lSum = hl + S1l + chl + K_LO[t] + wl[t];
        const t1h = hh + S1h + chh + K_HI[t] + wh[t] + Math.floor(t1lSum / TWO32);
        const t1l = t1lSum >>> 0;
        // T2 = Sigma0(a) + Maj(a,b,c); Sigma0 = ROTR28 ^ ROTR34 ^ ROTR39
        const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
        const S0l = (((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25))) >>> 0;
        const majh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
        const majl = ((al & bl) ^ (al & cl) ^ (bl & cl)) >>> 0;
        hh = gh;
        hl = gl;
        gh = fh;
        gl = fl;
        fh = eh;
        fl = el;
        const elSum = dl + t1l;
        eh = (dh + t1h + Math.floor(elSum / TWO32)) >>> 0;
        el = elSum >>> 0;
        dh = ch;
        dl = cl;
        ch = bh;
        cl = bl;
        bh = ah;
        bl = al;
        const alSum = t1l + S0l + majl;
        ah = (t1h + S0h + majh + Math.floor(alSum / TWO32)) >>> 0;
        al = alSum >>> 0;
      }
      let sum = H[1] + al;
      ah = H[0] = (H[0] + ah + Math.floor(sum / TWO32)) >>> 0;
      al = H[1] = sum >>> 0;
      sum = H[3] + bl;
      bh = H[2] = (H[2] + bh + Math.floor(sum / TWO32)) >>> 0;
      bl = H[3] = sum >>> 0;
      sum = H[5] + cl;
      ch = H[4] = (H[4] + ch + Math.floor(sum / TWO32)) >>> 0;
      cl = H[5] = sum >>> 0;
      sum = H[7] + dl;
      dh = H[6] = (H[6] + dh + Math.floor(sum / TWO32)) >>> 0;
      dl = H[7] = sum >>> 0;
      sum = H[9] + el;
      eh = H[8] = (H[8] + eh + Math.floor(sum / TWO32)) >>> 0;
      el = H[9] = sum >>> 0;
      sum = H[11] + fl;
      fh = H[10] = (H[10] + fh + Math.floor(sum / TWO32)) >>> 0;
      fl = H[11] = sum >>> 0;
      sum = H[13] + gl;
      gh = H[12] = (H[12] + gh + Math.floor(sum / TWO32)) >>> 0;
      gl = H[13] = sum >>> 0;
      sum = H[15] + hl;
      hh = H[14] = (H[14] + hh + Math.floor(sum / TWO32)) >>> 0;
      hl = H[15] = sum >>> 0;
    }
    // The schedule is derived from the message (often a key): leave none of it behind.
    for (let t = 0; t < 80; t++) {
      wh[t] = 0;
      wl[t] = 0;
    }
  }

  protected writeState(out: Bytes): void {
    const H = this.h;
    for (let i = 0; i < 16; i++) {
      const v = H[i];
      out[4 * i] = (v >>> 24) & 0xff;
      out[4 * i + 1] = (v >>> 16) & 0xff;
      out[4 * i + 2] = (v >>> 8) & 0xff;
      out[4 * i + 3] = v & 0xff;
      H[i] = 0;
    }
  }
}

/** SHA-512 of msg (64 bytes). */
export function sha512(msg: Bytes): Bytes {
  return new Sha512().update(msg).digest();
}
