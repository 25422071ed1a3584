/**
 * A manual clock for simulated chips and tests, and a helper that runs one sensor's
 * measurement against it, advancing exactly by each wait the driver asks for.
 */
import { Reading } from "../reading";
import { STEP_DONE, Sensor } from "../sensor";
import { Clock } from "./sim-device";

export class VirtualClock {
  now: number;
  constructor() {
    this.now = 0;
  }
  advance(ms: number): void {
    this.now += ms;
  }
  /** A Clock function reading this clock. */
  source(): Clock {
    return () => this.now;
  }
}

export interface MeasuredReadings {
  readings: Reading[];
  /** Clock time the measurement took. */
  elapsed: number;
  /** Number of start()/step() calls. */
  calls: number;
}

/** Runs start() and step() until STEP_DONE, advancing `clock` by every requested wait. */
export function measure(sensor: Sensor, clock: VirtualClock): MeasuredReadings {
  const t0 = clock.now;
  let wait = sensor.start();
  let calls = 1;
  while (wait !== STEP_DONE) {
    if (calls > 100) {
      throw new Error(sensor.type + ": measurement did not finish after 100 steps");
    }
    clock.advance(wait);
    wait = sensor.step();
    calls += 1;
  }
  return { readings: sensor.readings(), elapsed: clock.now - t0, calls: calls };
}
