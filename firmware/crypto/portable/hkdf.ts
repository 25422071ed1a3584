/**
 * HKDF (RFC 5869) with HMAC-SHA-256 and HMAC-SHA-512: extract PRK = HMAC(salt, IKM),
 * then expand T(i) = HMAC(PRK, T(i-1) | info | i) up to 255 blocks.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";
import { MerkleDamgardHash } from "./merkle-damgard";
import { Hmac, hmacSha256, newSha512 } from "./hmac";
import { SHA256_DIGEST_LEN } from "./sha256";

/** RFC 5869 2.3: L <= 255 * HashLen (the block counter is one octet). */
const MAX_BLOCKS = 255;

function checkLength(length: number, hashLen: number): void {
  if (length !== Math.floor(length) || length < 0 || length > MAX_BLOCKS * hashLen) {
    throw new Error("hkdf: output length " + length + " must be an integer in 0.." + MAX_BLOCKS * hashLen);
  }
}

/** HKDF-Extract (RFC 5869 2.2); an empty salt stands for HashLen zero bytes. */
export function hkdfExtract(newHash: () => MerkleDamgardHash, salt: Bytes, ikm: Bytes): Bytes {
  const key = salt.length > 0 ? salt : alloc(newHash().digestLen);
  return new Hmac(newHash, key).update(ikm).digest();
}

/** HKDF-Expand (RFC 5869 2.3) to `length` bytes, 0 <= length <= 255 * HashLen; PRK of at least HashLen bytes. */
export function hkdfExpand(newHash: () => MerkleDamgardHash, prk: Bytes, info: Bytes, length: number): Bytes {
  const hashLen = newHash().digestLen;
  if (prk.length < hashLen) {
    throw new Error("hkdf: PRK of " + prk.length + " bytes is shorter than HashLen (" + hashLen + ")");
  }
  checkLength(length, hashLen);
  const okm = alloc(length);
  const counter = alloc(1);
  let prev = alloc(0);
  let pos = 0;
  for (let i = 1; pos < length; i++) {
    counter[0] = i;
    const mac = new Hmac(newHash, prk);
    const t = mac.update(prev).update(info).update(counter).digest();
    wipe(prev);
    const take = length - pos < hashLen ? length - pos : hashLen;
    for (let j = 0; j < take; j++) {
      okm[pos + j] = t[j];
    }
    pos += take;
    prev = t;
  }
  wipe(prev);
  return okm;
}

function hkdf(newHash: () => MerkleDamgardHash, ikm: Bytes, salt: Bytes, info: Bytes, length: number): Bytes {
  const prk = hkdfExtract(newHash, salt, ikm);
  try {
    return hkdfExpand(newHash, prk, info, length);
  } finally {
    wipe(prk);
  }
}

/** HKDF-SHA-256(ikm, salt, info) to length bytes (at most 8160). */
export function hkdfSha256(ikm: Bytes, salt: Bytes, info: Bytes, length: number): Bytes {
  // The one-shot hmacSha256 (no hash objects per call) on T(i-1) | info | i.
  checkLength(length, SHA256_DIGEST_LEN);
  const prk = hmacSha256(salt.length > 0 ? salt : alloc(SHA256_DIGEST_LEN), ikm);
  const okm = alloc(length);
  const n = info.length;
  const first = alloc(n + 1);
  const next = alloc(SHA256_DIGEST_LEN + n + 1);
  try {
    for (let j = 0; j < n; j++) {
      first[j] = info[j];
      next[SHA256_DIGEST_LEN + j] = info[j];
    }
    first[n] = 1;
    let pos = 0;
    for (let i = 1; pos < length; i++) {
      next[SHA256_DIGEST_LEN + n] = i & 0xff;
      const t = hmacSha256(prk, i === 1 ? first : next);
      const take = length - pos < SHA256_DIGEST_LEN ? length - pos : SHA256_DIGEST_LEN;
      for (let j = 0; j < take; j++) {
        okm[pos + j] = t[j];
      }
      for (let j = 0; j < SHA256_DIGEST_LEN; j++) {
        next[j] = t[j];
      }
      wipe(t);
      pos += take;
    }
    return okm;
  } finally {
    wipe(prk);
    wipe(next);
  }
}

/** HKDF-SHA-512(ikm, salt, info) to length bytes (at most 16320). */
export function hkdfSha512(ikm: Bytes, salt: Bytes, info: Bytes, length: number): Bytes {
  return hkdf(newSha512, ikm, salt, info, length);
}
