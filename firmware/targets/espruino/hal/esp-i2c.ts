/**
 * I2C HAL on Espruino's I2C1. Espruino reports a NACK or bus timeout by throwing; the HAL
 * turns that into false / undefined.
 */
import type { EspI2c } from "./espruino";
import { Bytes } from "../../../port/bytes";
import { I2cBus } from "../../../port/hal/i2c";

declare const I2C1: EspI2c;

export class EspruinoI2c implements I2cBus {
  constructor(sda: number, scl: number, bitrate: number) {
    I2C1.setup({ scl: scl, sda: sda, bitrate: bitrate });
  }

  write(address: number, data: Bytes): boolean {
    try {
      I2C1.writeTo(address, data as unknown as Uint8Array);
      return true;
    } catch (_e) {
      return false;
    }
  }

  read(address: number, length: number): Bytes | undefined {
    try {
      const d = I2C1.readFrom(address, length);
      return d.length === length ? (d as unknown as Bytes) : undefined;
    } catch (_e) {
      return undefined;
    }
  }
}
