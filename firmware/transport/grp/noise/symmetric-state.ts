/**
 * Noise SymmetricState (§5.2): the chaining key ck, the handshake hash h and a
 * CipherState. MixKeyAndHash (psk) is not needed by GRP and not implemented.
 */
import { Bytes, alloc, concat, copyInto, fromAscii, slice, wipe } from "../../../port/bytes";
import { CryptoProvider } from "../../../crypto/provider";
import { CIPHER_KEY_LEN, CipherState } from "./cipher-state";
import { NoiseHash, noiseHkdf } from "./hash-function";

function truncateKey(k: Bytes): Bytes {
  return k.length === CIPHER_KEY_LEN ? k : slice(k, 0, CIPHER_KEY_LEN);
}

export class SymmetricState {
  private p: CryptoProvider;
  readonly hashFn: NoiseHash;
  private ck: Bytes;
  private h: Bytes;
  private cs: CipherState;

  constructor(p: CryptoProvider, hashFn: NoiseHash, protocolName: string) {
    this.p = p;
    this.hashFn = hashFn;
    const name = fromAscii(protocolName);
    if (name.length <= hashFn.hashLen) {
      const padded = alloc(hashFn.hashLen);
      copyInto(padded, 0, name, 0, name.length);
      this.h = padded;
    } else {
      this.h = hashFn.hash(name);
    }
    this.ck = slice(this.h, 0, this.h.length);
    this.cs = new CipherState(p);
  }

  mixKey(ikm: Bytes): void {
    const out = noiseHkdf(this.hashFn, this.ck, ikm, 2);
    this.ck = out[0];
    this.cs.initializeKey(truncateKey(out[1]));
  }

  mixHash(data: Bytes): void {
    this.h = this.hashFn.hash(concat(this.h, data));
  }

  hasKey(): boolean {
    return this.cs.hasKey();
  }

  handshakeHash(): Bytes {
    return this.h;
  }

  /** The chaining key; GRP uses it as the HKDF salt of its hybrid transport keys. */
  chainingKey(): Bytes {
    return this.ck;
  }

  encryptAndHash(plaintext: Bytes): Bytes {
    const c = this.cs.encryptWithAd(this.h, plaintext);
    this.mixHash(c);
    return c;
  }

  /** Returns undefined when authentication fails. */
  decryptAndHash(ciphertext: Bytes): Bytes | undefined {
    const pt = this.cs.decryptWithAd(this.h, ciphertext);
    if (pt !== undefined) {
      this.mixHash(ciphertext);
    }
    return pt;
  }

  /** Erases the chaining key and the handshake cipher key (h stays: it is public and the session id). */
  wipeSecrets(): void {
    wipe(this.ck);
    this.cs.destroy();
  }

  /** Split(): the initiator's sending and receiving CipherStates, in that order. */
  split(): CipherState[] {
    const out = noiseHkdf(this.hashFn, this.ck, alloc(0), 2);
    const c1 = new CipherState(this.p);
    c1.initializeKey(truncateKey(out[0]));
    const c2 = new CipherState(this.p);
    c2.initializeKey(truncateKey(out[1]));
    return [c1, c2];
  }
}
