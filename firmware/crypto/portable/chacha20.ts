/**
 * ChaCha20 (RFC 8439 §2.3-2.4): 32-byte key, 12-byte nonce, 32-bit block counter.
 * Used by the AEAD in chacha20poly1305.ts and by Noise/GRP. Pure add-rotate-xor, so
 * nothing depends on secret data except the values themselves.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";
import { load32le } from "../../port/u32";

export const CHACHA20_KEY_BYTES = 32;
export const CHACHA20_NONCE_BYTES = 12;
export const CHACHA20_BLOCK_BYTES = 64;

// "expand 32-byte k" as four little-endian words.
const SIGMA0 = 0x61707865;
const SIGMA1 = 0x3320646e;
const SIGMA2 = 0x79622d32;
const SIGMA3 = 0x6b206574;
const COUNTER_LIMIT = 0x100000000;

/** Stores the low 32 bits of a sum of two u32 (below 2^33) little-endian. */
function storeWord(b: Bytes, off: number, sum: number): void {
  const v = sum >>> 0;
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = v >>> 24;
}

/**
 * One ChaCha20 block for the input words `s` (16 u32: constants, key, counter, nonce),
 * written little-endian into ks[0..64). The quarter rounds are written out so the
 * 16 state words stay in locals.
 */
function chachaBlock(s: number[], ks: Bytes): void {
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
    // Column rounds: QR(0,4,8,12) QR(1,5,9,13) QR(2,6,10,14) QR(3,7,11,15).
    x0 = (x0 + x4) >>> 0; x12 = (x12 ^ x0) >>> 0; x12 = ((x12 << 16) | (x12 >>> 16)) >>> 0;
    x8 = (x8 + x12) >>> 0; x4 = (x4 ^ x8) >>> 0; x4 = ((x4 << 12) | (x4 >>> 20)) >>> 0;
    x0 = (x0 + x4) >>> 0; x12 = (x12 ^ x0) >>> 0; x12 = ((x12 << 8) | (x12 >>> 24)) >>> 0;
    x8 = (x8 + x12) >>> 0; x4 = (x4 ^ x8) >>> 0; x4 = ((x4 << 7) | (x4 >>> 25)) >>> 0;
    x1 = (x1 + x5) >>> 0; x13 = (x13 ^ x1) >>> 0; x13 = ((x13 << 16) | (x13 >>> 16)) >>> 0;
    x9 = (x9 + x13) >>> 0; x5 = (x5 ^ x9) >>> 0; x5 = ((x5 << 12) | (x5 >>> 20)) >>> 0;
    x1 = (x1 + x5) >>> 0; x13 = (x13 ^ x1) >>> 0; x13 = ((x13 << 8) | (x13 >>> 24)) >>> 0;
    x9 = (x9 + x13) >>> 0; x5 = (x5 ^ x9) >>> 0; x5 = ((x5 << 7) | (x5 >>> 25)) >>> 0;
    x2 = (x2 + x6) >>> 0; x14 = (x14 ^ x2) >>> 0; x14 = ((x14 << 16) | (x14 >>> 16)) >>> 0;
    x10 = (x10 + x14) >>> 0; x6 = (x6 ^ x10) >>> 0; x6 = ((x6 << 12) | (x6 >>> 20)) >>> 0;
    x2 = (x2 + x6) >>> 0; x14 = (x14 ^ x2) >>> 0; x14 = ((x14 << 8) | (x14 >>> 24)) >>> 0;
    x10 = (x10 + x14) >>> 0; x6 = (x6 ^ x10) >>> 0; x6 = ((x6 << 7) | (x6 >>> 25)) >>> 0;
    x3 = (x3 + x7) >>> 0; x15 = (x15 ^ x3) >>> 0; x15 = ((x15 << 16) | (x15 >>> 16)) >>> 0;
    x11 = (x11 + x15) >>> 0; x7 = (x7 ^ x11) >>> 0; x7 = ((x7 << 12) | (x7 >>> 20)) >>> 0;
    x3 = (x3 + x7) >>> 0; x15 = (x15 ^ x3) >>> 0; x15 = ((x15 << 8) | (x15 >>> 24)) >>> 0;
    x11 = (x11 + x15) >>> 0; x7 = (x7 ^ x11) >>> 0; x7 = ((x7 << 7) | (x7 >>> 25)) >>> 0;
    // Diagonal rounds: QR(0,5,10,15) QR(1,6,11,12) QR(2,7,8,13) QR(3,4,9,14).
    x0 = (x0 + x5) >>> 0; x15 = (x15 ^ x0) >>> 0; x15 = ((x15 << 16) | (x15 >>> 16)) >>> 0;
    x10 = (x10 + x15) >>> 0; x5 = (x5 ^ x10) >>> 0; x5 = ((x5 << 12) | (x5 >>> 20)) >>> 0;
    x0 = (x0 + x5) >>> 0; x15 = (x15 ^ x0) >>> 0; x15 = ((x15 << 8) | (x15 >>> 24)) >>> 0;
    x10 = (x10 + x15) >>> 0; x5 = (x5 ^ x10) >>> 0; x5 = ((x5 << 7) | (x5 >>> 25)) >>> 0;
    x1 = (x1 + x6) >>> 0; x12 = (x12 ^ x1) >>> 0; x12 = ((x12 << 16) | (x12 >>> 16)) >>> 0;
    x11 = (x11 + x12) >>> 0; x6 = (x6 ^ x11) >>> 0; x6 = ((x6 << 12) | (x6 >>> 20)) >>> 0;
    x1 = (x1 + x6) >>> 0; x12 = (x12 ^ x1) >>> 0; x12 = ((x12 << 8) | (x12 >>> 24)) >>> 0;
    x11 = (x11 + x12) >>> 0; x6 = (x6 ^ x11) >>> 0; x6 = ((x6 << 7) | (x6 >>> 25)) >>> 0;
    x2 = (x2 + x7) >>> 0; x13 = (x13 ^ x2) >>> 0; x13 = ((x13 << 16) | (x13 >>> 16)) >>> 0;
    x8 = (x8 + x13) >>> 0; x7 = (x7 ^ x8) >>> 0; x7 = ((x7 << 12) | (x7 >>> 20)) >>> 0;
    x2 = (x2 + x7) >>> 0; x13 = (x13 ^ x2) >>> 0; x13 = ((x13 << 8) | (x13 >>> 24)) >>> 0;
    x8 = (x8 + x13) >>> 0; x7 = (x7 ^ x8) >>> 0; x7 = ((x7 << 7) | (x7 >>> 25)) >>> 0;
    x3 = (x3 + x4) >>> 0; x14 = (x14 ^ x3) >>> 0; x14 = ((x14 << 16) | (x14 >>> 16)) >>> 0;
    x9 = (x9 + x14) >>> 0; x4 = (x4 ^ x9) >>> 0; x4 = ((x4 << 12) | (x4 >>> 20)) >>> 0;
    x3 = (x3 + x4) >>> 0; x14 = (x14 ^ x3) >>> 0; x14 = ((x14 << 8) | (x14 >>> 24)) >>> 0;
    x9 = (x9 + x14) >>> 0; x4 = (x4 ^ x9) >>> 0; x4 = ((x4 << 7) | (x4 >>> 25)) >>> 0;
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

function checkSizes(key: Bytes, nonce: Bytes): void {
  if (key.length !== CHACHA20_KEY_BYTES) {
    throw new Error("chacha20: key must be " + CHACHA20_KEY_BYTES + " bytes, got " + key.length);
  }
  if (nonce.length !== CHACHA20_NONCE_BYTES) {
    throw new Error("chacha20: nonce must be " + CHACHA20_NONCE_BYTES + " bytes, got " + nonce.length);
  }
}

/**
 * dst[dstOff..+len) = src[srcOff..+len) XOR the keystream that starts at block `counter`.
 * dst may be src (in place). Throws if the 32-bit block counter would wrap.
 */
export function chacha20XorInto(
  key: Bytes, nonce: Bytes, counter: number,
  src: Bytes, srcOff: number, dst: Bytes, dstOff: number, len: number,
): void {
  checkSizes(key, nonce);
  const blocks = Math.floor((len + CHACHA20_BLOCK_BYTES - 1) / CHACHA20_BLOCK_BYTES);
  if (counter < 0 || counter !== Math.floor(counter) || counter + blocks > COUNTER_LIMIT) {
    throw new Error("chacha20: block counter out of range");
  }
  const s: number[] = [
    SIGMA0, SIGMA1, SIGMA2, SIGMA3,
    load32le(key, 0), load32le(key, 4), load32le(key, 8), load32le(key, 12),
    load32le(key, 16), load32le(key, 20), load32le(key, 24), load32le(key, 28),
    counter, load32le(nonce, 0), load32le(nonce, 4), load32le(nonce, 8),
  ];
  const ks = alloc(CHACHA20_BLOCK_BYTES);
  for (let done = 0; done < len; done += CHACHA20_BLOCK_BYTES) {
    chachaBlock(s, ks);
    s[12] = s[12] + 1;
    const n = len - done < CHACHA20_BLOCK_BYTES ? len - done : CHACHA20_BLOCK_BYTES;
    const si = srcOff + done;
    const di = dstOff + done;
    for (let j = 0; j < n; j++) {
      dst[di + j] = (src[si + j] ^ ks[j]) & 0xff;
    }
  }
  // Key erasure: the state holds the key words, ks the last keystream block.
  for (let i = 0; i < 16; i++) {
    s[i] = 0;
  }
  wipe(ks);
}

/** data XOR the ChaCha20 keystream from block `counter`, as a new Bytes. */
export function chacha20Xor(key: Bytes, nonce: Bytes, counter: number, data: Bytes): Bytes {
  const out = alloc(data.length);
  chacha20XorInto(key, nonce, counter, data, 0, out, 0, data.length);
  return out;
}

/** The first n (≤ 64) keystream bytes of block `counter`, e.g. the Poly1305 one-time key. */
export function chacha20Keystream(key: Bytes, nonce: Bytes, counter: number, n: number): Bytes {
  if (n < 0 || n > CHACHA20_BLOCK_BYTES) {
    throw new Error("chacha20: keystream length must be 0.." + CHACHA20_BLOCK_BYTES);
  }
  return chacha20Xor(key, nonce, counter, alloc(n));
}
