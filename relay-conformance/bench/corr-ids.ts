import type { CryptoProvider } from "../../firmware/crypto/provider";
import { CORR_ID_SIZE } from "../../firmware/transport/smp/transmission";

/** Correlation ids for the load generators, cut from a pooled random buffer: one provider call per ~680 ids. */
export function corrIdSource(provider: CryptoProvider): () => Buffer {
  let pool = Buffer.alloc(0);
  let off = 0;
  return () => {
    if (off + CORR_ID_SIZE > pool.length) {
      pool = Buffer.from(provider.randomBytes(680 * CORR_ID_SIZE) as Uint8Array);
      off = 0;
    }
    off += CORR_ID_SIZE;
    return pool.subarray(off - CORR_ID_SIZE, off);
  };
}
