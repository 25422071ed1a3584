/**
 * What a simulated I2C chip implements, and the functions that feed it. A physical-value
 * source is a plain function (`this: void`, so it stays a plain function on Lua) that the
 * simulator's sensor model supplies; the clock lets a chip model its conversion time
 * (without one, conversions finish at once).
 */
import { Bytes } from "../../../port/bytes";

/** Current value of a physical quantity in the unit of the matching Reading. */
export type ValueSource = (this: void) => number;

/** Milliseconds on the simulation's clock. */
export type Clock = (this: void) => number;

/** A device on the simulated bus; one call is one transfer (START ... STOP). */
export interface SimI2cDevice {
  /** A write transfer; false to NACK it. */
  write(data: Bytes): boolean;
  /** A read transfer of `length` bytes; undefined to NACK it. */
  read(length: number): Bytes | undefined;
}

/** The clock's time, or 0 when there is none. */
export function clockNow(clock: Clock | undefined): number {
  return clock === undefined ? 0 : clock();
}
