/**
 * I2C bus HAL: synchronous, as both NodeMCU-ESP32 (`i2c` module) and Espruino (`I2C1`)
 * provide it. Addresses are 7-bit. A missing device (NACK) is a result, not an exception.
 */
import { Bytes } from "../bytes";

export interface I2cBus {
  /** Writes `data` to the device; false when it does not acknowledge. */
  write(address: number, data: Bytes): boolean;
  /** Reads `length` bytes; undefined when the device does not acknowledge. */
  read(address: number, length: number): Bytes | undefined;
}

/** Writes a register address then reads `length` bytes (the usual register read). */
export function readRegisters(bus: I2cBus, address: number, register: number, length: number, scratch: Bytes): Bytes | undefined {
  scratch[0] = register & 0xff;
  if (!bus.write(address, scratch)) {
    return undefined;
  }
  return bus.read(address, length);
}
