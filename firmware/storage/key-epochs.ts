/**
 * Forward-secure key epochs for the journal. Epoch keys form a one-way chain,
 * k(n+1) = HKDF-SHA256(k(n), info "tsense epoch"), and only the key of the oldest epoch
 * still holding records is stored (with the current epoch number); newer keys are derived
 * from it. Erasing the oldest epoch replaces its key with the next one, so its records
 * can never be decrypted again, whatever is left of them on the SD card.
 * Record keys are derived separately (info "tsense record"), so the chain key itself
 * never meets a cipher.
 */
import { Bytes, alloc, fromAscii, wipe } from "../port/bytes";
import { SmpReader, SmpWriter } from "../port/encoding";
import { CryptoProvider, RandomSource } from "../crypto/provider";

const EPOCH_INFO = "tsense epoch";
const RECORD_INFO = "tsense record";
const STATE_INFO = "tsense state";
const FORMAT = 1;
export const KEY_LENGTH = 32;

export class EpochKeys {
  private p: CryptoProvider;
  oldestEpoch: number;
  private oldestKey: Bytes;
  currentEpoch: number;
  /** Key for the write-ahead state store; fixed for the device's life. */
  stateKey: Bytes;
  /**
   * Boot counter, saved incremented at every boot before anything is encrypted. It is part
   * of every journal and state-store nonce, so a number a torn write had already used
   * before a power cut can never meet the same key again.
   */
  boot: number;
  /**
   * Record keys already derived (dense parallel lists; a few live epochs): every journal
   * read and append needs one, and deriving walks the chain from the oldest epoch (an HKDF
   * per step). Wiped with their epoch.
   */
  private cachedEpochs: number[];
  private cachedKeys: Bytes[];

  constructor(p: CryptoProvider, oldestEpoch: number, oldestKey: Bytes, currentEpoch: number, stateKey: Bytes, boot: number) {
    this.p = p;
    this.oldestEpoch = oldestEpoch;
    this.oldestKey = oldestKey;
    this.currentEpoch = currentEpoch;
    this.stateKey = stateKey;
    this.boot = boot;
    this.cachedEpochs = [];
    this.cachedKeys = [];
  }

  private next(k: Bytes): Bytes {
    return this.p.hkdfSha256(k, alloc(0), fromAscii(EPOCH_INFO), KEY_LENGTH);
  }

  /** The AEAD key of an epoch's records; throws for an erased or future epoch. */
  recordKey(epoch: number): Bytes {
    if (epoch < this.oldestEpoch || epoch > this.currentEpoch) {
      throw new Error("epoch " + epoch + " key is not available (live epochs " + this.oldestEpoch + ".." + this.currentEpoch + ")");
    }
    for (let i = 0; i < this.cachedEpochs.length; i++) {
      if (this.cachedEpochs[i] === epoch) {
        return this.cachedKeys[i];
      }
    }
    let k = this.oldestKey;
    for (let e = this.oldestEpoch; e < epoch; e++) {
      k = this.next(k);
    }
    const rk = this.p.hkdfSha256(k, alloc(0), fromAscii(RECORD_INFO), KEY_LENGTH);
    this.cachedEpochs.push(epoch);
    this.cachedKeys.push(rk);
    return rk;
  }

  /** Starts a new epoch; records appended from now on use its key. */
  advance(): void {
    this.currentEpoch = this.currentEpoch + 1;
  }

  /** Forgets the oldest epoch's key (its records become unreadable). */
  eraseOldest(): void {
    if (this.oldestEpoch >= this.currentEpoch) {
      throw new Error("cannot erase the current epoch");
    }
    this.oldestKey = this.next(this.oldestKey);
    this.oldestEpoch = this.oldestEpoch + 1;
    const epochs: number[] = [];
    const keys: Bytes[] = [];
    for (let i = 0; i < this.cachedEpochs.length; i++) {
      if (this.cachedEpochs[i] < this.oldestEpoch) {
        wipe(this.cachedKeys[i]);
      } else {
        epochs.push(this.cachedEpochs[i]);
        keys.push(this.cachedKeys[i]);
      }
    }
    this.cachedEpochs = epochs;
    this.cachedKeys = keys;
  }

  serialize(): Bytes {
    return new SmpWriter()
      .byte(FORMAT)
      .word32(this.oldestEpoch)
      .word32(this.currentEpoch)
      .word32(this.boot)
      .short(this.oldestKey)
      .short(this.stateKey)
      .finish();
  }
}

/** Fresh keys for a new device, from 64 bytes of hardware randomness. */
export function newEpochKeys(p: CryptoProvider, random: RandomSource): EpochKeys {
  const seed = random(2 * KEY_LENGTH);
  const root = p.hkdfSha256(seed, alloc(0), fromAscii(EPOCH_INFO), KEY_LENGTH);
  const stateKey = p.hkdfSha256(seed, alloc(0), fromAscii(STATE_INFO), KEY_LENGTH);
  return new EpochKeys(p, 0, root, 0, stateKey, 0);
}

export function deserializeEpochKeys(p: CryptoProvider, b: Bytes): EpochKeys | string {
  const r = new SmpReader(b);
  const format = r.byte();
  const oldest = r.word32();
  const current = r.word32();
  const boot = r.word32();
  const key = r.short();
  const stateKey = r.short();
  r.end();
  if (r.failed !== undefined || format !== FORMAT || key.length !== KEY_LENGTH || stateKey.length !== KEY_LENGTH || oldest > current) {
    return "key store: malformed";
  }
  return new EpochKeys(p, oldest, key, current, stateKey, boot);
}
