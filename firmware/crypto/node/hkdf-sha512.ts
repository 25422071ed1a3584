/**
 * HKDF-SHA512 (RFC 5869) over libsodium's SHA-512. Every double-ratchet chain step is one
 * HKDF-SHA512 (agent/kdf.ts), and node:crypto's hkdfSync builds a key object and an async
 * job per call: ~17 µs warm and ~45 µs in a busy fleet process, for ~1.5 µs of hashing.
 * libsodium exports SHA-512 but no HMAC-SHA512 (its crypto_auth truncates to 32 bytes),
 * so the HMAC (RFC 2104) is written here, on the streaming hash, without allocating pads.
 */
import { sodium } from "./sodium";

const BLOCK = 128; // SHA-512's block size
const HASH = 64;
const IPAD = 0x36;
const OPAD = 0x5c;

// Scratch, reused: Node runs this synchronously on one thread at a time.
const state = new Uint8Array(sodium.crypto_hash_sha512_STATEBYTES);
const ipad = new Uint8Array(BLOCK);
const opad = new Uint8Array(BLOCK);
const inner = new Uint8Array(HASH);
const counter = new Uint8Array(1);
const EMPTY = new Uint8Array(0);

function hash(m: Uint8Array, out: Uint8Array): void {
  sodium.crypto_hash_sha512_init(state);
  sodium.crypto_hash_sha512_update(state, m);
  sodium.crypto_hash_sha512_final(state, out);
}

/** Sets the pads for `key` (hashed first when longer than a block, as RFC 2104 says). */
function setKey(key: Uint8Array): void {
  let k = key;
  if (k.length > BLOCK) {
    const h = new Uint8Array(HASH);
    hash(k, h);
    k = h;
  }
  ipad.fill(IPAD);
  opad.fill(OPAD);
  for (let i = 0; i < k.length; i++) {
    ipad[i] ^= k[i];
    opad[i] ^= k[i];
  }
}

/** HMAC-SHA512 under the key last given to setKey, over the concatenation of parts. */
function hmacParts(a: Uint8Array, b: Uint8Array, c: Uint8Array, out: Uint8Array): void {
  sodium.crypto_hash_sha512_init(state);
  sodium.crypto_hash_sha512_update(state, ipad);
  sodium.crypto_hash_sha512_update(state, a);
  sodium.crypto_hash_sha512_update(state, b);
  sodium.crypto_hash_sha512_update(state, c);
  sodium.crypto_hash_sha512_final(state, inner);
  sodium.crypto_hash_sha512_init(state);
  sodium.crypto_hash_sha512_update(state, opad);
  sodium.crypto_hash_sha512_update(state, inner);
  sodium.crypto_hash_sha512_final(state, out);
}

export function hkdfSha512(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH) {
    throw new Error(`hkdfSha512: length must be 0..${255 * HASH}, got ${length}`);
  }
  // Extract: PRK = HMAC(salt, IKM); an empty salt means HashLen zero bytes (the same key).
  const prk = new Uint8Array(HASH);
  setKey(salt);
  hmacParts(ikm, EMPTY, EMPTY, prk);
  // Expand: T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i).
  setKey(prk);
  const out = new Uint8Array(length);
  const t = new Uint8Array(HASH);
  let prev = EMPTY;
  for (let i = 1, pos = 0; pos < length; i++) {
    counter[0] = i;
    // The counter goes in as the third part; T(i-1) and info as the first two.
    hmacParts(prev, info, counter, t);
    const n = Math.min(HASH, length - pos);
    out.set(n === HASH ? t : t.subarray(0, n), pos);
    pos += n;
    prev = t;
  }
  prk.fill(0);
  t.fill(0);
  inner.fill(0);
  ipad.fill(0);
  opad.fill(0);
  return out;
}
