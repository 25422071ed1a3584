/**
 * HMAC (RFC 2104, FIPS 198-1) over the Merkle-Damgard hashes, with an incremental
 * form for callers that MAC data in pieces (HKDF, Noise). Keys longer than a block
 * are hashed first; shorter ones are zero-padded to the block length.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";
import { MerkleDamgardHash } from "./merkle-damgard";
import { Sha256 } from "./sha256";
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

/** HMAC-SHA-256(key, msg): 32 bytes. Any key length. */
export function hmacSha256(key: Bytes, msg: Bytes): Bytes {
  return new Hmac(newSha256, key).update(msg).digest();
}

/** HMAC-SHA-512(key, msg): 64 bytes. Any key length. */
export function hmacSha512(key: Bytes, msg: Bytes): Bytes {
  return new Hmac(newSha512, key).update(msg).digest();
}
