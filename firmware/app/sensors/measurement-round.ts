/**
 * Runs one measurement on several sensors at once, with one timer for all of them:
 * the app calls begin(now), then poll(now) whenever the returned time arrives, until
 * ROUND_DONE. Conversions overlap, so a round takes as long as the slowest sensor
 * (BH1750: 180 ms) rather than the sum. Times are the app's millisecond clock.
 */
import { Reading } from "./reading";
import { STEP_DONE, Sensor } from "./sensor";

export const ROUND_DONE = -1;

export class MeasurementRound {
  private sensors: Sensor[];
  /** Absolute time each sensor's next step() is due, or ROUND_DONE once it finished. */
  private due: number[];

  constructor(sensors: Sensor[]) {
    this.sensors = sensors;
    this.due = [];
    for (let i = 0; i < sensors.length; i++) {
      this.due.push(ROUND_DONE);
    }
  }

  /** Starts every sensor; returns when to poll next, or ROUND_DONE. */
  begin(now: number): number {
    for (let i = 0; i < this.sensors.length; i++) {
      const wait = this.sensors[i].start();
      this.due[i] = wait === STEP_DONE ? ROUND_DONE : now + wait;
    }
    return this.next();
  }

  /** Steps each sensor whose wait has elapsed; returns when to poll next, or ROUND_DONE. */
  poll(now: number): number {
    for (let i = 0; i < this.sensors.length; i++) {
      const d = this.due[i];
      if (d !== ROUND_DONE && d <= now) {
        const wait = this.sensors[i].step();
        this.due[i] = wait === STEP_DONE ? ROUND_DONE : now + wait;
      }
    }
    return this.next();
  }

  done(): boolean {
    return this.next() === ROUND_DONE;
  }

  /** Every sensor's readings, in sensor order (valid once the round is done). */
  readings(): Reading[] {
    const out: Reading[] = [];
    for (const s of this.sensors) {
      for (const r of s.readings()) {
        out.push(r);
      }
    }
    return out;
  }

  private next(): number {
    let t = ROUND_DONE;
    for (const d of this.due) {
      if (d !== ROUND_DONE && (t === ROUND_DONE || d < t)) {
        t = d;
      }
    }
    return t;
  }
}
