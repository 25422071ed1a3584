/**
 * Poly1305 one-time authenticator (RFC 8439 §2.5), used by ChaCha20-Poly1305 and
 * NaCl secretbox.
 *
 * Arithmetic mod p = 2^130 - 5 on ten 13-bit limbs (limb i holds bits 13i..13i+12).
 * Products of a limb (< 2^14) and r or 5r (< 2^15.4) stay below 2^29.4, and each
 * result limb is accumulated as two sums of five products plus a carry, so every
 * intermediate stays below 2^32: exact on JS doubles and Lua integers, and `>>>`/`&`
 * act on the true value. There are no branches or indexes on secret data; the final
 * reduction selects h or h - p with a mask.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";

export const POLY1305_KEY_BYTES = 32;
export const POLY1305_TAG_BYTES = 16;
const BLOCK = 16;
const M13 = 0x1fff;
// 2^128 (the pad bit of a full block) expressed in limb 9 (bit 128 - 117).
const HIBIT_FULL = 1 << 11;

export class Poly1305 {
  private r: number[];
  private h: number[];
  private pad: number[];
  private buf: Bytes;
  private bufLen: number;
  private done: boolean;

  constructor(key: Bytes) {
    if (key.length !== POLY1305_KEY_BYTES) {
      throw new Error("poly1305: key must be " + POLY1305_KEY_BYTES + " bytes, got " + key.length);
    }
    // r = key[0..16) clamped (RFC 8439 §2.5.1), as 13-bit limbs.
    const t0 = key[0] | (key[1] << 8);
    const t1 = key[2] | ((key[3] & 0x0f) << 8);
    const t2 = (key[4] & 0xfc) | (key[5] << 8);
    const t3 = key[6] | ((key[7] & 0x0f) << 8);
    const t4 = (key[8] & 0xfc) | (key[9] << 8);
    const t5 = key[10] | ((key[11] & 0x0f) << 8);
    const t6 = (key[12] & 0xfc) | (key[13] << 8);
    const t7 = key[14] | ((key[15] & 0x0f) << 8);
    this.r = [
      t0 & M13,
      ((t0 >>> 13) | (t1 << 3)) & M13,
      ((t1 >>> 10) | (t2 << 6)) & M13,
      ((t2 >>> 7) | (t3 << 9)) & M13,
      ((t3 >>> 4) | (t4 << 12)) & M13,
      (t4 >>> 1) & M13,
      ((t4 >>> 14) | (t5 << 2)) & M13,
      ((t5 >>> 11) | (t6 << 5)) & M13,
      ((t6 >>> 8) | (t7 << 8)) & M13,
      t7 >>> 5,
    ];
    this.h = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    // s = key[16..32) as eight 16-bit words, added at the end.
    this.pad = [];
    for (let i = 0; i < 8; i++) {
      this.pad.push(key[16 + 2 * i] | (key[17 + 2 * i] << 8));
    }
    this.buf = alloc(BLOCK);
    this.bufLen = 0;
    this.done = false;
  }

  /** h = (h + block) * r mod p for each 16-byte block of m[off..off+16*n). */
  private blocks(m: Bytes, off: number, n: number, hibit: number): void {
    const r = this.r;
    const r0 = r[0];
    const r1 = r[1];
    const r2 = r[2];
    const r3 = r[3];
    const r4 = r[4];
    const r5 = r[5];
    const r6 = r[6];
    const r7 = r[7];
    const r8 = r[8];
    const r9 = r[9];
    // 2^130 = 5 mod p: limb products that wrap past limb 9 come back multiplied by 5.
    const s1 = 5 * r1;
    const s2 = 5 * r2;
    const s3 = 5 * r3;
    const s4 = 5 * r4;
    const s5 = 5 * r5;
    const s6 = 5 * r6;
    const s7 = 5 * r7;
    const s8 = 5 * r8;
    const s9 = 5 * r9;
    const h = this.h;
    let h0 = h[0];
    let h1 = h[1];
    let h2 = h[2];
    let h3 = h[3];
    let h4 = h[4];
    let h5 = h[5];
    let h6 = h[6];
    let h7 = h[7];
    let h8 = h[8];
    let h9 = h[9];
    for (let k = 0; k < n; k++) {
      const o = off + BLOCK * k;
      const t0 = m[o] | (m[o + 1] << 8);
      const t1 = m[o + 2] | (m[o + 3] << 8);
      const t2 = m[o + 4] | (m[o + 5] << 8);
      const t3 = m[o + 6] | (m[o + 7] << 8);
      const t4 = m[o + 8] | (m[o + 9] << 8);
      const t5 = m[o + 10] | (m[o + 11] << 8);
      const t6 = m[o + 12] | (m[o + 13] << 8);
      const t7 = m[o + 14] | (m[o + 15] << 8);
      h0 += t0 & M13;
      h1 += ((t0 >>> 13) | (t1 << 3)) & M13;
      h2 += ((t1 >>> 10) | (t2 << 6)) & M13;
      h3 += ((t2 >>> 7) | (t3 << 9)) & M13;
      h4 += ((t3 >>> 4) | (t4 << 12)) & M13;
      h5 += (t4 >>> 1) & M13;
      h6 += ((t4 >>> 14) | (t5 << 2)) & M13;
      h7 += ((t5 >>> 11) | (t6 << 5)) & M13;
      h8 += ((t6 >>> 8) | (t7 << 8)) & M13;
      h9 += (t7 >>> 5) | hibit;

      let c = 0;
      let d0 = c + h0 * r0 + h1 * s9 + h2 * s8 + h3 * s7 + h4 * s6;
      c = d0 >>> 13; d0 &= M13;
      d0 += h5 * s5 + h6 * s4 + h7 * s3 + h8 * s2 + h9 * s1;
      c += d0 >>> 13; d0 &= M13;
      let d1 = c + h0 * r1 + h1 * r0 + h2 * s9 + h3 * s8 + h4 * s7;
      c = d1 >>> 13; d1 &= M13;
      d1 += h5 * s6 + h6 * s5 + h7 * s4 + h8 * s3 + h9 * s2;
      c += d1 >>> 13; d1 &= M13;
      let d2 = c + h0 * r2 + h1 * r1 + h2 * r0 + h3 * s9 + h4 * s8;
      c = d2 >>> 13; d2 &= M13;
      d2 += h5 * s7 + h6 * s6 + h7 * s5 + h8 * s4 + h9 * s3;
      c += d2 >>> 13; d2 &= M13;
      let d3 = c + h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s9;
      c = d3 >>> 13; d3 &= M13;
      d3 += h5 * s8 + h6 * s7 + h7 * s6 + h8 * s5 + h9 * s4;
      c += d3 >>> 13; d3 &= M13;
      let d4 = c + h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
      c = d4 >>> 13; d4 &= M13;
      d4 += h5 * s9 + h6 * s8 + h7 * s7 + h8 * s6 + h9 * s5;
      c += d4 >>> 13; d4 &= M13;
      let d5 = c + h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1;
      c = d5 >>> 13; d5 &= M13;
      d5 += h5 * r0 + h6 * s9 + h7 * s8 + h8 * s7 + h9 * s6;
      c += d5 >>> 13; d5 &= M13;
      let d6 = c + h0 * r6 + h1 * r5 + h2 * r4 + h3 * r3 + h4 * r2;
      c = d6 >>> 13; d6 &= M13;
      d6 += h5 * r1 + h6 * r0 + h7 * s9 + h8 * s8 + h9 * s7;
      c += d6 >>> 13; d6 &= M13;
      let d7 = c + h0 * r7 + h1 * r6 + h2 * r5 + h3 * r4 + h4 * r3;
      c = d7 >>> 13; d7 &= M13;
      d7 += h5 * r2 + h6 * r1 + h7 * r0 + h8 * s9 + h9 * s8;
      c += d7 >>> 13; d7 &= M13;
      let d8 = c + h0 * r8 + h1 * r7 + h2 * r6 + h3 * r5 + h4 * r4;
      c = d8 >>> 13; d8 &= M13;
      d8 += h5 * r3 + h6 * r2 + h7 * r1 + h8 * r0 + h9 * s9;
      c += d8 >>> 13; d8 &= M13;
      let d9 = c + h0 * r9 + h1 * r8 + h2 * r7 + h3 * r6 + h4 * r5;
      c = d9 >>> 13; d9 &= M13;
      d9 += h5 * r4 + h6 * r3 + h7 * r2 + h8 * r1 + h9 * r0;
      c += d9 >>> 13; d9 &= M13;
      // The carry out of bit 130 re-enters at bit 0 times 5.
      d0 += 5 * c;
      c = d0 >>> 13; d0 &= M13;
      d1 += c;
      h0 = d0; h1 = d1; h2 = d2; h3 = d3; h4 = d4; h5 = d5; h6 = d6; h7 = d7; h8 = d8; h9 = d9;
    }
    h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3; h[4] = h4;
    h[5] = h5; h[6] = h6; h[7] = h7; h[8] = h8; h[9] = h9;
  }

  /** Absorbs data[off..off+len). */
  update(data: Bytes, off: number, len: number): void {
    if (this.done) {
      throw new Error("poly1305: update after finish");
    }
    let pos = off;
    let left = len;
    if (this.bufLen > 0) {
      const take = BLOCK - this.bufLen < left ? BLOCK - this.bufLen : left;
      for (let i = 0; i < take; i++) {
        this.buf[this.bufLen + i] = data[pos + i];
      }
      this.bufLen += take;
      pos += take;
      left -= take;
      if (this.bufLen < BLOCK) {
        return;
      }
      this.blocks(this.buf, 0, 1, HIBIT_FULL);
      this.bufLen = 0;
    }
    const full = Math.floor(left / BLOCK);
    if (full > 0) {
      this.blocks(data, pos, full, HIBIT_FULL);
      pos += full * BLOCK;
      left -= full * BLOCK;
    }
    for (let i = 0; i < left; i++) {
      this.buf[i] = data[pos + i];
    }
    this.bufLen = left;
  }

  /** Absorbs zeros up to the next multiple of 16 bytes (the AEAD padding of RFC 8439). */
  padToBlock(): void {
    if (this.bufLen > 0) {
      this.update(alloc(BLOCK - this.bufLen), 0, BLOCK - this.bufLen);
    }
  }

  /** The 16-byte tag; the instance cannot be used afterwards. */
  finish(): Bytes {
    if (this.done) {
      throw new Error("poly1305: finish called twice");
    }
    this.done = true;
    if (this.bufLen > 0) {
      // Last partial block: message bytes, then a 1 byte, then zeros; no 2^128 bit.
      this.buf[this.bufLen] = 1;
      for (let i = this.bufLen + 1; i < BLOCK; i++) {
        this.buf[i] = 0;
      }
      this.blocks(this.buf, 0, 1, 0);
    }
    const h = this.h;
    // Two full carry passes leave every limb below 2^13, so h < 2^130 < 2p.
    for (let pass = 0; pass < 2; pass++) {
      let c = 0;
      for (let i = 0; i < 10; i++) {
        h[i] += c;
        c = h[i] >>> 13;
        h[i] &= M13;
      }
      h[0] += 5 * c;
    }
    // g = h + 5 - 2^130; use g when h + 5 carries out of bit 130, i.e. h >= p.
    const g: number[] = [];
    let c = 5;
    for (let i = 0; i < 10; i++) {
      const v = h[i] + c;
      c = v >>> 13;
      g.push(v & M13);
    }
    const useG = (0 - c) & M13;
    const keepH = (~useG) & M13;
    for (let i = 0; i < 10; i++) {
      h[i] = (h[i] & keepH) | (g[i] & useG);
    }
    // h mod 2^128 as eight 16-bit words, plus s, little-endian.
    const w: number[] = [
      (h[0] | (h[1] << 13)) & 0xffff,
      ((h[1] >>> 3) | (h[2] << 10)) & 0xffff,
      ((h[2] >>> 6) | (h[3] << 7)) & 0xffff,
      ((h[3] >>> 9) | (h[4] << 4)) & 0xffff,
      ((h[4] >>> 12) | (h[5] << 1) | (h[6] << 14)) & 0xffff,
      ((h[6] >>> 2) | (h[7] << 11)) & 0xffff,
      ((h[7] >>> 5) | (h[8] << 8)) & 0xffff,
      ((h[8] >>> 8) | (h[9] << 5)) & 0xffff,
    ];
    const tag = alloc(POLY1305_TAG_BYTES);
    let f = 0;
    for (let i = 0; i < 8; i++) {
      f = w[i] + this.pad[i] + (f >>> 16);
      tag[2 * i] = f & 0xff;
      tag[2 * i + 1] = (f >>> 8) & 0xff;
    }
    for (let i = 0; i < 10; i++) {
      h[i] = 0;
      this.r[i] = 0;
    }
    for (let i = 0; i < 8; i++) {
      this.pad[i] = 0;
    }
    wipe(this.buf);
    return tag;
  }
}

/** The Poly1305 tag of msg under a 32-byte one-time key. */
export function poly1305(key: Bytes, msg: Bytes): Bytes {
  const p = new Poly1305(key);
  p.update(msg, 0, msg.length);
  return p.finish();
}
