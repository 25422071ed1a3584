/**
 * One timer queue shared by every simulated device in a process (Node HAL, virtual
 * NodeMCU, virtual Espruino). A binary heap of deadlines, so hundreds of devices cost one
 * Node timer, not hundreds.
 *
 * Clocks:
 * - "real": `now()` follows the wall clock; the earliest deadline arms one Node timer.
 * - "virtual": time stands still until the host moves it: `advance(ms)` runs every timer
 *   due in that span in deadline order, and `runUntil(cond)` jumps straight to the next
 *   deadline whenever the devices have gone quiet (no I/O delivered for `quietMs` of real
 *   time), so a test of minutes of device time takes milliseconds.
 * Devices call `activity()` whenever they send, connect or deliver an I/O event, and
 * `hold()` around operations that are sure to end in an event (a connect attempt, a write
 * being flushed): no virtual jump happens while a hold is open, nor within `quietMs` of
 * real time after the last activity, so replies in flight on loopback are not overtaken
 * (a peer slower than that to answer should run on the real clock).
 */
export type ClockMode = "real" | "virtual";

interface Entry {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

export interface SchedulerOptions {
  mode: ClockMode;
  /** Called when a timer callback throws (default: rethrow on the next tick). */
  onError?: (e: unknown) => void;
}

export class Scheduler {
  readonly mode: ClockMode;
  private heap: Entry[] = [];
  private live = new Map<number, Entry>();
  private nextId = 1;
  private seq = 0;
  private virtualNow = 0;
  private readonly epoch = performance.now();
  private armed: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private lastActivity = 0;
  private holds = 0;
  private readonly onError: (e: unknown) => void;

  constructor(options: SchedulerOptions) {
    this.mode = options.mode;
    this.onError =
      options.onError ??
      ((e) => {
        queueMicrotask(() => {
          throw e;
        });
      });
  }

  /** Milliseconds since the scheduler started (virtual or real). */
  now(): number {
    return this.mode === "virtual" ? this.virtualNow : performance.now() - this.epoch;
  }

  /** Runs `fn` once, `ms` from now; returns an id for cancel(). */
  setTimer(ms: number, fn: () => void): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`setTimer: bad delay ${ms}`);
    const e: Entry = { id: this.nextId++, due: this.now() + ms, seq: this.seq++, fn };
    this.live.set(e.id, e);
    this.push(e);
    this.arm();
    return e.id;
  }

  cancel(id: number): void {
    // Lazy deletion: the heap entry is skipped when it surfaces.
    this.live.delete(id);
  }

  /** Timers still pending (for tests and leak checks). */
  pending(): number {
    return this.live.size;
  }

  /** Marks that a device just handled I/O (see the file comment). */
  activity(): void {
    this.lastActivity = performance.now();
  }

  /** Blocks virtual jumps until the returned release function is called (idempotent). */
  hold(): () => void {
    this.holds++;
    this.activity();
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.holds--;
        this.activity();
      }
    };
  }

  /** Virtual clock: runs every timer due within the next `ms`, then sets the clock to now + ms. */
  advance(ms: number): void {
    if (this.mode !== "virtual") throw new Error("advance() needs a virtual clock");
    const end = this.virtualNow + ms;
    for (;;) {
      const e = this.peek();
      if (e === undefined || e.due > end) break;
      this.virtualNow = Math.max(this.virtualNow, e.due);
      this.fire(e);
    }
    this.virtualNow = end;
  }

  /**
   * Lets the devices run until `cond()` holds or `timeoutMs` of *device* time passed
   * (real clock: wall time), or `realTimeoutMs` of wall time (default 60 s) in any case.
   * Throws on timeout, naming `what`.
   */
  async runUntil(cond: () => boolean, options: { timeoutMs: number; realTimeoutMs?: number; what?: string; quietMs?: number }): Promise<void> {
    const start = this.now();
    const realStart = performance.now();
    const quiet = options.quietMs ?? 3;
    for (;;) {
      if (cond()) return;
      const what = options.what ?? "condition";
      if (this.now() - start > options.timeoutMs) {
        throw new Error(`timed out after ${options.timeoutMs} ms${this.mode === "virtual" ? " (virtual)" : ""} waiting for ${what}`);
      }
      if (performance.now() - realStart > (options.realTimeoutMs ?? 60_000)) {
        throw new Error(`timed out after ${options.realTimeoutMs ?? 60_000} ms of real time waiting for ${what}`);
      }
      if (this.mode === "real") {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      // Give loopback I/O a chance first; jump to the next deadline only once things are quiet.
      await new Promise((r) => setImmediate(r));
      if (this.holds > 0 || performance.now() - this.lastActivity < quiet) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      const next = this.peek();
      const limit = start + options.timeoutMs + 1;
      if (next === undefined || next.due > limit) {
        // Nothing scheduled: wait for I/O in real time, but let the clock move so the timeout can trigger.
        await new Promise((r) => setTimeout(r, 1));
        this.advance(Math.min(10, limit - this.virtualNow));
      } else {
        this.advance(Math.max(0, next.due - this.virtualNow));
      }
    }
  }

  /** Cancels every timer and the Node timer behind them. */
  close(): void {
    this.live.clear();
    this.heap = [];
    if (this.armed !== undefined) clearTimeout(this.armed);
    this.armed = undefined;
    this.armedFor = Infinity;
  }

  private fire(e: Entry): void {
    this.popTop();
    if (this.live.get(e.id) !== e) return;
    this.live.delete(e.id);
    try {
      e.fn();
    } catch (err) {
      this.onError(err);
    }
  }

  private arm(): void {
    if (this.mode !== "real") return;
    const e = this.peek();
    if (e === undefined) return;
    if (this.armed !== undefined && this.armedFor <= e.due) return;
    if (this.armed !== undefined) clearTimeout(this.armed);
    this.armedFor = e.due;
    this.armed = setTimeout(() => {
      this.armed = undefined;
      this.armedFor = Infinity;
      const now = this.now();
      for (;;) {
        const top = this.peek();
        if (top === undefined || top.due > now) break;
        this.fire(top);
      }
      this.arm();
    }, Math.max(0, e.due - this.now()));
  }

  /** The earliest live entry (dropping cancelled ones on the way). */
  private peek(): Entry | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0];
      if (this.live.get(top.id) === top) return top;
      this.popTop();
    }
    return undefined;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private popTop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
