/**
 * AES-256 encryption (FIPS 197), bitsliced and constant-time: no lookup tables at all.
 * Two blocks are encrypted together as eight u32 "bit planes": plane b holds bit b of
 * all 32 state bytes, byte (row r, column c) of block k at bit 8r + 2c + k. In that layout
 * - SubBytes is the Boyar-Peralta circuit ("A small depth-16 circuit for the AES S-box",
 *   2012: 34 AND and 94 XOR/XNOR gates for the GF(2^8) inversion and the affine map),
 *   evaluated on the eight planes at once: 32 S-boxes per evaluation;
 * - ShiftRows rotates the 8-bit lane of each row inside every plane (masks and shifts);
 * - MixColumns is word rotations by 8 and 16 bits (row r+1, r+2 onto row r) plus the
 *   multiplication by x across planes;
 * - the key schedule's SubWord runs the same circuit.
 * No memory address and no branch depends on the key or the data, so the time is the
 * same for every input. The price is speed: about 300 word operations per round for
 * 32 bytes (docs/crypto.md has the numbers). Byte order and planes are converted by an
 * 8x8 bit-matrix transpose per byte lane (three masked swap stages, its own inverse).
 */
import { Bytes } from "../../port/bytes";
import { load32le, store32le } from "../../port/u32";

export const AES256_KEY_BYTES = 32;
const ROUNDS = 14;
/** Words of one bitsliced round key (eight planes). */
const RK_WORDS = 8;
const NO_ROUND_KEYS: number[] = [];

/**
 * Transposes each 8x8 bit matrix formed by byte lane r of q[0..8): bit b of lane r of
 * q[j] is exchanged with bit j of lane r of q[b]. Maps column words to bit planes and back.
 */
function ortho(q: number[]): void {
  let q0 = q[0];
  let q1 = q[1];
  let q2 = q[2];
  let q3 = q[3];
  let q4 = q[4];
  let q5 = q[5];
  let q6 = q[6];
  let q7 = q[7];
  let t: number;
  t = ((q0 >>> 1) ^ q1) & 0x55555555; q1 = (q1 ^ t) >>> 0; q0 = (q0 ^ (t << 1)) >>> 0;
  t = ((q2 >>> 1) ^ q3) & 0x55555555; q3 = (q3 ^ t) >>> 0; q2 = (q2 ^ (t << 1)) >>> 0;
  t = ((q4 >>> 1) ^ q5) & 0x55555555; q5 = (q5 ^ t) >>> 0; q4 = (q4 ^ (t << 1)) >>> 0;
  t = ((q6 >>> 1) ^ q7) & 0x55555555; q7 = (q7 ^ t) >>> 0; q6 = (q6 ^ (t << 1)) >>> 0;
  t = ((q0 >>> 2) ^ q2) & 0x33333333; q2 = (q2 ^ t) >>> 0; q0 = (q0 ^ (t << 2)) >>> 0;
  t = ((q1 >>> 2) ^ q3) & 0x33333333; q3 = (q3 ^ t) >>> 0; q1 = (q1 ^ (t << 2)) >>> 0;
  t = ((q4 >>> 2) ^ q6) & 0x33333333; q6 = (q6 ^ t) >>> 0; q4 = (q4 ^ (t << 2)) >>> 0;
  t = ((q5 >>> 2) ^ q7) & 0x33333333; q7 = (q7 ^ t) >>> 0; q5 = (q5 ^ (t << 2)) >>> 0;
  t = ((q0 >>> 4) ^ q4) & 0x0f0f0f0f; q4 = (q4 ^ t) >>> 0; q0 = (q0 ^ (t << 4)) >>> 0;
  t = ((q1 >>> 4) ^ q5) & 0x0f0f0f0f; q5 = (q5 ^ t) >>> 0; q1 = (q1 ^ (t << 4)) >>> 0;
  t = ((q2 >>> 4) ^ q6) & 0x0f0f0f0f; q6 = (q6 ^ t) >>> 0; q2 = (q2 ^ (t << 4)) >>> 0;
  t = ((q3 >>> 4) ^ q7) & 0x0f0f0f0f; q7 = (q7 ^ t) >>> 0; q3 = (q3 ^ (t << 4)) >>> 0;
  q[0] = q0; q[1] = q1; q[2] = q2; q[3] = q3;
  q[4] = q4; q[5] = q5; q[6] = q6; q[7] = q7;
}

/** ShiftRows on one plane: row r (byte lane r) rotates left by r columns (2 bits per column). */
function shiftRowsPlane(x: number): number {
  return ((x & 0x000000ff)
    | ((x & 0x0000fc00) >>> 2) | ((x & 0x00000300) << 6)
    | ((x & 0x00f00000) >>> 4) | ((x & 0x000f0000) << 4)
    | ((x & 0xc0000000) >>> 6) | ((x & 0x3f000000) << 2)) >>> 0;
}

/**
 * The AES rounds on the eight planes in q (in place), with the planes in locals: the
 * initial AddRoundKey, then 14 rounds of SubBytes, ShiftRows, MixColumns (not in the
 * last round) and AddRoundKey. With sboxOnly, just one SubBytes (the key schedule's
 * SubWord), so the S-box circuit exists once. The flag and the round counter are public.
 *
 * SubBytes is the Boyar-Peralta circuit with U0 (the input's most significant bit) =
 * plane 7 ... U7 = plane 0, and S0 (output MSB) = plane 7; XNOR is XOR with all ones.
 */
function rounds(q: number[], rk: number[], sboxOnly: boolean): void {
  let q0 = q[0];
  let q1 = q[1];
  let q2 = q[2];
  let q3 = q[3];
  let q4 = q[4];
  let q5 = q[5];
  let q6 = q[6];
  let q7 = q[7];
  if (!sboxOnly) {
    q0 = (q0 ^ rk[0]) >>> 0;
    q1 = (q1 ^ rk[1]) >>> 0;
    q2 = (q2 ^ rk[2]) >>> 0;
    q3 = (q3 ^ rk[3]) >>> 0;
    q4 = (q4 ^ rk[4]) >>> 0;
    q5 = (q5 ^ rk[5]) >>> 0;
    q6 = (q6 ^ rk[6]) >>> 0;
    q7 = (q7 ^ rk[7]) >>> 0;
  }
  const last = sboxOnly ? 1 : ROUNDS;
  for (let r = 1; r <= last; r++) {
    // SubBytes: the Boyar-Peralta circuit, U0 = q7 (MSB) ... U7 = q0.
    const u0 = q7;
    const u1 = q6;
    const u2 = q5;
    const u3 = q4;
    const u4 = q3;
    const u5 = q2;
    const u6 = q1;
    const u7 = q0;
    const t1 = (u0 ^ u3) >>> 0;
    const t2 = (u0 ^ u5) >>> 0;
    const t3 = (u0 ^ u6) >>> 0;
    const t4 = (u3 ^ u5) >>> 0;
    const t5 = (u4 ^ u6) >>> 0;
    const t6 = (t1 ^ t5) >>> 0;
    const t7 = (u1 ^ u2) >>> 0;
    const t8 = (u7 ^ t6) >>> 0;
    const t9 = (u7 ^ t7) >>> 0;
    const t10 = (t6 ^ t7) >>> 0;
    const t11 = (u1 ^ u5) >>> 0;
    const t12 = (u2 ^ u5) >>> 0;
    const t13 = (t3 ^ t4) >>> 0;
    const t14 = (t6 ^ t11) >>> 0;
    const t15 = (t5 ^ t11) >>> 0;
    const t16 = (t5 ^ t12) >>> 0;
    const t17 = (t9 ^ t16) >>> 0;
    const t18 = (u3 ^ u7) >>> 0;
    const t19 = (t7 ^ t18) >>> 0;
    const t20 = (t1 ^ t19) >>> 0;
    const t21 = (u6 ^ u7) >>> 0;
    const t22 = (t7 ^ t21) >>> 0;
    const t23 = (t2 ^ t22) >>> 0;
    const t24 = (t2 ^ t10) >>> 0;
    const t25 = (t20 ^ t17) >>> 0;
    const t26 = (t3 ^ t16) >>> 0;
    const t27 = (t1 ^ t12) >>> 0;
    const m1 = (t13 & t6) >>> 0;
    const m2 = (t23 & t8) >>> 0;
    const m3 = (t14 ^ m1) >>> 0;
    const m4 = (t19 & u7) >>> 0;
    const m5 = (m4 ^ m1) >>> 0;
    const m6 = (t3 & t16) >>> 0;
    const m7 = (t22 & t9) >>> 0;
    const m8 = (t26 ^ m6) >>> 0;
    const m9 = (t20 & t17) >>> 0;
    const m10 = (m9 ^ m6) >>> 0;
    const m11 = (t1 & t15) >>> 0;
    const m12 = (t4 & t27) >>> 0;
    const m13 = (m12 ^ m11) >>> 0;
    const m14 = (t2 & t10) >>> 0;
    const m15 = (m14 ^ m11) >>> 0;
    const m16 = (m3 ^ m2) >>> 0;
    const m17 = (m5 ^ t24) >>> 0;
    const m18 = (m8 ^ m7) >>> 0;
    const m19 = (m10 ^ m15) >>> 0;
    const m20 = (m16 ^ m13) >>> 0;
    const m21 = (m17 ^ m15) >>> 0;
    const m22 = (m18 ^ m13) >>> 0;
    const m23 = (m19 ^ t25) >>> 0;
    const m24 = (m22 ^ m23) >>> 0;
    const m25 = (m22 & m20) >>> 0;
    const m26 = (m21 ^ m25) >>> 0;
    const m27 = (m20 ^ m21) >>> 0;
    const m28 = (m23 ^ m25) >>> 0;
    const m29 = (m28 & m27) >>> 0;
    const m30 = (m26 & m24) >>> 0;
    const m31 = (m20 & m23) >>> 0;
    const m32 = (m27 & m31) >>> 0;
    const m33 = (m27 ^ m25) >>> 0;
    const m34 = (m21 & m22) >>> 0;
    const m35 = (m24 & m34) >>> 0;
    const m36 = (m24 ^ m25) >>> 0;
    const m37 = (m21 ^ m29) >>> 0;
    const m38 = (m32 ^ m33) >>> 0;
    const m39 = (m23 ^ m30) >>> 0;
    const m40 = (m35 ^ m36) >>> 0;
    const m41 = (m38 ^ m40) >>> 0;
    const m42 = (m37 ^ m39) >>> 0;
    const m43 = (m37 ^ m38) >>> 0;
    const m44 = (m39 ^ m40) >>> 0;
    const m45 = (m42 ^ m41) >>> 0;
    const m46 = (m44 & t6) >>> 0;
    const m47 = (m40 & t8) >>> 0;
    const m48 = (m39 & u7) >>> 0;
    const m49 = (m43 & t16) >>> 0;
    const m50 = (m38 & t9) >>> 0;
    const m51 = (m37 & t17) >>> 0;
    const m52 = (m42 & t15) >>> 0;
    const m53 = (m45 & t27) >>> 0;
    const m54 = (m41 & t10) >>> 0;
    const m55 = (m44 & t13) >>> 0;
    const m56 = (m40 & t23) >>> 0;
    const m57 = (m39 & t19) >>> 0;
    const m58 = (m43 & t3) >>> 0;
    const m59 = (m38 & t22) >>> 0;
    const m60 = (m37 & t20) >>> 0;
    const m61 = (m42 & t1) >>> 0;
    const m62 = (m45 & t4) >>> 0;
    const m63 = (m41 & t2) >>> 0;
    const l0 = (m61 ^ m62) >>> 0;
    const l1 = (m50 ^ m56) >>> 0;
    const l2 = (m46 ^ m48) >>> 0;
    const l3 = (m47 ^ m55) >>> 0;
    const l4 = (m54 ^ m58) >>> 0;
    const l5 = (m49 ^ m61) >>> 0;
    const l6 = (m62 ^ l5) >>> 0;
    const l7 = (m46 ^ l3) >>> 0;
    const l8 = (m51 ^ m59) >>> 0;
    const l9 = (m52 ^ m53) >>> 0;
    const l10 = (m53 ^ l4) >>> 0;
    const l11 = (m60 ^ l2) >>> 0;
    const l12 = (m48 ^ m51) >>> 0;
    const l13 = (m50 ^ l0) >>> 0;
    const l14 = (m52 ^ m61) >>> 0;
    const l15 = (m55 ^ l1) >>> 0;
    const l16 = (m56 ^ l0) >>> 0;
    const l17 = (m57 ^ l1) >>> 0;
    const l18 = (m58 ^ l8) >>> 0;
    const l19 = (m63 ^ l4) >>> 0;
    const l20 = (l0 ^ l1) >>> 0;
    const l21 = (l1 ^ l7) >>> 0;
    const l22 = (l3 ^ l12) >>> 0;
    const l23 = (l18 ^ l2) >>> 0;
    const l24 = (l15 ^ l9) >>> 0;
    const l25 = (l6 ^ l10) >>> 0;
    const l26 = (l7 ^ l9) >>> 0;
    const l27 = (l8 ^ l10) >>> 0;
    const l28 = (l11 ^ l14) >>> 0;
    const l29 = (l11 ^ l17) >>> 0;
    q7 = (l6 ^ l24) >>> 0;
    q6 = (l16 ^ l26 ^ 0xffffffff) >>> 0;
    q5 = (l19 ^ l28 ^ 0xffffffff) >>> 0;
    q4 = (l6 ^ l21) >>> 0;
    q3 = (l20 ^ l22) >>> 0;
    q2 = (l25 ^ l29) >>> 0;
    q1 = (l13 ^ l27 ^ 0xffffffff) >>> 0;
    q0 = (l6 ^ l23 ^ 0xffffffff) >>> 0;
    if (!sboxOnly) {
      // ShiftRows: row r (byte lane r) rotates left by r columns, 2 bits per column.
      q0 = shiftRowsPlane(q0);
      q1 = shiftRowsPlane(q1);
      q2 = shiftRowsPlane(q2);
      q3 = shiftRowsPlane(q3);
      q4 = shiftRowsPlane(q4);
      q5 = shiftRowsPlane(q5);
      q6 = shiftRowsPlane(q6);
      q7 = shiftRowsPlane(q7);
      if (r < ROUNDS) {
        // MixColumns: 2*t ^ a_(r+1) ^ rotr16(t) with t = a_r ^ a_(r+1) (see the header).
        const r0 = ((q0 >>> 8) | (q0 << 24)) >>> 0;
        const r1 = ((q1 >>> 8) | (q1 << 24)) >>> 0;
        const r2 = ((q2 >>> 8) | (q2 << 24)) >>> 0;
        const r3 = ((q3 >>> 8) | (q3 << 24)) >>> 0;
        const r4 = ((q4 >>> 8) | (q4 << 24)) >>> 0;
        const r5 = ((q5 >>> 8) | (q5 << 24)) >>> 0;
        const r6 = ((q6 >>> 8) | (q6 << 24)) >>> 0;
        const r7 = ((q7 >>> 8) | (q7 << 24)) >>> 0;
        const x0 = (q0 ^ r0) >>> 0;
        const x1 = (q1 ^ r1) >>> 0;
        const x2 = (q2 ^ r2) >>> 0;
        const x3 = (q3 ^ r3) >>> 0;
        const x4 = (q4 ^ r4) >>> 0;
        const x5 = (q5 ^ r5) >>> 0;
        const x6 = (q6 ^ r6) >>> 0;
        const x7 = (q7 ^ r7) >>> 0;
        q0 = (x7 ^ r0 ^ ((x0 >>> 16) | (x0 << 16))) >>> 0;
        q1 = (x0 ^ x7 ^ r1 ^ ((x1 >>> 16) | (x1 << 16))) >>> 0;
        q2 = (x1 ^ r2 ^ ((x2 >>> 16) | (x2 << 16))) >>> 0;
        q3 = (x2 ^ x7 ^ r3 ^ ((x3 >>> 16) | (x3 << 16))) >>> 0;
        q4 = (x3 ^ x7 ^ r4 ^ ((x4 >>> 16) | (x4 << 16))) >>> 0;
        q5 = (x4 ^ r5 ^ ((x5 >>> 16) | (x5 << 16))) >>> 0;
        q6 = (x5 ^ r6 ^ ((x6 >>> 16) | (x6 << 16))) >>> 0;
        q7 = (x6 ^ r7 ^ ((x7 >>> 16) | (x7 << 16))) >>> 0;
      }
      const o = RK_WORDS * r;
      q0 = (q0 ^ rk[o + 0]) >>> 0;
      q1 = (q1 ^ rk[o + 1]) >>> 0;
      q2 = (q2 ^ rk[o + 2]) >>> 0;
      q3 = (q3 ^ rk[o + 3]) >>> 0;
      q4 = (q4 ^ rk[o + 4]) >>> 0;
      q5 = (q5 ^ rk[o + 5]) >>> 0;
      q6 = (q6 ^ rk[o + 6]) >>> 0;
      q7 = (q7 ^ rk[o + 7]) >>> 0;
    }
  }
  q[0] = q0; q[1] = q1; q[2] = q2; q[3] = q3;
  q[4] = q4; q[5] = q5; q[6] = q6; q[7] = q7;
}

/** SubWord of the key schedule: the four bytes of w (little-endian) through the S-box circuit. */
function subWord(w: number): number {
  const q: number[] = [w, 0, 0, 0, 0, 0, 0, 0];
  ortho(q);
  rounds(q, NO_ROUND_KEYS, true);
  ortho(q);
  return q[0];
}

/**
 * The AES-256 key schedule (FIPS 197 §5.2) in bitsliced form: 15 round keys of eight
 * planes each, every round key present in both block slots.
 */
export function aes256ExpandKey(key: Bytes): number[] {
  if (key.length !== AES256_KEY_BYTES) {
    throw new Error("aes256: key must be " + AES256_KEY_BYTES + " bytes, got " + key.length);
  }
  // Words are little-endian, so RotWord is a right rotation by 8 and Rcon goes in the low byte.
  const w: number[] = [];
  for (let i = 0; i < 8; i++) {
    w.push(load32le(key, 4 * i));
  }
  let rcon = 1;
  for (let i = 8; i < 4 * (ROUNDS + 1); i++) {
    let t = w[i - 1];
    if (i % 8 === 0) {
      t = (subWord(((t >>> 8) | (t << 24)) >>> 0) ^ rcon) >>> 0;
      rcon = rcon << 1;
    } else if (i % 8 === 4) {
      t = subWord(t);
    }
    w.push((w[i - 8] ^ t) >>> 0);
  }
  const rk: number[] = [];
  const q: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let r = 0; r <= ROUNDS; r++) {
    for (let c = 0; c < 4; c++) {
      q[2 * c] = w[4 * r + c];
      q[2 * c + 1] = w[4 * r + c];
    }
    ortho(q);
    for (let i = 0; i < RK_WORDS; i++) {
      rk.push(q[i]);
    }
  }
  for (let i = 0; i < w.length; i++) {
    w[i] = 0;
  }
  return rk;
}

/**
 * Encrypts two blocks in place. io[0..4) is block A and io[4..8) block B, each as
 * four little-endian column words (bytes 0-3, 4-7, ...). `q` is scratch (8 entries).
 */
export function aes256EncryptPair(rk: number[], io: number[], q: number[]): void {
  for (let c = 0; c < 4; c++) {
    q[2 * c] = io[c];
    q[2 * c + 1] = io[4 + c];
  }
  ortho(q);
  rounds(q, rk, false);
  ortho(q);
  for (let c = 0; c < 4; c++) {
    io[c] = q[2 * c];
    io[4 + c] = q[2 * c + 1];
  }
}

/** One block (16 bytes at input[inOff..]) encrypted into output[outOff..]; for tests and single blocks. */
export function aes256EncryptBlock(rk: number[], input: Bytes, inOff: number, output: Bytes, outOff: number): void {
  const io: number[] = [];
  for (let c = 0; c < 4; c++) {
    io.push(load32le(input, inOff + 4 * c));
  }
  for (let c = 0; c < 4; c++) {
    io.push(0);
  }
  aes256EncryptPair(rk, io, [0, 0, 0, 0, 0, 0, 0, 0]);
  for (let c = 0; c < 4; c++) {
    store32le(output, outOff + 4 * c, io[c]);
  }
}
