/**
 * One direction of the transport (docs/grp.md §7): ChaCha20-Poly1305 with the hybrid
 * key, the Noise nonce (4 zero bytes ‖ 64-bit little-endian counter from 0, never
 * sent), empty associated data, and Noise Rekey() after every REKEY_INTERVAL frames.
 */
import { Bytes, alloc } from "../../port/bytes";
import { CryptoProvider } from "../../crypto/provider";
import { CipherState } from "./noise/cipher-state";
import { REKEY_INTERVAL } from "./constants";

const EMPTY = alloc(0);

export class TransportCipher {
  private cs: CipherState;

  constructor(p: CryptoProvider, key: Bytes) {
    this.cs = new CipherState(p);
    this.cs.initializeKey(key);
  }

  private afterFrame(): void {
    // REKEY_INTERVAL is a power of two no larger than 2^32, so the low word decides.
    if ((this.cs.nonceLo() & (REKEY_INTERVAL - 1)) === 0) {
      this.cs.rekey();
    }
  }

  seal(plaintext: Bytes): Bytes {
    const c = this.cs.encryptWithAd(EMPTY, plaintext);
    this.afterFrame();
    return c;
  }

  /** undefined when the frame is not authentic at the expected nonce. */
  open(frame: Bytes): Bytes | undefined {
    const pt = this.cs.decryptWithAd(EMPTY, frame);
    if (pt !== undefined) {
      this.afterFrame();
    }
    return pt;
  }

  /** Frames processed so far (low 32 bits), for tests and statistics. */
  count(): number {
    return this.cs.nonceLo();
  }

  /** Test hook: jump the counter, to exercise rekeying and nonce limits without 2^n frames. */
  setCount(hi: number, lo: number): void {
    this.cs.setNonce(hi, lo);
  }

  destroy(): void {
    this.cs.destroy();
  }
}
