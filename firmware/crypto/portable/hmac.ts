/**
 * HMAC (RFC 2104, FIPS 198-1) over the Merkle-Damgard hashes, with an incremental
 * form for callers that MAC data in pieces (HKDF, Noise). Keys longer than a block
 * are hashed first; shorter ones are zero-padded to the block length.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";
import { MerkleDamgardHash } from "./merkle-damgard";
import {
  SHA256_BLOCK_LEN,
  SHA256_DIGEST_LEN,
  Sha256,
  sha256Blocks,
  sha256Finish,
  sha256Init,
  sha256Output,
} from "./sha256";
import { Sha512 } from "./sha512";

const IPAD = 0x36;
const OPAD = 0x5c;

/** Incremental HMAC: `new Hmac(newSha256, key).update(a).update(b).digest()`. */
export class Hmac {
  private readonly inner: MerkleDamgardHash;
  private readonly outer: MerkleDamgardHash;

  constructor(newHash: () => MerkleDamgardHash, key: Bytes) {
    this.inner = newHash();
    this.outer = newHash();
    const bl = this.inner.blockLen;
    const pad = alloc(bl);
    const k = key.length > bl ? newHash().update(key).digest() : key;
    for (let i = 0; i < k.length; i++) {
      pad[i] = k[i];
    }
    for (let i = 0; i < bl; i++) {
      pad[i] = (pad[i] ^ IPAD) & 0xff;
    }
    this.inner.update(pad);
    for (let i = 0; i < bl; i++) {
      pad[i] = (pad[i] ^ IPAD ^ OPAD) & 0xff;
    }
    this.outer.update(pad);
    wipe(pad);
    if (k !== key) {
      wipe(k);
    }
  }

  update(data: Bytes): this {
    this.inner.update(data);
    return this;
  }

  /** The tag; the object cannot be used afterwards. */
  digest(): Bytes {
    const innerDigest = this.inner.digest();
    const tag = this.outer.update(innerDigest).digest();
    wipe(innerDigest);
    return tag;
  }
}

export function newSha256(): MerkleDamgardHash {
  return new Sha256();
}

export function newSha512(): MerkleDamgardHash {
  return new Sha512();
}

function words(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(0);
  }
  return a;
}

// Scratch of the one-shot HMAC-SHA-256 (portable code is synchronous, so calls never
// overlap); every piece is wiped before returning. Building no hash objects per call is
// what makes short MACs fast: each call used to allocate five objects and three buffers.
const KEY_BLOCK = alloc(SHA256_BLOCK_LEN);
const INNER_DIGEST = alloc(SHA256_DIGEST_LEN);
const INNER = words(8);
const OUTER = words(8);

/** HMAC-SHA-256(key, msg): 32 bytes. Any key length. */
export function hmacSha256(key: Bytes, msg: Bytes): Bytes {
  const kb = KEY_BLOCK;
  const hi = INNER;
  const ho = OUTER;
  const n = key.length;
  try {
    if (n > SHA256_BLOCK_LEN) {
      // K' = H(K), zero-padded (the hash lands in kb[0..32), the rest stays zero).
      sha256Init(hi);
      sha256Finish(hi, key, 0);
      sha256Output(hi, kb, 0);
    } else {
      for (let i = 0; i < n; i++) {
        kb[i] = key[i];
      }
    }
    for (let i = 0; i < SHA256_BLOCK_LEN; i++) {
      kb[i] = (kb[i] ^ IPAD) & 0xff;
    }
    sha256Init(hi);
    sha256Blocks(hi, kb, 0, 1);
    for (let i = 0; i < SHA256_BLOCK_LEN; i++) {
      kb[i] = (kb[i] ^ IPAD ^ OPAD) & 0xff;
    }
    sha256Init(ho);
    sha256Blocks(ho, kb, 0, 1);
    wipe(kb);
    sha256Finish(hi, msg, SHA256_BLOCK_LEN);
    sha256Output(hi, INNER_DIGEST, 0);
    sha256Finish(ho, INNER_DIGEST, SHA256_BLOCK_LEN);
    const tag = alloc(SHA256_DIGEST_LEN);
    sha256Output(ho, tag, 0);
    return tag;
  } finally {
    // Normally already clean; after an exception (bad msg) no key material stays behind.
    wipe(kb);
    wipe(INNER_DIGEST);
    for (let i = 0; i < 8; i++) {
      hi[i] = 0;
      ho[i] = 0;
    }
  }
}

/** HMAC-SHA-512(key, msg): 64 bytes. Any key length. */
export function hmacSha512(key: Bytes, msg: Bytes): Bytes {
  return new Hmac(newSha512, key).update(msg).digest();
}
