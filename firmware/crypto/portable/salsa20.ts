/**
 * Salsa20/20, HSalsa20 and XSalsa20 ("Extending the Salsa20 nonce", Bernstein 2011;
 * "Cryptography in NaCl"). HSalsa20 turns a 32-byte key and a 16-byte input into a
 * 32-byte subkey (no feed-forward); XSalsa20 is Salsa20 under HSalsa20(key, nonce[0..16))
 * with nonce[16..24) and a 64-bit block counter. Add-rotate-xor only.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";
import { load32le, store32le, sub32 } from "../../port/u32";

export const SALSA20_KEY_BYTES = 32;
export const HSALSA20_INPUT_BYTES = 16;
export const XSALSA20_NONCE_BYTES = 24;
const BLOCK = 64;

// "expand 32-byte k" as four little-endian words (state words 0, 5, 10, 15).
const SIGMA0 = 0x61707865;
const SIGMA1 = 0x3320646e;
const SIGMA2 = 0x79622d32;
const SIGMA3 = 0x6b206574;
const HSALSA20_OUTPUT_WORDS: number[] = [0, 5, 10, 15, 6, 7, 8, 9];

/** Stores the low 32 bits of a sum of two u32 little-endian (local: hot path). */
function storeWord(b: Bytes, off: number, sum: number): void {
  const v = sum >>> 0;
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = v >>> 24;
}

/**
 * One Salsa20/20 block for the input words `s` (16 u32), written little-endian into
 * ks[0..64): the 20 rounds plus the feed-forward of `s`. The rounds are written out
 * so the state stays in locals.
 */
function salsaBlock(s: number[], ks: Bytes): void {
  let x0 = s[0];
  let x1 = s[1];
  let x2 = s[2];
  let x3 = s[3];
  let x4 = s[4];
  let x5 = s[5];
  let x6 = s[6];
  let x7 = s[7];
  let x8 = s[8];
  let x9 = s[9];
  let x10 = s[10];
  let x11 = s[11];
  let x12 = s[12];
  let x13 = s[13];
  let x14 = s[14];
  let x15 = s[15];
  for (let i = 0; i < 10; i++) {
    let u: number;
    // Column round.
    u = (x0 + x12) >>> 0; x4 = (x4 ^ ((u << 7) | (u >>> 25))) >>> 0;
    u = (x4 + x0) >>> 0; x8 = (x8 ^ ((u << 9) | (u >>> 23))) >>> 0;
    u = (x8 + x4) >>> 0; x12 = (x12 ^ ((u << 13) | (u >>> 19))) >>> 0;
    u = (x12 + x8) >>> 0; x0 = (x0 ^ ((u << 18) | (u >>> 14))) >>> 0;
    u = (x5 + x1) >>> 0; x9 = (x9 ^ ((u << 7) | (u >>> 25))) >>> 0;
    u = (x9 + x5) >>> 0; x13 = (x13 ^ ((u << 9) | (u >>> 23))) >>> 0;
    u = (x13 + x9) >>> 0; x1 = (x1 ^ ((u << 13) | (u >>> 19))) >>> 0;
    u = (x1 + x13) >>> 0; x5 = (x5 ^ ((u << 18) | (u >>> 14))) >>> 0;
    u = (x10 + x6) >>> 0; x14 = (x14 ^ ((u << 7) | (u >>> 25))) >>> 0;
    u = (x14 + x10) >>> 0; x2 = (x2 ^ ((u << 9) | (u >>> 23))) >>> 0;
    u = (x2 + x14) >>> 0; x6 = (x6 ^ ((u << 13) | (u >>> 19))) >>> 0;
    u = (x6 + x2) >>> 0; x10 = (x10 ^ ((u << 18) | (u >>> 14))) >>> 0;
    u = (x15 + x11) >>> 0; x3 = (x3 ^ ((u << 7) | (u >>> 25))) >>> 0;
    u = (x3 + x15) >>> 0; x7 = (x7 ^ ((u << 9) | (u >>> 23))) >>> 0;
    u = (x7 + x3) >>> 0; x11 = (x11 ^ ((u << 13) | (u >>> 19))) >>> 0;
    u = (x11 + x7) >>> 0; x15 = (x15 ^ ((u << 18) | (u >>> 14))) >>> 0;
    // Row round.
    u = (x0 + x3) >>> 0; x1 = (x1 ^ ((u << 7) | (u >>> 25))) >>> 0;
    u = (x1 + x0) >>> 0; x2 = (x2 ^ ((u << 9) | (u >>> 23))) >>> 0;
    u = (x2 + x1) >>> 0; x3 = (x3 ^ ((u << 13) | (u >>> 19))) >>> 0;
    u = (x3 + x2) >>> 0; x0 = (x0 ^ ((u << 18) | (u >>> 14))) >>> 0;
    u = (x5 + x4) >>> 0; x6 = (x6 ^ ((u << 7) | (u >>> 25))) >>> 0;
    u = (x6 + x5) >>> 0; x7 = (x7 ^ ((u << 9) | (u >>> 23))) >>> 0;
    u = (x7 + x6) >>> 0; x4 = (x4 ^ ((u << 13) | (u >>> 19))) >>> 0;
    u = (x4 + x7) >>> 0; x5 = (x5 ^ ((u << 18) | (u >>> 14))) >>> 0;
    u = (x10 + x9) >>> 0; x11 = (x11 ^ ((u << 7) | (u >>> 25))) >>> 0;
    u = (x11 + x10) >>> 0; x8 = (x8 ^ ((u << 9) | (u >>> 23))) >>> 0;
    u = (x8 + x11) >>> 0; x9 = (x9 ^ ((u << 13) | (u >>> 19))) >>> 0;
    u = (x9 + x8) >>> 0; x10 = (x10 ^ ((u << 18) | (u >>> 14))) >>> 0;
    u = (x15 + x14) >>> 0; x12 = (x12 ^ ((u << 7) | (u >>> 25))) >>> 0;
    u = (x12 + x15) >>> 0; x13 = (x13 ^ ((u << 9) | (u >>> 23))) >>> 0;
    u = (x13 + x12) >>> 0; x14 = (x14 ^ ((u << 13) | (u >>> 19))) >>> 0;
    u = (x14 + x13) >>> 0; x15 = (x15 ^ ((u << 18) | (u >>> 14))) >>> 0;
  }
  storeWord(ks, 0, x0 + s[0]);
  storeWord(ks, 4, x1 + s[1]);
  storeWord(ks, 8, x2 + s[2]);
  storeWord(ks, 12, x3 + s[3]);
  storeWord(ks, 16, x4 + s[4]);
  storeWord(ks, 20, x5 + s[5]);
  storeWord(ks, 24, x6 + s[6]);
  storeWord(ks, 28, x7 + s[7]);
  storeWord(ks, 32, x8 + s[8]);
  storeWord(ks, 36, x9 + s[9]);
  storeWord(ks, 40, x10 + s[10]);
  storeWord(ks, 44, x11 + s[11]);
  storeWord(ks, 48, x12 + s[12]);
  storeWord(ks, 52, x13 + s[13]);
  storeWord(ks, 56, x14 + s[14]);
  storeWord(ks, 60, x15 + s[15]);
}

/** The Salsa20 input block: constants on the diagonal, key around them, 16 bytes of `input` in words 6..9. */
function initialState(key: Bytes, input: Bytes, inputOff: number): number[] {
  return [
    SIGMA0, load32le(key, 0), load32le(key, 4), load32le(key, 8),
    load32le(key, 12), SIGMA1, load32le(input, inputOff), load32le(input, inputOff + 4),
    load32le(input, inputOff + 8), load32le(input, inputOff + 12), SIGMA2, load32le(key, 16),
    load32le(key, 20), load32le(key, 24), load32le(key, 28), SIGMA3,
  ];
}

/**
 * HSalsa20: words 0, 5, 10, 15, 6, 7, 8, 9 of the state after the rounds, without the
 * feed-forward (recovered from a Salsa20 block by subtracting the input words again).
 */
export function hsalsa20(key: Bytes, input: Bytes): Bytes {
  if (key.length !== SALSA20_KEY_BYTES) {
    throw new Error("hsalsa20: key must be " + SALSA20_KEY_BYTES + " bytes, got " + key.length);
  }
  if (input.length !== HSALSA20_INPUT_BYTES) {
    throw new Error("hsalsa20: input must be " + HSALSA20_INPUT_BYTES + " bytes, got " + input.length);
  }
  const s = initialState(key, input, 0);
  const z = alloc(BLOCK);
  salsaBlock(s, z);
  const out = alloc(32);
  for (let i = 0; i < HSALSA20_OUTPUT_WORDS.length; i++) {
    const w = HSALSA20_OUTPUT_WORDS[i];
    store32le(out, 4 * i, sub32(load32le(z, 4 * w), s[w]));
  }
  wipe(z);
  return out;
}

const TWO_POW_32 = 0x100000000;

/**
 * dst[dstOff..+len) = src[srcOff..+len) XOR the Salsa20/20 keystream for a 32-byte key
 * and the 8-byte nonce at nonce[nonceOff..), from 64-byte block `counter` (the 64-bit
 * block counter, here below 2^53). dst may be src.
 */
export function salsa20XorInto(
  key: Bytes, nonce: Bytes, nonceOff: number, counter: number,
  src: Bytes, srcOff: number, dst: Bytes, dstOff: number, len: number,
): void {
  if (key.length !== SALSA20_KEY_BYTES) {
    throw new Error("salsa20: key must be " + SALSA20_KEY_BYTES + " bytes, got " + key.length);
  }
  if (counter < 0 || counter !== Math.floor(counter)) {
    throw new Error("salsa20: bad block counter");
  }
  // Words 6..9 are nonce ‖ 64-bit little-endian block counter.
  const input = alloc(16);
  for (let i = 0; i < 8; i++) {
    input[i] = nonce[nonceOff + i];
  }
  const s = initialState(key, input, 0);
  s[8] = counter % TWO_POW_32;
  s[9] = Math.floor(counter / TWO_POW_32);
  const ks = alloc(BLOCK);
  for (let done = 0; done < len; done += BLOCK) {
    salsaBlock(s, ks);
    const n = len - done < BLOCK ? len - done : BLOCK;
    const si = srcOff + done;
    const di = dstOff + done;
    for (let j = 0; j < n; j++) {
      dst[di + j] = (src[si + j] ^ ks[j]) & 0xff;
    }
    s[8] = (s[8] + 1) >>> 0;
    if (s[8] === 0) {
      s[9] = (s[9] + 1) >>> 0;
    }
  }
  // Key erasure: the state holds the key words, ks the last keystream block.
  for (let i = 0; i < 16; i++) {
    s[i] = 0;
  }
  wipe(ks);
}

/**
 * The XSalsa20 subkey for a 32-byte key and a 24-byte nonce: HSalsa20(key, nonce[0..16)).
 * The stream is then salsa20XorInto(subkey, nonce, 16, ...).
 */
export function xsalsa20Subkey(key: Bytes, nonce: Bytes): Bytes {
  if (nonce.length !== XSALSA20_NONCE_BYTES) {
    throw new Error("xsalsa20: nonce must be " + XSALSA20_NONCE_BYTES + " bytes, got " + nonce.length);
  }
  const subNonce = alloc(HSALSA20_INPUT_BYTES);
  for (let i = 0; i < HSALSA20_INPUT_BYTES; i++) {
    subNonce[i] = nonce[i];
  }
  return hsalsa20(key, subNonce);
}
