/**
 * SimpleX's cryptoBox (Crypto.hs): NaCl crypto_box = XSalsa20-Poly1305 keyed with
 * HSalsa20(X25519(pk, sk), 0^16), output tag ‖ ciphertext; nonce 24 bytes. `cbNonce`
 * zero-pads or truncates any byte string to a nonce (used with msgId and corrId).
 */
import { Bytes, alloc, copyInto } from "../../port/bytes";
import { CryptoProvider } from "../../crypto/provider";
import { Parsed, parsedError } from "../../port/encoding";
import { canPad, pad, unpad } from "./pad";

export const CB_NONCE_SIZE = 24;

export function cbNonce(s: Bytes): Bytes {
  const out = alloc(CB_NONCE_SIZE);
  copyInto(out, 0, s, 0, s.length < CB_NONCE_SIZE ? s.length : CB_NONCE_SIZE);
  return out;
}

/** The crypto_box key shared by (pk, sk): compute once per queue, not per message. */
export function cbKey(provider: CryptoProvider, publicKey: Bytes, secretKey: Bytes): Bytes {
  return provider.boxBeforenm(publicKey, secretKey);
}

/** cbEncrypt: pad to paddedLen, then seal. Throws if msg does not fit (check canPad). */
export function cbEncrypt(provider: CryptoProvider, key: Bytes, nonce: Bytes, msg: Bytes, paddedLen: number): Bytes {
  if (!canPad(msg.length, paddedLen)) {
    throw new Error("cbEncrypt: message of " + msg.length + " bytes is larger than " + (paddedLen - 2));
  }
  return provider.secretboxSeal(key, nonce, pad(msg, paddedLen));
}

export function cbDecrypt(provider: CryptoProvider, key: Bytes, nonce: Bytes, boxed: Bytes): Parsed<Bytes> {
  if (boxed.length < 16) {
    return parsedError("crypto_box shorter than its tag");
  }
  const opened = provider.secretboxOpen(key, nonce, boxed);
  if (opened === undefined) {
    return parsedError("crypto_box authentication failed");
  }
  return unpad(opened);
}

/** X25519 command authenticator: crypto_box(dh, cbNonce(corrId), SHA-512(signed)), 80 bytes. */
export function cbAuthenticate(provider: CryptoProvider, key: Bytes, corrId: Bytes, signed: Bytes): Bytes {
  return provider.secretboxSeal(key, cbNonce(corrId), provider.sha512(signed));
}

/** cbVerifyAuthenticator given SHA-512(signed) (a relay hashes the signed parts without joining them). */
export function cbVerifyAuthenticatorDigest(provider: CryptoProvider, key: Bytes, corrId: Bytes, authenticator: Bytes, h: Bytes): boolean {
  const opened = provider.secretboxOpen(key, cbNonce(corrId), authenticator);
  if (opened === undefined || opened.length !== 64 || h.length !== 64) {
    return false;
  }
  let d = 0;
  for (let i = 0; i < 64; i++) {
    d = (d | (opened[i] ^ h[i])) >>> 0;
  }
  return d === 0;
}

export function cbVerifyAuthenticator(provider: CryptoProvider, key: Bytes, corrId: Bytes, authenticator: Bytes, signed: Bytes): boolean {
  return cbVerifyAuthenticatorDigest(provider, key, corrId, authenticator, provider.sha512(signed));
}
