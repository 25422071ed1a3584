/**
 * Noise hash functions (Noise revision 34, §4.3): HASH, HASHLEN, BLOCKLEN, and the
 * HMAC/HKDF that Noise builds on them. HMAC is written once over any hash with its
 * block length because the provider has HMAC-SHA256 but no HMAC-BLAKE2s.
 */
import { Bytes, alloc, concat, copyInto } from "../../../port/bytes";
import { CryptoProvider } from "../../../crypto/provider";

export interface NoiseHash {
  /** The name in a Noise protocol name ("BLAKE2s", "SHA256"). */
  readonly name: string;
  readonly hashLen: number;
  readonly blockLen: number;
  hash(data: Bytes): Bytes;
  hmac(key: Bytes, data: Bytes): Bytes;
}

const IPAD = 0x36;
const OPAD = 0x5c;

/** RFC 2104 HMAC over `hash` with block length `blockLen`. */
export function hmacOver(hash: (data: Bytes) => Bytes, blockLen: number, key: Bytes, data: Bytes): Bytes {
  const k = key.length > blockLen ? hash(key) : key;
  const inner = alloc(blockLen + data.length);
  const outerKey = alloc(blockLen);
  for (let i = 0; i < blockLen; i++) {
    const b = i < k.length ? k[i] : 0;
    inner[i] = (b ^ IPAD) & 0xff;
    outerKey[i] = (b ^ OPAD) & 0xff;
  }
  copyInto(inner, blockLen, data, 0, data.length);
  return hash(concat(outerKey, hash(inner)));
}

/** Noise HKDF(chaining_key, input_key_material, num_outputs) for 2 or 3 outputs. */
export function noiseHkdf(h: NoiseHash, chainingKey: Bytes, ikm: Bytes, numOutputs: number): Bytes[] {
  if (numOutputs !== 2 && numOutputs !== 3) {
    throw new Error("noise: HKDF produces 2 or 3 outputs, not " + numOutputs);
  }
  const tempKey = h.hmac(chainingKey, ikm);
  const one = alloc(1);
  one[0] = 1;
  const out1 = h.hmac(tempKey, one);
  const two = alloc(1);
  two[0] = 2;
  const out2 = h.hmac(tempKey, concat(out1, two));
  if (numOutputs === 2) {
    return [out1, out2];
  }
  const three = alloc(1);
  three[0] = 3;
  return [out1, out2, h.hmac(tempKey, concat(out2, three))];
}

export const BLAKE2S_HASH_LEN = 32;
export const BLAKE2S_BLOCK_LEN = 64;
export const SHA256_HASH_LEN = 32;
export const SHA256_BLOCK_LEN = 64;

/** BLAKE2s-256 (unkeyed), HMAC built generically on it. */
export class Blake2sNoiseHash implements NoiseHash {
  readonly name: string;
  readonly hashLen: number;
  readonly blockLen: number;
  private p: CryptoProvider;
  private empty: Bytes;

  constructor(p: CryptoProvider) {
    this.name = "BLAKE2s";
    this.hashLen = BLAKE2S_HASH_LEN;
    this.blockLen = BLAKE2S_BLOCK_LEN;
    this.p = p;
    this.empty = alloc(0);
  }

  hash(data: Bytes): Bytes {
    return this.p.blake2s(data, BLAKE2S_HASH_LEN, this.empty);
  }

  hmac(key: Bytes, data: Bytes): Bytes {
    return hmacOver((d: Bytes) => this.hash(d), BLAKE2S_BLOCK_LEN, key, data);
  }
}

/** SHA-256; HMAC through the provider's HMAC-SHA256 (same function, often native). */
export class Sha256NoiseHash implements NoiseHash {
  readonly name: string;
  readonly hashLen: number;
  readonly blockLen: number;
  private p: CryptoProvider;

  constructor(p: CryptoProvider) {
    this.name = "SHA256";
    this.hashLen = SHA256_HASH_LEN;
    this.blockLen = SHA256_BLOCK_LEN;
    this.p = p;
  }

  hash(data: Bytes): Bytes {
    return this.p.sha256(data);
  }

  hmac(key: Bytes, data: Bytes): Bytes {
    return this.p.hmacSha256(key, data);
  }
}

export function blake2sHash(p: CryptoProvider): NoiseHash {
  return new Blake2sNoiseHash(p);
}

export function sha256Hash(p: CryptoProvider): NoiseHash {
  return new Sha256NoiseHash(p);
}

/** The hash function named in a protocol name; throws for names we do not implement. */
export function noiseHashByName(p: CryptoProvider, name: string): NoiseHash {
  if (name === "BLAKE2s") {
    return blake2sHash(p);
  }
  if (name === "SHA256") {
    return sha256Hash(p);
  }
  throw new Error("noise: unsupported hash '" + name + "'");
}
