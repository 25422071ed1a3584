/**
 * The simulator's one scheduler: every device timer, fault and metric tick of a run sits in
 * one EventQueue keyed by (virtual time, insertion order).
 *
 * Modes:
 * - `stepped`: virtual time jumps to the next event; nothing waits on the wall clock, so a
 *   run is as fast as the CPU allows and, for one seed, always the same sequence.
 * - `realtime` / `accelerated`: virtual time = start + wall time elapsed × speed
 *   (realtime is speed 1). Events run when their time comes; the loop sleeps in between
 *   and yields to Node's event loop, so socket I/O (loopback relay, proxy) runs alongside.
 *
 * I/O-driven work: socket callbacks call `post(fn)` (run at the current virtual time,
 * after what is already due) or `at`/`after`. In stepped mode a driver that must wait for
 * real I/O before time may move on (a request on a loopback socket) takes `hold()` and
 * calls the returned release when the answer arrived; time does not advance past the
 * current instant while a hold is open (events at the current instant still run).
 * Drivers also call `activity()` whenever bytes move; with `quietMs` set, stepped time
 * only jumps ahead once no activity has been seen for that much wall time, so replies
 * already in flight on loopback are not overtaken (the firmware HAL's contract).
 */
import { EventQueue, type QueueEntry } from "./event-queue";

export type ClockMode =
  | { mode: "realtime" }
  | { mode: "accelerated"; speed: number }
  | { mode: "stepped" };

export type Task = () => void;

export interface Timer {
  /** Virtual time it fires at. */
  readonly time: number;
  /** False if it already fired or was cancelled. */
  cancel(): boolean;
}

export interface SchedulerOptions {
  mode: ClockMode;
  /** Virtual time at the start, ms (default 0). */
  startMs?: number;
  /** Wall clock in ms, for realtime/accelerated (default performance.now). */
  wallClock?: () => number;
  /** Called with the error when a task throws; default: the run rejects with it. */
  onTaskError?: (error: unknown) => void;
  /** Stepped mode: wall ms without activity() before virtual time may jump ahead (default 0). */
  quietMs?: number;
}

export interface RunOptions {
  /** Give up (reject) after this much wall time. */
  maxWallMs?: number;
  /** Stepped mode: the longest a hold may keep time still before the run rejects (default 30 s). */
  maxHoldWallMs?: number;
}

export interface RunResult {
  /** Virtual time when the run ended. */
  endMs: number;
  /** Tasks run during this call. */
  tasks: number;
  /** True if stop() ended it before untilMs. */
  stopped: boolean;
}

/** A wall clock every thread of a process reads alike (ms since the epoch, sub-ms resolution). */
export function sharedWallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** Stepped mode yields to Node's event loop after this much wall time (progress lines, I/O). */
const STEPPED_YIELD_WALL_MS = 20;
/** The longest delay setTimeout takes. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Realtime: most tasks run back to back before yielding to I/O. */
const REALTIME_BATCH = 2000;
/**
 * Realtime: most wall time tasks run back to back before yielding to I/O (1,000 devices' due
 * timers held a shard's sockets for 300-600 ms at a time when only the count bounded a batch).
 */
const REALTIME_YIELD_WALL_MS = 10;

export class Scheduler {
  readonly mode: ClockMode;
  private readonly queue = new EventQueue<Task>();
  private readonly wall: () => number;
  private readonly speed: number;
  private readonly onTaskError?: (error: unknown) => void;
  private virtualNow: number;
  /** Realtime anchor: virtual time `anchorVirtual` was wall time `anchorWall`. */
  private anchorVirtual = 0;
  private anchorWall = 0;
  private running = false;
  private stopRequested = false;
  private holds = 0;
  private wake: (() => void) | undefined;
  private wakeAt = Infinity;
  private tasksRun = 0;
  private taskTime: number | undefined;
  private readonly quietMs: number;
  private lastActivityWall = -Infinity;
  /** anchorAt() fixed the anchor: run() keeps it, and time flows between runs too. */
  private fixedAnchor = false;

  constructor(options: SchedulerOptions) {
    this.mode = options.mode;
    if (options.mode.mode === "accelerated") {
      const s = options.mode.speed;
      if (!(Number.isFinite(s) && s > 0)) throw new Error(`scheduler: speed must be a positive number, got ${s}`);
      this.speed = s;
    } else {
      this.speed = 1;
    }
    this.virtualNow = options.startMs ?? 0;
    this.wall = options.wallClock ?? (() => performance.now());
    this.onTaskError = options.onTaskError;
    this.quietMs = options.quietMs ?? 0;
  }

  /**
   * Realtime/accelerated: virtual time is `virtualMs + (wallClock() - wallMs) × speed` from
   * now on, across run() calls and between them. Schedulers in several threads given the
   * same wall clock and anchor keep one virtual time (a fleet's device shards).
   */
  anchorAt(wallMs: number, virtualMs: number = this.virtualNow): void {
    if (this.mode.mode === "stepped") throw new Error("scheduler: a stepped clock has no wall-clock anchor");
    this.fixedAnchor = true;
    this.anchorWall = wallMs;
    this.anchorVirtual = virtualMs;
  }

  /** I/O happened (bytes sent or received, a connection event): see `quietMs`. */
  activity(): void {
    this.lastActivityWall = this.wall();
  }

  /**
   * Current virtual time, ms. Inside a task it is the task's own time (so periodic timers do
   * not drift when the loop runs late); outside tasks (socket callbacks) in realtime and
   * accelerated modes it is derived from the wall clock.
   */
  now(): number {
    if (this.taskTime !== undefined) return this.taskTime;
    if ((this.running || this.fixedAnchor) && this.mode.mode !== "stepped") {
      const t = this.anchorVirtual + (this.wall() - this.anchorWall) * this.speed;
      // Monotonic, and never behind a task that is running.
      if (t > this.virtualNow) this.virtualNow = t;
    }
    return this.virtualNow;
  }

  /** Live timers. */
  get pending(): number {
    return this.queue.size;
  }

  /** Tasks run since construction. */
  get totalTasks(): number {
    return this.tasksRun;
  }

  /** Runs `task` at virtual time `time` (a time in the past runs at the next opportunity, in order). */
  at(time: number, task: Task): Timer {
    const t = Math.max(time, this.taskTime ?? this.virtualNow);
    const entry = this.queue.push(t, task);
    if (this.wake !== undefined && t <= this.wakeAt) this.wake();
    return timerOf(this.queue, entry);
  }

  after(delayMs: number, task: Task): Timer {
    if (!(delayMs >= 0)) throw new Error(`scheduler: delay must be >= 0 ms, got ${delayMs}`);
    return this.at(this.now() + delayMs, task);
  }

  /** Runs `task` at the current virtual time, after everything already due (for I/O callbacks). */
  post(task: Task): Timer {
    return this.at(this.now(), task);
  }

  /** Resolves after `delayMs` of virtual time. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  /** Stepped mode: keeps virtual time from advancing until the returned release is called (idempotent). */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0 && this.wake !== undefined) this.wake();
    };
  }

  /** Ends the current run() after the running task. */
  stop(): void {
    this.stopRequested = true;
    if (this.wake !== undefined) this.wake();
  }

  /**
   * Runs every task due up to and including `untilMs`, then sets the clock to `untilMs`.
   * Only one run at a time.
   */
  async run(untilMs: number, options: RunOptions = {}): Promise<RunResult> {
    if (this.running) throw new Error("scheduler: run() is already running");
    if (!(untilMs >= this.virtualNow)) throw new Error(`scheduler: cannot run back to ${untilMs} ms from ${this.virtualNow} ms`);
    this.running = true;
    this.stopRequested = false;
    const wallStart = this.wall();
    if (!this.fixedAnchor) {
      this.anchorVirtual = this.virtualNow;
      this.anchorWall = wallStart;
    }
    const before = this.tasksRun;
    try {
      if (this.mode.mode === "stepped") await this.runStepped(untilMs, wallStart, options);
      else await this.runTimed(untilMs, wallStart, options);
    } finally {
      this.running = false;
      this.wake = undefined;
      this.wakeAt = Infinity;
    }
    const stopped = this.stopRequested;
    if (!stopped) this.virtualNow = Math.max(this.virtualNow, untilMs);
    return { endMs: this.virtualNow, tasks: this.tasksRun - before, stopped };
  }

  /** Stepped mode without any I/O: runs synchronously to `untilMs`. Throws if a hold is taken. */
  runSync(untilMs: number): RunResult {
    if (this.mode.mode !== "stepped") throw new Error("scheduler: runSync needs stepped mode");
    if (this.running) throw new Error("scheduler: run() is already running");
    this.running = true;
    this.stopRequested = false;
    const before = this.tasksRun;
    try {
      for (;;) {
        if (this.stopRequested) break;
        const next = this.queue.peek();
        if (next === undefined || next.time > untilMs) break;
        if (next.time > this.virtualNow && this.holds > 0) throw new Error("scheduler: runSync cannot wait for a hold (use run())");
        this.runEntry();
      }
    } finally {
      this.running = false;
    }
    const stopped = this.stopRequested;
    if (!stopped) this.virtualNow = Math.max(this.virtualNow, untilMs);
    return { endMs: this.virtualNow, tasks: this.tasksRun - before, stopped };
  }

  private runEntry(): void {
    const entry = this.queue.pop() as QueueEntry<Task>;
    if (entry.time > this.virtualNow) this.virtualNow = entry.time;
    this.tasksRun++;
    this.taskTime = entry.time;
    try {
      entry.value();
    } catch (e) {
      if (this.onTaskError === undefined) throw e;
      this.onTaskError(e);
    } finally {
      this.taskTime = undefined;
    }
  }

  private async runStepped(untilMs: number, wallStart: number, options: RunOptions): Promise<void> {
    const maxHold = options.maxHoldWallMs ?? 30_000;
    let lastYield = this.wall();
    for (;;) {
      if (this.stopRequested) return;
      const next = this.queue.peek();
      if (next === undefined || next.time > untilMs) {
        if (this.holds > 0) {
          await this.waitForRelease(maxHold);
          continue;
        }
        return;
      }
      if (next.time > this.virtualNow && this.holds > 0) {
        await this.waitForRelease(maxHold);
        continue;
      }
      if (next.time > this.virtualNow && this.quietMs > 0) {
        const quietFor = this.wall() - this.lastActivityWall;
        if (quietFor < this.quietMs) {
          await new Promise<void>((r) => setTimeout(r, Math.ceil(this.quietMs - quietFor)));
          lastYield = this.wall();
          continue;
        }
      }
      this.runEntry();
      const w = this.wall();
      if (w - lastYield >= STEPPED_YIELD_WALL_MS) {
        checkWall(w, wallStart, options.maxWallMs, this.virtualNow);
        await new Promise<void>((r) => setImmediate(r));
        lastYield = this.wall();
      }
    }
  }

  private waitForRelease(maxHoldWallMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => {
        this.wake = undefined;
        reject(new Error(`scheduler: a hold kept virtual time at ${this.virtualNow} ms for more than ${maxHoldWallMs} ms of wall time`));
      }, maxHoldWallMs);
      this.wakeAt = this.virtualNow;
      this.wake = () => {
        // A release, or a new event at the current instant (which may run while holding).
        clearTimeout(guard);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async runTimed(untilMs: number, wallStart: number, options: RunOptions): Promise<void> {
    for (;;) {
      if (this.stopRequested) return;
      let batch = 0;
      const batchWall = this.wall();
      let now = this.now();
      for (;;) {
        const next = this.queue.peek();
        if (next === undefined || next.time > now || next.time > untilMs || this.stopRequested) break;
        this.runEntry();
        if (++batch >= REALTIME_BATCH || this.wall() - batchWall >= REALTIME_YIELD_WALL_MS) break;
        now = this.now();
      }
      if (this.stopRequested) return;
      const w = this.wall();
      checkWall(w, wallStart, options.maxWallMs, this.virtualNow);
      const next = this.queue.peek();
      const target = Math.min(next === undefined ? Infinity : next.time, untilMs);
      now = this.now();
      if (target <= now) {
        if (now >= untilMs && (next === undefined || next.time > untilMs)) return;
        // Due work remains: let I/O in, then go on.
        await new Promise<void>((r) => setImmediate(r));
        continue;
      }
      await this.sleepUntil(target, now, w, wallStart, options.maxWallMs);
    }
  }

  /** Wall-sleeps until virtual `target`, or until at() adds something earlier, or stop(). */
  private sleepUntil(target: number, now: number, wall: number, wallStart: number, maxWallMs: number | undefined): Promise<void> {
    // setTimeout takes at most 2^31-1 ms (more fires at once); an earlier at() wakes it anyway.
    let wallDelay = Math.min(MAX_TIMEOUT_MS, Math.ceil((target - now) / this.speed));
    if (maxWallMs !== undefined) wallDelay = Math.max(0, Math.min(wallDelay, wallStart + maxWallMs - wall + 1));
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.wakeAt = Infinity;
        resolve();
      };
      const timer = setTimeout(done, wallDelay);
      this.wakeAt = target;
      this.wake = done;
    });
  }
}

function checkWall(wall: number, wallStart: number, maxWallMs: number | undefined, virtualNow: number): void {
  if (maxWallMs !== undefined && wall - wallStart > maxWallMs) {
    throw new Error(`scheduler: run exceeded ${maxWallMs} ms of wall time (virtual time ${Math.round(virtualNow)} ms)`);
  }
}

function timerOf(queue: EventQueue<Task>, entry: QueueEntry<Task>): Timer {
  return {
    time: entry.time,
    cancel: () => queue.cancel(entry),
  };
}
