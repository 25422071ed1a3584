/**
 * Noise CipherState (§5.1) with the ChaChaPoly cipher functions (§12.3): a 32-byte key
 * k and a 64-bit nonce n, kept as two u32 halves because portable code has no 64-bit
 * integers. The AEAD nonce is 4 zero bytes ‖ n as 64-bit little-endian.
 */
import { Bytes, alloc, slice, wipe } from "../../../port/bytes";
import { store32le } from "../../../port/u32";
import { CryptoProvider } from "../../../crypto/provider";

export const CIPHER_KEY_LEN = 32;
export const TAG_LEN = 16;
const AEAD_NONCE_LEN = 12;
const U32_MAX = 0xffffffff;

/** ChaChaPoly nonce encoding: 32 bits of zeros, then the 64-bit counter little-endian. */
export function chachaPolyNonce(hi: number, lo: number): Bytes {
  const nonce = alloc(AEAD_NONCE_LEN);
  store32le(nonce, 4, lo);
  store32le(nonce, 8, hi);
  return nonce;
}

export class CipherState {
  private p: CryptoProvider;
  private k: Bytes | undefined;
  /** Nonce, high and low 32 bits. */
  private nHi: number;
  private nLo: number;

  constructor(p: CryptoProvider) {
    this.p = p;
    this.k = undefined;
    this.nHi = 0;
    this.nLo = 0;
  }

  initializeKey(key: Bytes | undefined): void {
    if (key !== undefined && key.length !== CIPHER_KEY_LEN) {
      throw new Error("noise: cipher key must be 32 bytes, got " + key.length);
    }
    // A copy: the caller may wipe its key, and destroy() must not wipe the caller's.
    this.k = key === undefined ? undefined : slice(key, 0, key.length);
    this.nHi = 0;
    this.nLo = 0;
  }

  hasKey(): boolean {
    return this.k !== undefined;
  }

  /** The number of messages processed so far, as hi/lo u32 (for rekey schedules and tests). */
  nonceHi(): number {
    return this.nHi;
  }

  nonceLo(): number {
    return this.nLo;
  }

  /** Sets n (Noise SetNonce); used only to test nonce handling. */
  setNonce(hi: number, lo: number): void {
    this.nHi = hi >>> 0;
    this.nLo = lo >>> 0;
  }

  private nextNonce(): Bytes {
    // 2^64-1 is reserved for rekey (§5.1): refuse it rather than wrap.
    if (this.nHi === U32_MAX && this.nLo === U32_MAX) {
      throw new Error("noise: nonce exhausted");
    }
    const nonce = chachaPolyNonce(this.nHi, this.nLo);
    if (this.nLo === U32_MAX) {
      this.nLo = 0;
      this.nHi = (this.nHi + 1) >>> 0;
    } else {
      this.nLo = (this.nLo + 1) >>> 0;
    }
    return nonce;
  }

  encryptWithAd(ad: Bytes, plaintext: Bytes): Bytes {
    const k = this.k;
    if (k === undefined) {
      return plaintext;
    }
    return this.p.chacha20poly1305Seal(k, this.nextNonce(), ad, plaintext);
  }

  /** Returns undefined when authentication fails; n then stays unchanged (§5.1). */
  decryptWithAd(ad: Bytes, ciphertext: Bytes): Bytes | undefined {
    const k = this.k;
    if (k === undefined) {
      return ciphertext;
    }
    const opened = this.p.chacha20poly1305Open(k, chachaPolyNonce(this.nHi, this.nLo), ad, ciphertext);
    if (opened !== undefined) {
      this.nextNonce();
    }
    return opened;
  }

  /** Rekey(): k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes) (§4.2, §5.1). */
  rekey(): void {
    const k = this.k;
    if (k === undefined) {
      throw new Error("noise: rekey without a key");
    }
    const sealed = this.p.chacha20poly1305Seal(k, chachaPolyNonce(U32_MAX, U32_MAX), alloc(0), alloc(CIPHER_KEY_LEN));
    const next = alloc(CIPHER_KEY_LEN);
    for (let i = 0; i < CIPHER_KEY_LEN; i++) {
      next[i] = sealed[i];
    }
    wipe(k);
    this.k = next;
  }

  /** Erases the key; the state can no longer encrypt or decrypt. */
  destroy(): void {
    if (this.k !== undefined) {
      wipe(this.k);
    }
    this.k = undefined;
  }
}
