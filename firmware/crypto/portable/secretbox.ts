/**
 * NaCl crypto_secretbox (XSalsa20-Poly1305) in the crypto_secretbox_easy layout:
 * 16-byte tag ‖ ciphertext. The first 32 keystream bytes are the Poly1305 key and the
 * message is encrypted with the keystream that follows them ("Cryptography in NaCl" §9).
 * Open compares tags with ctEqual and returns nothing unless they match.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";
import { ctEqual } from "../../port/ct";
import { POLY1305_KEY_BYTES, POLY1305_TAG_BYTES, poly1305 } from "./poly1305";
import { SALSA20_KEY_BYTES, XSALSA20_NONCE_BYTES, xsalsa20XorInPlace } from "./salsa20";

export const SECRETBOX_KEY_BYTES = SALSA20_KEY_BYTES;
export const SECRETBOX_NONCE_BYTES = XSALSA20_NONCE_BYTES;
export const SECRETBOX_TAG_BYTES = POLY1305_TAG_BYTES;
// Module-local copies: imported bindings are slow to read in hot loops on some loaders.
const TAG = POLY1305_TAG_BYTES;
const OTK = POLY1305_KEY_BYTES;

function checkSizes(key: Bytes, nonce: Bytes): void {
  if (key.length !== SECRETBOX_KEY_BYTES) {
    throw new Error("secretbox: key must be " + SECRETBOX_KEY_BYTES + " bytes, got " + key.length);
  }
  if (nonce.length !== SECRETBOX_NONCE_BYTES) {
    throw new Error("secretbox: nonce must be " + SECRETBOX_NONCE_BYTES + " bytes, got " + nonce.length);
  }
}

/** 32 zero bytes ‖ text[off..off+len) XORed with the XSalsa20 keystream: Poly1305 key ‖ transformed text. */
function crypt(key: Bytes, nonce: Bytes, text: Bytes, off: number, len: number): Bytes {
  const buf = alloc(OTK + len);
  for (let i = 0; i < len; i++) {
    buf[OTK + i] = text[off + i];
  }
  xsalsa20XorInPlace(key, nonce, buf, 0, buf.length);
  return buf;
}

export function secretboxSeal(key: Bytes, nonce: Bytes, plaintext: Bytes): Bytes {
  checkSizes(key, nonce);
  const n = plaintext.length;
  const buf = crypt(key, nonce, plaintext, 0, n);
  const polyKey = alloc(OTK);
  const ct = alloc(n);
  for (let i = 0; i < OTK; i++) {
    polyKey[i] = buf[i];
  }
  for (let i = 0; i < n; i++) {
    ct[i] = buf[OTK + i];
  }
  const tag = poly1305(polyKey, ct);
  wipe(polyKey);
  const out = alloc(TAG + n);
  for (let i = 0; i < TAG; i++) {
    out[i] = tag[i];
  }
  for (let i = 0; i < n; i++) {
    out[TAG + i] = ct[i];
  }
  return out;
}

export function secretboxOpen(key: Bytes, nonce: Bytes, boxed: Bytes): Bytes | undefined {
  checkSizes(key, nonce);
  if (boxed.length < TAG) {
    return undefined;
  }
  const n = boxed.length - TAG;
  const ct = alloc(n);
  const tag = alloc(TAG);
  for (let i = 0; i < TAG; i++) {
    tag[i] = boxed[i];
  }
  for (let i = 0; i < n; i++) {
    ct[i] = boxed[TAG + i];
  }
  // Decrypting before the check is harmless here: nothing is released unless the tag matches.
  const buf = crypt(key, nonce, ct, 0, n);
  const polyKey = alloc(OTK);
  for (let i = 0; i < OTK; i++) {
    polyKey[i] = buf[i];
  }
  const ok = ctEqual(poly1305(polyKey, ct), tag);
  wipe(polyKey);
  if (!ok) {
    wipe(buf);
    return undefined;
  }
  const out = alloc(n);
  for (let i = 0; i < n; i++) {
    out[i] = buf[OTK + i];
  }
  return out;
}
