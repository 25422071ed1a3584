/**
 * One device's view of time: the scheduler's virtual time with the device's own offset and
 * rate error (a crystal off by `ppm` parts per million). Local time is continuous when the
 * rate or offset changes mid-run (a clock-skew fault re-anchors it).
 */
import type { Scheduler, Task, Timer } from "./scheduler";

export interface SkewOptions {
  /** Local minus global at global time 0 (or at the re-anchor point), ms. */
  offsetMs?: number;
  /** Rate error: local runs (1 + ppm / 1e6) times as fast as global time. */
  ppm?: number;
}

export class DeviceClock {
  private anchorGlobal: number;
  private anchorLocal: number;
  private rate: number;

  constructor(
    private readonly scheduler: Scheduler,
    skew: SkewOptions = {},
  ) {
    this.anchorGlobal = scheduler.now();
    this.anchorLocal = this.anchorGlobal + (skew.offsetMs ?? 0);
    this.rate = rateOf(skew.ppm ?? 0);
  }

  /** The device's local time, ms. */
  now(): number {
    return this.anchorLocal + (this.scheduler.now() - this.anchorGlobal) * this.rate;
  }

  /** Runs `task` after `localDelayMs` of the device's own time. */
  after(localDelayMs: number, task: Task): Timer {
    if (!(localDelayMs >= 0)) throw new Error(`device clock: delay must be >= 0 ms, got ${localDelayMs}`);
    return this.scheduler.after(localDelayMs / this.rate, task);
  }

  /** Global virtual time at which local time reads `localMs` (at the current rate). */
  toGlobal(localMs: number): number {
    return this.anchorGlobal + (localMs - this.anchorLocal) / this.rate;
  }

  /** Changes the rate error from now on. */
  setPpm(ppm: number): void {
    this.reanchor();
    this.rate = rateOf(ppm);
  }

  /** Steps the local clock by `deltaMs` (an NTP-style jump). */
  step(deltaMs: number): void {
    this.reanchor();
    this.anchorLocal += deltaMs;
  }

  private reanchor(): void {
    const local = this.now();
    this.anchorGlobal = this.scheduler.now();
    this.anchorLocal = local;
  }
}

function rateOf(ppm: number): number {
  if (!(Number.isFinite(ppm) && ppm > -1e6)) throw new Error(`device clock: ppm must be a number > -1000000, got ${ppm}`);
  return 1 + ppm / 1e6;
}
