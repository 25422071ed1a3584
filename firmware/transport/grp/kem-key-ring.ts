/**
 * The relay's ML-KEM-768 keys (docs/grp.md §5): one current key, offered in every relay
 * hello, replaced every rotation interval; a replaced key still decapsulates for a grace
 * period, so clients that cached it keep connecting while they learn the new one.
 * Time is passed in (milliseconds on any monotonic clock).
 */
import { Bytes, equalBytes, wipe } from "../../port/bytes";
import { CryptoProvider, RandomSource } from "../../crypto/provider";
import { kemKeyId } from "./hybrid";

export interface RelayKemKey {
  id: Bytes;
  encapsulationKey: Bytes;
  decapsulationKey: Bytes;
  createdMs: number;
  /** When it stopped being current; -1 while current. */
  retiredMs: number;
}

export interface KemKeyRingOptions {
  /** 0 = never rotate. */
  rotationMs: number;
  graceMs: number;
  /** Seed of the first key (a key kept across a relay restart); undefined = a fresh one. */
  firstSeed?: Bytes;
  /** Told the seed of every new current key, so the relay can keep it across restarts. */
  onNewKey?: (this: void, seed: Bytes) => void;
}

const ML_KEM_SEED_SIZE = 64;

export class KemKeyRing {
  private p: CryptoProvider;
  private options: KemKeyRingOptions;
  private keys: RelayKemKey[];
  private random: RandomSource;

  /** random: where key generation seeds come from; undefined = the provider's randomBytes. */
  constructor(p: CryptoProvider, options: KemKeyRingOptions, nowMs: number, random: RandomSource | undefined) {
    if (options.rotationMs < 0 || options.graceMs < 0) {
      throw new Error("grp: KEM rotation and grace must not be negative");
    }
    this.p = p;
    this.random = random !== undefined ? random : (n: number): Bytes => p.randomBytes(n);
    this.options = options;
    this.keys = [];
    this.rotate(nowMs);
  }

  /** Makes a fresh current key now; the previous one enters its grace period. */
  rotate(nowMs: number): RelayKemKey {
    return this.replace(nowMs, nowMs);
  }

  private replace(retiredMs: number, nowMs: number): RelayKemKey {
    const first = this.keys.length === 0 ? this.options.firstSeed : undefined;
    const seed = first !== undefined && first.length === ML_KEM_SEED_SIZE ? first : this.random(ML_KEM_SEED_SIZE);
    const kp = this.p.mlkem768Keygen(seed);
    const onNewKey = this.options.onNewKey;
    if (onNewKey !== undefined) {
      onNewKey(seed);
    }
    if (this.keys.length > 0) {
      this.keys[this.keys.length - 1].retiredMs = retiredMs;
    }
    const key: RelayKemKey = {
      id: kemKeyId(this.p, kp.publicKey),
      encapsulationKey: kp.publicKey,
      decapsulationKey: kp.secretKey,
      createdMs: nowMs,
      retiredMs: -1,
    };
    this.keys.push(key);
    return key;
  }

  private prune(nowMs: number): void {
    const kept: RelayKemKey[] = [];
    for (const k of this.keys) {
      if (k.retiredMs < 0 || nowMs < k.retiredMs + this.options.graceMs) {
        kept.push(k);
      } else {
        wipe(k.decapsulationKey);
      }
    }
    this.keys = kept;
  }

  current(nowMs: number): RelayKemKey {
    const cur = this.keys[this.keys.length - 1];
    const every = this.options.rotationMs;
    if (every > 0 && nowMs >= cur.createdMs + every) {
      // On schedule even when nobody asked for a while: the grace period starts when the
      // key was due, and the new key dates from the last due time.
      const periods = Math.floor((nowMs - cur.createdMs) / every);
      this.replace(cur.createdMs + every, cur.createdMs + periods * every);
    }
    this.prune(nowMs);
    return this.keys[this.keys.length - 1];
  }

  /** The current key or one still in its grace period with this id, else undefined. */
  find(id: Bytes, nowMs: number): RelayKemKey | undefined {
    this.current(nowMs);
    for (const k of this.keys) {
      if (equalBytes(k.id, id)) {
        return k;
      }
    }
    return undefined;
  }

  /** Number of keys that still decapsulate (current + in grace). */
  size(): number {
    return this.keys.length;
  }
}
