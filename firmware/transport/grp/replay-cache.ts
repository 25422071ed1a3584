/**
 * Client ephemeral keys a relay has seen recently (docs/grp.md §8). A Noise IK first
 * message can be replayed by anyone who recorded it; the replay cannot produce a usable
 * session, but refusing it early saves the relay a KEM decapsulation and keeps replays
 * visible. Bounded: the oldest entries go first.
 */
import { Bytes } from "../../port/bytes";
import { toHex } from "../../port/hex";

export class ReplayCache {
  private expiry: Record<string, number | undefined>;
  private order: string[];
  private head: number;
  private windowMs: number;
  private capacity: number;

  constructor(windowMs: number, capacity: number) {
    this.expiry = {};
    this.order = [];
    this.head = 0;
    this.windowMs = windowMs;
    this.capacity = capacity;
  }

  private evictOne(): void {
    const k = this.order[this.head];
    this.expiry[k] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** True when key was seen within the window; otherwise records it and returns false. */
  checkAndRecord(key: Bytes, nowMs: number): boolean {
    while (this.head < this.order.length) {
      const until = this.expiry[this.order[this.head]];
      if (until !== undefined && until > nowMs) {
        break;
      }
      this.evictOne();
    }
    const k = toHex(key);
    const until = this.expiry[k];
    if (until !== undefined && until > nowMs) {
      return true;
    }
    if (this.order.length - this.head >= this.capacity) {
      this.evictOne();
    }
    this.expiry[k] = nowMs + this.windowMs;
    this.order.push(k);
    return false;
  }
}
