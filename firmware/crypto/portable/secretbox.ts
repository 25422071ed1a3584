/**
 * NaCl crypto_secretbox (XSalsa20-Poly1305) in the crypto_secretbox_easy layout:
 * 16-byte tag ‖ ciphertext. The first 32 keystream bytes are the Poly1305 key and the
 * message is encrypted with the keystream that follows them ("Cryptography in NaCl" §9).
 * Open checks the tag (ctEqual) before decrypting anything.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";
import { ctEqual } from "../../port/ct";
import { POLY1305_KEY_BYTES, POLY1305_TAG_BYTES, Poly1305 } from "./poly1305";
import { HSALSA20_INPUT_BYTES, SALSA20_KEY_BYTES, XSALSA20_NONCE_BYTES, salsa20XorInto, xsalsa20Subkey } from "./salsa20";

export const SECRETBOX_KEY_BYTES = SALSA20_KEY_BYTES;
export const SECRETBOX_NONCE_BYTES = XSALSA20_NONCE_BYTES;
export const SECRETBOX_TAG_BYTES = POLY1305_TAG_BYTES;
// Module-local copies: imported bindings are slow to read in hot loops on some loaders.
const TAG = POLY1305_TAG_BYTES;
const OTK = POLY1305_KEY_BYTES;
const NONCE_TAIL = HSALSA20_INPUT_BYTES;
const BLOCK = 64;

function checkSizes(key: Bytes, nonce: Bytes): void {
  if (key.length !== SECRETBOX_KEY_BYTES) {
    throw new Error("secretbox: key must be " + SECRETBOX_KEY_BYTES + " bytes, got " + key.length);
  }
  if (nonce.length !== SECRETBOX_NONCE_BYTES) {
    throw new Error("secretbox: nonce must be " + SECRETBOX_NONCE_BYTES + " bytes, got " + nonce.length);
  }
}

/** XSalsa20 keystream block 0: bytes 0..32 are the Poly1305 key, 32..64 encrypt the first 32 message bytes. */
function firstBlock(subkey: Bytes, nonce: Bytes): Bytes {
  const b = alloc(BLOCK);
  salsa20XorInto(subkey, nonce, NONCE_TAIL, 0, b, 0, b, 0, BLOCK);
  return b;
}

/** dst[dstOff..+len) = src[srcOff..+len) XOR the keystream from byte 32 on (block 0's second half, then block 1...). */
function crypt(subkey: Bytes, nonce: Bytes, block0: Bytes, src: Bytes, srcOff: number, dst: Bytes, dstOff: number, len: number): void {
  const head = len < BLOCK - OTK ? len : BLOCK - OTK;
  for (let i = 0; i < head; i++) {
    dst[dstOff + i] = (src[srcOff + i] ^ block0[OTK + i]) & 0xff;
  }
  if (len > head) {
    salsa20XorInto(subkey, nonce, NONCE_TAIL, 1, src, srcOff + head, dst, dstOff + head, len - head);
  }
}

function tagOf(block0: Bytes, ct: Bytes, off: number, len: number): Bytes {
  const polyKey = alloc(OTK);
  for (let i = 0; i < OTK; i++) {
    polyKey[i] = block0[i];
  }
  const mac = new Poly1305(polyKey);
  wipe(polyKey);
  mac.update(ct, off, len);
  return mac.finish();
}

export function secretboxSeal(key: Bytes, nonce: Bytes, plaintext: Bytes): Bytes {
  checkSizes(key, nonce);
  const n = plaintext.length;
  const subkey = xsalsa20Subkey(key, nonce);
  const block0 = firstBlock(subkey, nonce);
  const out = alloc(TAG + n);
  crypt(subkey, nonce, block0, plaintext, 0, out, TAG, n);
  const tag = tagOf(block0, out, TAG, n);
  for (let i = 0; i < TAG; i++) {
    out[i] = tag[i];
  }
  wipe(subkey);
  wipe(block0);
  return out;
}

export function secretboxOpen(key: Bytes, nonce: Bytes, boxed: Bytes): Bytes | undefined {
  checkSizes(key, nonce);
  if (boxed.length < TAG) {
    return undefined;
  }
  const n = boxed.length - TAG;
  const subkey = xsalsa20Subkey(key, nonce);
  const block0 = firstBlock(subkey, nonce);
  const got = alloc(TAG);
  for (let i = 0; i < TAG; i++) {
    got[i] = boxed[i];
  }
  let out: Bytes | undefined;
  if (ctEqual(tagOf(block0, boxed, TAG, n), got)) {
    out = alloc(n);
    crypt(subkey, nonce, block0, boxed, TAG, out, 0, n);
  }
  wipe(subkey);
  wipe(block0);
  return out;
}
