/**
 * Public keys on the wire: shortString of the X.509 SubjectPublicKeyInfo DER. All four
 * curve keys have a fixed 12-byte SPKI prefix (RFC 8410), so no ASN.1 parser is needed.
 */
import { Bytes, alloc, copyInto, slice } from "../../port/bytes";
import { Parsed, parsedError, parsedOk } from "../../port/encoding";

export const KEY_ED25519 = "ed25519";
export const KEY_X25519 = "x25519";
export const KEY_ED448 = "ed448";
export const KEY_X448 = "x448";
export type KeyAlgorithm = "ed25519" | "x25519" | "ed448" | "x448";

export interface PublicKey {
  alg: KeyAlgorithm;
  /** the raw key (32, 32, 57 or 56 bytes) */
  key: Bytes;
}

interface SpkiForm {
  alg: KeyAlgorithm;
  prefix: number[];
  keyLen: number;
}

// SEQUENCE { SEQUENCE { OID 1.3.101.11x } BIT STRING (0 unused bits) key }
const FORMS: SpkiForm[] = [
  { alg: "ed25519", prefix: [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00], keyLen: 32 },
  { alg: "x25519", prefix: [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00], keyLen: 32 },
  { alg: "ed448", prefix: [0x30, 0x43, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71, 0x03, 0x3a, 0x00], keyLen: 57 },
  { alg: "x448", prefix: [0x30, 0x42, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6f, 0x03, 0x39, 0x00], keyLen: 56 },
];

function formOf(alg: KeyAlgorithm): SpkiForm {
  for (const f of FORMS) {
    if (f.alg === alg) {
      return f;
    }
  }
  throw new Error("unknown key algorithm " + alg);
}

export function encodeSpki(k: PublicKey): Bytes {
  const f = formOf(k.alg);
  if (k.key.length !== f.keyLen) {
    throw new Error(k.alg + " public key must be " + f.keyLen + " bytes, got " + k.key.length);
  }
  const out = alloc(f.prefix.length + f.keyLen);
  for (let i = 0; i < f.prefix.length; i++) {
    out[i] = f.prefix[i];
  }
  copyInto(out, f.prefix.length, k.key, 0, f.keyLen);
  return out;
}

export function decodeSpki(der: Bytes): Parsed<PublicKey> {
  for (const f of FORMS) {
    if (der.length !== f.prefix.length + f.keyLen) {
      continue;
    }
    let same = true;
    for (let i = 0; i < f.prefix.length; i++) {
      if (der[i] !== f.prefix[i]) {
        same = false;
        break;
      }
    }
    if (same) {
      return parsedOk({ alg: f.alg, key: slice(der, f.prefix.length, der.length) });
    }
  }
  return parsedError("unsupported public key encoding");
}

/** Keys allowed to authorize commands (APublicAuthKey): Ed25519, Ed448 or X25519. */
export function isAuthKey(k: PublicKey): boolean {
  return k.alg === "ed25519" || k.alg === "ed448" || k.alg === "x25519";
}

export function samePublicKey(a: PublicKey, b: PublicKey): boolean {
  if (a.alg !== b.alg || a.key.length !== b.key.length) {
    return false;
  }
  for (let i = 0; i < a.key.length; i++) {
    if (a.key[i] !== b.key[i]) {
      return false;
    }
  }
  return true;
}
