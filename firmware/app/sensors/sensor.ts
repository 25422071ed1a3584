/**
 * The driver interface. A measurement is a small state machine so the sans-I/O app can
 * schedule the datasheet's conversion time instead of busy-waiting:
 *
 *   let wait = sensor.start();            // issue the command(s)
 *   while (wait !== STEP_DONE) {          // after `wait` ms (the app's timer) ...
 *     wait = sensor.step();               // ... read, or issue the next command
 *   }
 *   sensor.readings();                    // one Reading per quantity, each with a status
 *
 * Both calls do at most a few short bus transfers and return at once. Errors are
 * readings with a status, never exceptions. Implemented by classes (methods take self).
 */
import { Reading } from "./reading";

/** Returned by start()/step() when the readings are ready. */
export const STEP_DONE = -1;

export interface Sensor {
  /** "bme280", "sht31", "bh1750", "battery": the board definition's sensor type. */
  readonly type: string;
  /** The quantities readings() returns, in that order. */
  readonly quantities: number[];
  /** Begins a measurement; returns the ms to wait before step(), or STEP_DONE. */
  start(): number;
  /** Continues a measurement; returns the ms to wait before the next step(), or STEP_DONE. */
  step(): number;
  /** The result of the last completed measurement: one Reading per quantity. */
  readings(): Reading[];
}
