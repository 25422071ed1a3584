/**
 * ChaCha20-Poly1305 AEAD (RFC 8439 §2.8): returns ciphertext ‖ 16-byte tag. The
 * Poly1305 key is the first 32 bytes of keystream block 0; the message is encrypted
 * from block 1. Open checks the tag (ctEqual) before decrypting anything.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";
import { ctEqual } from "../../port/ct";
import { store32le } from "../../port/u32";
import { chacha20Keystream, chacha20XorInto } from "./chacha20";
import { Poly1305, POLY1305_KEY_BYTES, POLY1305_TAG_BYTES } from "./poly1305";

const TWO_POW_32 = 0x100000000;

/** Poly1305 over aad ‖ pad16 ‖ ct ‖ pad16 ‖ le64(|aad|) ‖ le64(|ct|) (RFC 8439 §2.8). */
function aeadTag(key: Bytes, nonce: Bytes, aad: Bytes, ct: Bytes, ctOff: number, ctLen: number): Bytes {
  const otk = chacha20Keystream(key, nonce, 0, POLY1305_KEY_BYTES);
  const mac = new Poly1305(otk);
  wipe(otk);
  mac.update(aad, 0, aad.length);
  mac.padToBlock();
  mac.update(ct, ctOff, ctLen);
  mac.padToBlock();
  const lens = alloc(16);
  store32le(lens, 0, aad.length >>> 0);
  store32le(lens, 4, Math.floor(aad.length / TWO_POW_32));
  store32le(lens, 8, ctLen >>> 0);
  store32le(lens, 12, Math.floor(ctLen / TWO_POW_32));
  mac.update(lens, 0, 16);
  return mac.finish();
}

export function chacha20poly1305Seal(key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes {
  const n = plaintext.length;
  const out = alloc(n + POLY1305_TAG_BYTES);
  chacha20XorInto(key, nonce, 1, plaintext, 0, out, 0, n);
  const tag = aeadTag(key, nonce, aad, out, 0, n);
  for (let i = 0; i < POLY1305_TAG_BYTES; i++) {
    out[n + i] = tag[i];
  }
  return out;
}

export function chacha20poly1305Open(key: Bytes, nonce: Bytes, aad: Bytes, sealed: Bytes): Bytes | undefined {
  if (sealed.length < POLY1305_TAG_BYTES) {
    // Still reject bad key/nonce sizes with an error rather than a silent failure.
    chacha20Keystream(key, nonce, 0, 0);
    return undefined;
  }
  const n = sealed.length - POLY1305_TAG_BYTES;
  const expected = aeadTag(key, nonce, aad, sealed, 0, n);
  const got = alloc(POLY1305_TAG_BYTES);
  for (let i = 0; i < POLY1305_TAG_BYTES; i++) {
    got[i] = sealed[n + i];
  }
  if (!ctEqual(expected, got)) {
    return undefined;
  }
  const out = alloc(n);
  chacha20XorInto(key, nonce, 1, sealed, 0, out, 0, n);
  return out;
}
