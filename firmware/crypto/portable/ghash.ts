/**
 * GHASH (SP 800-38D §6.4), constant-time: Y = (Y ^ X_i) * H in GF(2^128) with no tables
 * indexed by secret data and no secret-dependent branches.
 *
 * Blocks are read as 128-bit big-endian integers; in GCM's bit order that is the
 * polynomial with its coefficients reversed, and the carry-less product of two such
 * integers, shifted left by one, is the reversed 256-bit product (see reduce()).
 *
 * The carry-less 128x128 product uses Karatsuba three levels down to 27 products of
 * 16-bit operands. Each 16x16 carry-less product is done with ordinary integer
 * multiplications on "holey" operands: bits are split by position mod 3, so in each
 * partial product a sum of at most six bit-products lands in a 3-bit field and its
 * carries never reach the next bit of the same class; masking keeps the parity
 * (9 multiplications per 16x16 product, every product below 2^32, exact on JS doubles
 * and Lua integers). The H-side operands and their splits are precomputed per key
 * (81 small numbers); they are read at fixed indexes only.
 */
import { Bytes, alloc } from "../../port/bytes";
import { load32be, store32be } from "../../port/u32";

export const GHASH_BLOCK_BYTES = 16;
const BLOCK = 16;
// Bits at positions 0, 1, 2 mod 3 of a 16-bit and a 32-bit value.
const A0 = 0x9249;
const A1 = 0x2492;
const A2 = 0x4924;
const P0 = 0x49249249;
const P1 = 0x92492492;
const P2 = 0x24924924;

/**
 * Carry-less a * b for a 16-bit a and the precomputed 16-bit operand at hp[k..k+3)
 * (its bits at positions 0, 1, 2 mod 3): a 31-bit result.
 */
function clmul16(a: number, hp: number[], k: number): number {
  const b0 = hp[k];
  const b1 = hp[k + 1];
  const b2 = hp[k + 2];
  const a0 = a & A0;
  const a1 = a & A1;
  const a2 = a & A2;
  const z0 = ((a0 * b0) ^ (a1 * b2) ^ (a2 * b1)) & P0;
  const z1 = ((a0 * b1) ^ (a1 * b0) ^ (a2 * b2)) & P1;
  const z2 = ((a0 * b2) ^ (a1 * b1) ^ (a2 * b0)) & P2;
  return (z0 | z1 | z2) >>> 0;
}

/**
 * Carry-less a * b for a 64-bit a = (aHi, aLo) and the precomputed 64-bit operand at
 * hp[k..k+27): Karatsuba on 32-bit halves, each of those Karatsuba on 16-bit halves.
 * The 128-bit result goes to out[o..o+4), least significant word first.
 */
function clmul64(aHi: number, aLo: number, hp: number[], k: number, out: number[], o: number): void {
  const aMid = (aLo ^ aHi) >>> 0;
  // Low halves: aLo * b.lo (hp[k..k+9)).
  const l0 = clmul16(aLo & 0xffff, hp, k);
  const l2 = clmul16(aLo >>> 16, hp, k + 3);
  const l1 = (clmul16((aLo & 0xffff) ^ (aLo >>> 16), hp, k + 6) ^ l0 ^ l2) >>> 0;
  const lLo = (l0 ^ (l1 << 16)) >>> 0;
  const lHi = (l2 ^ (l1 >>> 16)) >>> 0;
  // High halves: aHi * b.hi (hp[k+9..k+18)).
  const h0 = clmul16(aHi & 0xffff, hp, k + 9);
  const h2 = clmul16(aHi >>> 16, hp, k + 12);
  const h1 = (clmul16((aHi & 0xffff) ^ (aHi >>> 16), hp, k + 15) ^ h0 ^ h2) >>> 0;
  const hLo = (h0 ^ (h1 << 16)) >>> 0;
  const hHi = (h2 ^ (h1 >>> 16)) >>> 0;
  // Sums: (aLo ^ aHi) * (b.lo ^ b.hi) (hp[k+18..k+27)).
  const m0 = clmul16(aMid & 0xffff, hp, k + 18);
  const m2 = clmul16(aMid >>> 16, hp, k + 21);
  const m1 = (clmul16((aMid & 0xffff) ^ (aMid >>> 16), hp, k + 24) ^ m0 ^ m2) >>> 0;
  const mLo = ((m0 ^ (m1 << 16)) ^ lLo ^ hLo) >>> 0;
  const mHi = ((m2 ^ (m1 >>> 16)) ^ lHi ^ hHi) >>> 0;
  out[o] = lLo;
  out[o + 1] = (lHi ^ mLo) >>> 0;
  out[o + 2] = (hLo ^ mHi) >>> 0;
  out[o + 3] = hHi;
}

/** Appends the three mod-3 bit classes of the 16-bit operand b. */
function pushSplit(hp: number[], b: number): void {
  hp.push(b & A0);
  hp.push(b & A1);
  hp.push(b & A2);
}

/** The 27 leaf operands (lo, hi, lo^hi at each level) of a 64-bit Karatsuba operand. */
function pushOperand64(hp: number[], hi: number, lo: number): void {
  const halves: number[] = [lo, hi, (lo ^ hi) >>> 0];
  for (let j = 0; j < 3; j++) {
    const w = halves[j];
    pushSplit(hp, w & 0xffff);
    pushSplit(hp, w >>> 16);
    pushSplit(hp, (w & 0xffff) ^ (w >>> 16));
  }
}

export class Ghash {
  private hp: number[];
  private y: number[];
  private z: number[];

  /** h: the 16-byte hash subkey E_K(0^128). */
  constructor(h: Bytes) {
    if (h.length !== BLOCK) {
      throw new Error("ghash: key must be " + BLOCK + " bytes, got " + h.length);
    }
    const h0 = load32be(h, 0);
    const h1 = load32be(h, 4);
    const h2 = load32be(h, 8);
    const h3 = load32be(h, 12);
    this.hp = [];
    // Karatsuba at 128 bits: low half (h2:h3), high half (h0:h1), their sum.
    pushOperand64(this.hp, h2, h3);
    pushOperand64(this.hp, h0, h1);
    pushOperand64(this.hp, (h0 ^ h2) >>> 0, (h1 ^ h3) >>> 0);
    this.y = [0, 0, 0, 0];
    this.z = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  }

  /** y = (y ^ (x0:x1:x2:x3)) * H, words big-endian, x0 most significant. */
  private mulBlock(x0: number, x1: number, x2: number, x3: number): void {
    const y = this.y;
    const v0 = (y[0] ^ x0) >>> 0;
    const v1 = (y[1] ^ x1) >>> 0;
    const v2 = (y[2] ^ x2) >>> 0;
    const v3 = (y[3] ^ x3) >>> 0;
    const hp = this.hp;
    const q = this.z;
    clmul64(v2, v3, hp, 0, q, 0);
    clmul64(v0, v1, hp, 27, q, 4);
    clmul64((v0 ^ v2) >>> 0, (v1 ^ v3) >>> 0, hp, 54, q, 8);
    // Karatsuba middle term m = q[8..12) ^ low ^ high, added at word offset 2.
    const m0 = (q[8] ^ q[0] ^ q[4]) >>> 0;
    const m1 = (q[9] ^ q[1] ^ q[5]) >>> 0;
    const m2 = (q[10] ^ q[2] ^ q[6]) >>> 0;
    const m3 = (q[11] ^ q[3] ^ q[7]) >>> 0;
    // The 256-bit product, least significant word first.
    const z0 = q[0];
    const z1 = q[1];
    const z2 = (q[2] ^ m0) >>> 0;
    const z3 = (q[3] ^ m1) >>> 0;
    const z4 = (q[4] ^ m2) >>> 0;
    const z5 = (q[5] ^ m3) >>> 0;
    const z6 = q[6];
    const z7 = q[7];
    this.reduce(z0, z1, z2, z3, z4, z5, z6, z7);
  }

  /**
   * Reduces the 255-bit reflected product z7..z0 modulo x^128 + x^7 + x^2 + x + 1 into y.
   * After a left shift by one, coefficient k of the product sits at bit 255 - k: the
   * top half is the low polynomial half as a block, the bottom half (G) the high one.
   * x^128 = 1 + x + x^2 + x^7 folds G onto the top half as G ^ G>>1 ^ G>>2 ^ G>>7; the
   * bits those shifts push out are the coefficients 128..134, which fold once more:
   * they are added into G's top word first (the << 31, 30, 25 terms).
   */
  private reduce(z0: number, z1: number, z2: number, z3: number, z4: number, z5: number, z6: number, z7: number): void {
    const w7 = ((z7 << 1) | (z6 >>> 31)) >>> 0;
    const w6 = ((z6 << 1) | (z5 >>> 31)) >>> 0;
    const w5 = ((z5 << 1) | (z4 >>> 31)) >>> 0;
    const w4 = ((z4 << 1) | (z3 >>> 31)) >>> 0;
    const g3 = ((z3 << 1) | (z2 >>> 31)) >>> 0;
    const g2 = ((z2 << 1) | (z1 >>> 31)) >>> 0;
    const g1 = ((z1 << 1) | (z0 >>> 31)) >>> 0;
    const g0 = (z0 << 1) >>> 0;
    const f3 = (g3 ^ (g0 << 31) ^ (g0 << 30) ^ (g0 << 25)) >>> 0;
    const y = this.y;
    y[0] = (w7 ^ f3 ^ (f3 >>> 1) ^ (f3 >>> 2) ^ (f3 >>> 7)) >>> 0;
    y[1] = (w6 ^ g2 ^ ((g2 >>> 1) | (f3 << 31)) ^ ((g2 >>> 2) | (f3 << 30)) ^ ((g2 >>> 7) | (f3 << 25))) >>> 0;
    y[2] = (w5 ^ g1 ^ ((g1 >>> 1) | (g2 << 31)) ^ ((g1 >>> 2) | (g2 << 30)) ^ ((g1 >>> 7) | (g2 << 25))) >>> 0;
    y[3] = (w4 ^ g0 ^ ((g0 >>> 1) | (g1 << 31)) ^ ((g0 >>> 2) | (g1 << 30)) ^ ((g0 >>> 7) | (g1 << 25))) >>> 0;
  }

  /** Absorbs data[off..off+len), zero-padded to a multiple of 16 bytes (GCM pads each input this way). */
  update(data: Bytes, off: number, len: number): void {
    const full = Math.floor(len / BLOCK);
    for (let i = 0; i < full; i++) {
      const p = off + BLOCK * i;
      this.mulBlock(load32be(data, p), load32be(data, p + 4), load32be(data, p + 8), load32be(data, p + 12));
    }
    const rest = len - BLOCK * full;
    if (rest > 0) {
      const last = alloc(BLOCK);
      const p = off + BLOCK * full;
      for (let i = 0; i < rest; i++) {
        last[i] = data[p + i];
      }
      this.mulBlock(load32be(last, 0), load32be(last, 4), load32be(last, 8), load32be(last, 12));
    }
  }

  /** Absorbs one block given as four big-endian words (e.g. the GCM length block). */
  updateWords(x0: number, x1: number, x2: number, x3: number): void {
    this.mulBlock(x0, x1, x2, x3);
  }

  /** Erases the key-derived operands and the state; the instance cannot be used afterwards. */
  wipe(): void {
    for (let i = 0; i < this.hp.length; i++) {
      this.hp[i] = 0;
    }
    for (let i = 0; i < 4; i++) {
      this.y[i] = 0;
    }
  }

  /** The current value Y as 16 bytes. */
  digest(): Bytes {
    const out = alloc(BLOCK);
    for (let i = 0; i < 4; i++) {
      store32be(out, 4 * i, this.y[i]);
    }
    return out;
  }
}
