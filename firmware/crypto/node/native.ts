/**
 * The `native` provider: node:crypto (OpenSSL) where Node has the primitive, libsodium
 * (sodium-native) for XSalsa20-Poly1305, ChaCha20-Poly1305, X25519 and the SHA-512 under
 * HKDF-SHA512, the noble provider for the rest (HSalsa20 —
 * sodium-native 4 exports neither crypto_core_hsalsa20 nor crypto_box_beforenm —, keyed
 * or short BLAKE2s). ML-KEM-768 is our FIPS 203 code on OpenSSL's Keccak (mlkem-native.ts:
 * Node 20 has no ML-KEM). `nativePrimitives` says which is which, so benchmarks never pass
 * a noble number off as a native one.
 */
import * as nc from "node:crypto";
import type { Bytes } from "../../port/bytes";
import type { CryptoProvider } from "../provider";
import { nobleProvider } from "./noble";
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768Keygen } from "./mlkem-native";
import { u8, checkLength, ed25519VerifyPolicy } from "./util";
import { sodium } from "./sodium";
import { hkdfSha512 } from "./hkdf-sha512";

const SECRETBOX_TAG = 16;

// libsodium throws on bad lengths with its own wording; ours says which argument.
function secretboxSeal(key: Bytes, nonce: Bytes, pt: Bytes): Bytes {
  const out = new Uint8Array(pt.length + SECRETBOX_TAG);
  secretboxSealInto(key, nonce, pt, out);
  return out;
}

/**
 * secretboxSeal into `out` (pt.length + 16 bytes, e.g. a view into an outgoing block): the
 * relay seals each MSG body straight into its block (relay-conformance/relay/fast-codec.ts).
 */
export function secretboxSealInto(key: Bytes, nonce: Bytes, pt: Bytes, out: Uint8Array): void {
  checkLength("secretbox key", key, 32);
  checkLength("secretbox nonce", nonce, 24);
  checkLength("secretbox output", out, pt.length + SECRETBOX_TAG);
  sodium.crypto_secretbox_easy(out, u8(pt), u8(nonce), u8(key));
}

function secretboxOpen(key: Bytes, nonce: Bytes, boxed: Bytes): Bytes | undefined {
  checkLength("secretbox key", key, 32);
  checkLength("secretbox nonce", nonce, 24);
  if (boxed.length < SECRETBOX_TAG) return undefined;
  const out = new Uint8Array(boxed.length - SECRETBOX_TAG);
  return sodium.crypto_secretbox_open_easy(out, u8(boxed), u8(nonce), u8(key)) ? out : undefined;
}

// DER prefixes that wrap a raw 32-byte key as PKCS#8 / SPKI (RFC 8410).
const ED25519_PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");
const ED25519_SPKI = Buffer.from("302a300506032b6570032100", "hex");

// Building an OpenSSL key object costs more than the operation itself (a relay verifies
// the same queue keys over and over), so recent ones are kept, bounded. A queue brings about
// two Ed25519 keys per side; 65,536 keeps a 10,000-device fleet's relay and station hitting
// (at 4,096 the cache thrashed from about 1,000 devices on).
const KEY_CACHE_SIZE = 65_536;
const keyCache = new Map<string, nc.KeyObject>();

function cachedKey(kind: "pkcs8" | "spki", prefix: Buffer, raw: Bytes): nc.KeyObject {
  const der = Buffer.concat([prefix, u8(raw)]);
  const id = kind + der.toString("base64");
  let k = keyCache.get(id);
  if (k === undefined) {
    k = kind === "pkcs8" ? nc.createPrivateKey({ key: der, format: "der", type: "pkcs8" }) : nc.createPublicKey({ key: der, format: "der", type: "spki" });
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, k);
  }
  return k;
}

function privateKey(prefix: Buffer, raw: Bytes): nc.KeyObject {
  return cachedKey("pkcs8", prefix, raw);
}

function publicKey(prefix: Buffer, raw: Bytes): nc.KeyObject {
  return cachedKey("spki", prefix, raw);
}

function rawPublic(k: nc.KeyObject): Uint8Array {
  const der = k.export({ format: "der", type: "spki" });
  return new Uint8Array(der.subarray(der.length - 32));
}

// crypto.hash (Node ≥ 20.12) hashes in one call without a Hash object; older Nodes stream.
const oneShotHash = (nc as { hash?: (alg: string, data: Uint8Array, enc: "buffer") => Buffer }).hash;

function digest(alg: string, m: Bytes): Bytes {
  const out = oneShotHash !== undefined ? oneShotHash(alg, u8(m), "buffer") : nc.createHash(alg).update(u8(m)).digest();
  return new Uint8Array(out); // a copy: a small Buffer may be a view into a shared pool
}

function mac(alg: string, k: Bytes, m: Bytes): Bytes {
  return new Uint8Array(nc.createHmac(alg, u8(k)).update(u8(m)).digest());
}

function seal(alg: nc.CipherGCMTypes, key: Bytes, iv: Bytes, aad: Bytes, pt: Bytes): Bytes {
  const c = nc.createCipheriv(alg, u8(key), u8(iv), { authTagLength: 16 });
  c.setAAD(u8(aad), { plaintextLength: pt.length });
  // One output buffer (AEAD ciphers emit everything from update, nothing from final): the
  // two concatenations and the copy this replaces cost ~40 % of sealing a 16 KiB frame.
  const out = new Uint8Array(pt.length + 16);
  out.set(c.update(u8(pt)));
  out.set(c.final(), pt.length);
  out.set(c.getAuthTag(), pt.length);
  return out;
}

function open(alg: nc.CipherGCMTypes, key: Bytes, iv: Bytes, aad: Bytes, sealed: Bytes): Bytes | undefined {
  if (sealed.length < 16) {
    return undefined;
  }
  const s = u8(sealed);
  const d = nc.createDecipheriv(alg, u8(key), u8(iv), { authTagLength: 16 });
  d.setAAD(u8(aad), { plaintextLength: s.length - 16 });
  d.setAuthTag(s.subarray(s.length - 16));
  const n = s.length - 16;
  const out = new Uint8Array(n);
  out.set(d.update(s.subarray(0, n)));
  try {
    d.final();
  } catch {
    out.fill(0); // never hand out unauthenticated plaintext
    return undefined;
  }
  return out;
}

// ChaCha20-Poly1305 (IETF, 12-byte nonce: every GRP frame) in libsodium: one call, against
// node:crypto's cipher object per frame (16 KiB frame: ~10 µs against ~15 µs).
const AEAD_TAG = 16;
const AEAD_KEY = 32;
const AEAD_NONCE = 12;

function chacha20poly1305Seal(key: Bytes, nonce: Bytes, aad: Bytes, pt: Bytes): Bytes {
  checkLength("chacha20poly1305 key", key, AEAD_KEY);
  checkLength("chacha20poly1305 nonce", nonce, AEAD_NONCE);
  const out = new Uint8Array(pt.length + AEAD_TAG);
  sodium.crypto_aead_chacha20poly1305_ietf_encrypt(out, u8(pt), u8(aad), null, u8(nonce), u8(key));
  return out;
}

function chacha20poly1305Open(key: Bytes, nonce: Bytes, aad: Bytes, sealed: Bytes): Bytes | undefined {
  checkLength("chacha20poly1305 key", key, AEAD_KEY);
  checkLength("chacha20poly1305 nonce", nonce, AEAD_NONCE);
  if (sealed.length < AEAD_TAG) return undefined;
  const out = new Uint8Array(sealed.length - AEAD_TAG);
  try {
    sodium.crypto_aead_chacha20poly1305_ietf_decrypt(out, null, u8(sealed), u8(aad), u8(nonce), u8(key));
  } catch {
    return undefined; // libsodium writes nothing when the tag fails
  }
  return out;
}

// X25519 in libsodium: node:crypto needs a key object per scalar and point, and building
// them costs ~15x the operation (every ratchet step brings fresh keys, so no cache helps).
function x25519(scalar: Bytes, u: Bytes): Bytes {
  checkLength("x25519 scalar", scalar, 32);
  checkLength("x25519 u", u, 32);
  const out = new Uint8Array(32);
  try {
    sodium.crypto_scalarmult(out, u8(scalar), u8(u));
  } catch {
    throw new Error("x25519: all-zero shared secret (small-order input)");
  }
  return out;
}

/** Primitives this provider takes from node:crypto or libsodium; the rest come from noble. */
export const nativePrimitives = [
  "sha256", "sha512", "hmacSha256", "hmacSha512", "hkdfSha256", "hkdfSha512", "sha3_256", "sha3_512",
  "shake128", "shake256", "chacha20poly1305", "aes256gcm", "x25519", "ed25519", "secretbox", "blake2s",
];

export const nativeProvider: CryptoProvider = {
  ...nobleProvider,
  name: "native",
  sha256: (m) => digest("sha256", m),
  sha512: (m) => digest("sha512", m),
  hmacSha256: (k, m) => mac("sha256", k, m),
  hmacSha512: (k, m) => mac("sha512", k, m),
  hkdfSha256: (ikm, salt, info, len) => new Uint8Array(nc.hkdfSync("sha256", u8(ikm), u8(salt), u8(info), len)),
  hkdfSha512: (ikm, salt, info, len) => hkdfSha512(u8(ikm), u8(salt), u8(info), len),
  // Unkeyed 32-byte BLAKE2s (Noise's HASH in every GRP handshake) in OpenSSL: 1.9 us for
  // 100 bytes against noble's 9.4 us, and none of noble's per-round garbage.
  blake2s: (m, outLen, key) => (key.length === 0 && outLen === 32 ? digest("blake2s256", m) : nobleProvider.blake2s(m, outLen, key)),
  sha3_256: (m) => digest("sha3-256", m),
  sha3_512: (m) => digest("sha3-512", m),
  shake128: (m, n) => new Uint8Array(nc.createHash("shake128", { outputLength: n }).update(u8(m)).digest()),
  shake256: (m, n) => new Uint8Array(nc.createHash("shake256", { outputLength: n }).update(u8(m)).digest()),
  chacha20poly1305Seal,
  chacha20poly1305Open,
  aes256gcmSeal: (key, iv, aad, pt) => {
    checkLength("aes256gcm key", key, 32);
    return seal("aes-256-gcm", key, iv, aad, pt);
  },
  aes256gcmOpen: (key, iv, aad, sealed) => {
    checkLength("aes256gcm key", key, 32);
    return open("aes-256-gcm", key, iv, aad, sealed);
  },
  secretboxSeal,
  secretboxOpen,
  x25519,
  x25519PublicKey: (sk) => {
    checkLength("x25519 secret key", sk, 32);
    const out = new Uint8Array(32);
    sodium.crypto_scalarmult_base(out, u8(sk));
    return out;
  },
  // X25519 in libsodium (throws on an all-zero result, as the interface says), HSalsa20 in noble
  boxBeforenm: (pk, sk) => nobleProvider.hsalsa20(x25519(sk, pk), new Uint8Array(16)),
  ed25519PublicKey: (seed) => {
    checkLength("ed25519 seed", seed, 32);
    return rawPublic(nc.createPublicKey(privateKey(ED25519_PKCS8, seed)));
  },
  ed25519Sign: (seed, msg) => {
    checkLength("ed25519 seed", seed, 32);
    return new Uint8Array(nc.sign(null, u8(msg), privateKey(ED25519_PKCS8, seed)));
  },
  ed25519Verify: (pk, msg, sig) =>
    ed25519VerifyPolicy(pk, sig, () => nc.verify(null, u8(msg), publicKey(ED25519_SPKI, pk), u8(sig))),
  mlkem768Keygen,
  mlkem768Encapsulate,
  mlkem768Decapsulate,
  randomBytes: (n) => new Uint8Array(nc.randomBytes(n)),
};
