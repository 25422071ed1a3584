/**
 * An in-memory StorageFs with power-cut injection: give it a byte budget and the write
 * that crosses it stops at exactly that byte and throws POWER_CUT; nothing after runs.
 * Every byte written counts, and so do remove/truncate (one unit each), so a test can
 * cut power at every offset of a scripted run. Used by tests and by the simulator's
 * virtual SD card.
 */
import { Bytes, alloc, concat, copyInto, slice } from "../port/bytes";
import { StorageFs } from "./storage-fs";

export const POWER_CUT = "power cut";

export class MemoryFs implements StorageFs {
  private files: Record<string, Bytes>;
  private names: string[];
  /** Units left before the power goes; -1 = never. */
  budget: number;
  /** Units used so far (bytes written + metadata operations). */
  used: number;

  constructor() {
    this.files = {};
    this.names = [];
    this.budget = -1;
    this.used = 0;
  }

  private spend(n: number): number {
    if (this.budget < 0) {
      this.used += n;
      return n;
    }
    const ok = n <= this.budget ? n : this.budget;
    this.budget -= ok;
    this.used += ok;
    return ok;
  }

  private put(name: string, data: Bytes): void {
    if (this.files[name] === undefined) {
      this.names.push(name);
      this.names.sort();
    }
    this.files[name] = data;
  }

  read(name: string): Bytes | undefined {
    const f = this.files[name];
    return f === undefined ? undefined : slice(f, 0, f.length);
  }

  append(name: string, data: Bytes): void {
    const old = this.files[name];
    const base = old === undefined ? alloc(0) : old;
    const n = this.spend(data.length);
    this.put(name, concat(base, slice(data, 0, n)));
    if (n < data.length) {
      throw new Error(POWER_CUT);
    }
  }

  write(name: string, data: Bytes): void {
    const n = this.spend(data.length);
    const out = alloc(n);
    copyInto(out, 0, data, 0, n);
    this.put(name, out);
    if (n < data.length) {
      throw new Error(POWER_CUT);
    }
  }

  truncate(name: string, length: number): void {
    if (this.spend(1) < 1) {
      throw new Error(POWER_CUT);
    }
    const f = this.files[name];
    if (f !== undefined && length < f.length) {
      this.files[name] = slice(f, 0, length);
    }
  }

  remove(name: string): void {
    if (this.spend(1) < 1) {
      throw new Error(POWER_CUT);
    }
    if (this.files[name] !== undefined) {
      this.files[name] = alloc(0);
      const keep: string[] = [];
      for (const n of this.names) {
        if (n !== name) {
          keep.push(n);
        }
      }
      this.names = keep;
      const fresh: Record<string, Bytes> = {};
      for (const n of keep) {
        fresh[n] = this.files[n];
      }
      this.files = fresh;
    }
  }

  list(): string[] {
    return this.names.slice(0);
  }

  /** Total bytes stored, for budgets and metrics. */
  totalBytes(): number {
    let n = 0;
    for (const name of this.names) {
      n += this.files[name].length;
    }
    return n;
  }
}
