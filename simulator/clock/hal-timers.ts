/**
 * The timer face the firmware's Node HAL uses (`now`, `setTimer`, `cancel`, `activity`,
 * `hold`, as in firmware/targets/node/scheduler.ts), served by this scheduler, optionally
 * through one device's skewed clock, so a virtual device's firmware sees its own time.
 */
import type { DeviceClock } from "./device-clock";
import type { Scheduler, Timer } from "./scheduler";

export class HalTimers {
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly clock?: DeviceClock,
  ) {}

  /** The device's time, ms. */
  now(): number {
    return this.clock === undefined ? this.scheduler.now() : this.clock.now();
  }

  /** Runs `fn` after `ms` of the device's time; returns an id for cancel(). */
  setTimer(ms: number, fn: () => void): number {
    const id = this.nextId++;
    const run = (): void => {
      this.timers.delete(id);
      fn();
    };
    const delay = Math.max(0, ms);
    this.timers.set(id, this.clock === undefined ? this.scheduler.after(delay, run) : this.clock.after(delay, run));
    return id;
  }

  cancel(id: number): void {
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
  }

  /** Timers of this device still to fire. */
  pending(): number {
    return this.timers.size;
  }

  /** Cancels every timer of this device (power off). */
  cancelAll(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  activity(): void {
    this.scheduler.activity();
  }

  hold(): () => void {
    return this.scheduler.hold();
  }
}
