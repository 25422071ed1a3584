/**
 * A simulated SHT31 implementing the SHT3x-DIS command interface: single-shot
 * measurements with and without clock stretching (all three repeatabilities), soft
 * reset, status register read/clear, heater on/off. Without clock stretching the chip
 * NACKs a read while it measures and when no result is waiting; a result is read once.
 * Faults: setCrcFault corrupts the CRC of the next results, setStuck freezes the values.
 */
import { Bytes, alloc } from "../../../port/bytes";
import { sensirionCrc8 } from "../crc8";
import {
  SHT31_CLEAR_STATUS,
  SHT31_HEATER_DISABLE,
  SHT31_HEATER_ENABLE,
  SHT31_MEASURE_HIGH,
  SHT31_MEASURE_LOW,
  SHT31_MEASURE_MEDIUM,
  SHT31_READ_STATUS,
  SHT31_SOFT_RESET,
  sht31RawCelsius,
  sht31RawHumidity,
} from "../sht31-commands";
import { Clock, SimI2cDevice, ValueSource, clockNow } from "./sim-device";

/** Single shot with clock stretching: the chip holds SCL until done, so reads never NACK. */
export const SHT31_MEASURE_STRETCH_HIGH = 0x2c06;
export const SHT31_MEASURE_STRETCH_MEDIUM = 0x2c0d;
export const SHT31_MEASURE_STRETCH_LOW = 0x2c10;

/** Status register bits (datasheet table 17). */
export const SHT31_STATUS_HEATER = 0x2000;
export const SHT31_STATUS_RESET_DETECTED = 0x0010;
export const SHT31_STATUS_COMMAND_FAILED = 0x0002;
export const SHT31_STATUS_WRITE_CRC_FAILED = 0x0001;

export interface SimSht31Options {
  /** Degrees Celsius. */
  temperature: ValueSource;
  /** Percent relative humidity. */
  humidity: ValueSource;
  clock?: Clock;
}

/** Typical single-shot durations in ms (datasheet table 4): high, medium, low repeatability. */
const TYPICAL_HIGH_MS = 12.5;
const TYPICAL_MEDIUM_MS = 4.5;
const TYPICAL_LOW_MS = 2.5;

export class SimSht31 implements SimI2cDevice {
  private options: SimSht31Options;
  private status: number;
  /** Bytes the next read returns; undefined when nothing is waiting (read NACKs). */
  private pending: Bytes | undefined;
  private readyAt: number;
  private frozen: Bytes | undefined;
  private stuck: boolean;
  private crcFaults: number;
  measurements: number;

  constructor(options: SimSht31Options) {
    this.options = options;
    this.status = SHT31_STATUS_RESET_DETECTED;
    this.pending = undefined;
    this.readyAt = 0;
    this.frozen = undefined;
    this.stuck = false;
    this.crcFaults = 0;
    this.measurements = 0;
  }

  /** Corrupts the temperature-word CRC of the next `count` results (-1: every result). */
  setCrcFault(count: number): void {
    this.crcFaults = count;
  }

  /** A stuck chip keeps returning the result it had when the fault was set. */
  setStuck(stuck: boolean): void {
    this.stuck = stuck;
    this.frozen = undefined;
  }

  write(data: Bytes): boolean {
    if (data.length === 0) {
      return true; // address probe
    }
    if (data.length !== 2) {
      this.status = (this.status | SHT31_STATUS_COMMAND_FAILED) >>> 0;
      return true;
    }
    const command = data[0] * 256 + data[1];
    const now = clockNow(this.options.clock);
    if (command === SHT31_MEASURE_HIGH || command === SHT31_MEASURE_MEDIUM || command === SHT31_MEASURE_LOW) {
      const ms = command === SHT31_MEASURE_HIGH ? TYPICAL_HIGH_MS : command === SHT31_MEASURE_MEDIUM ? TYPICAL_MEDIUM_MS : TYPICAL_LOW_MS;
      this.measure(now + ms);
    } else if (command === SHT31_MEASURE_STRETCH_HIGH || command === SHT31_MEASURE_STRETCH_MEDIUM || command === SHT31_MEASURE_STRETCH_LOW) {
      this.measure(now);
    } else if (command === SHT31_SOFT_RESET) {
      this.status = SHT31_STATUS_RESET_DETECTED;
      this.pending = undefined;
    } else if (command === SHT31_READ_STATUS) {
      const s = alloc(3);
      s[0] = (this.status >>> 8) & 0xff;
      s[1] = this.status & 0xff;
      s[2] = sensirionCrc8(s, 0, 2);
      this.pending = s;
      this.readyAt = now;
    } else if (command === SHT31_CLEAR_STATUS) {
      this.status = (this.status & SHT31_STATUS_HEATER) >>> 0;
    } else if (command === SHT31_HEATER_ENABLE) {
      this.status = (this.status | SHT31_STATUS_HEATER) >>> 0;
    } else if (command === SHT31_HEATER_DISABLE) {
      this.status = (this.status & ~SHT31_STATUS_HEATER) >>> 0;
    } else {
      this.status = (this.status | SHT31_STATUS_COMMAND_FAILED) >>> 0;
      return true;
    }
    this.status = (this.status & ~SHT31_STATUS_COMMAND_FAILED) >>> 0;
    return true;
  }

  read(length: number): Bytes | undefined {
    const p = this.pending;
    if (p === undefined || clockNow(this.options.clock) < this.readyAt) {
      return undefined;
    }
    this.pending = undefined;
    const out = alloc(length);
    for (let i = 0; i < length && i < p.length; i++) {
      out[i] = p[i];
    }
    // Reading past the data returns 0xFF (the bus idles high).
    for (let i = p.length; i < length; i++) {
      out[i] = 0xff;
    }
    return out;
  }

  private measure(readyAt: number): void {
    this.measurements += 1;
    let r: Bytes;
    if (this.stuck && this.frozen !== undefined) {
      r = this.frozen;
    } else {
      r = alloc(6);
      const t = sht31RawCelsius(this.options.temperature());
      const h = sht31RawHumidity(this.options.humidity());
      r[0] = (t >>> 8) & 0xff;
      r[1] = t & 0xff;
      r[2] = sensirionCrc8(r, 0, 2);
      r[3] = (h >>> 8) & 0xff;
      r[4] = h & 0xff;
      r[5] = sensirionCrc8(r, 3, 2);
      if (this.stuck) {
        this.frozen = r;
      }
    }
    if (this.crcFaults !== 0) {
      const bad = alloc(6);
      for (let i = 0; i < 6; i++) bad[i] = r[i];
      bad[2] = (bad[2] ^ 0x01) & 0xff;
      r = bad;
      if (this.crcFaults > 0) this.crcFaults -= 1;
    }
    this.pending = r;
    this.readyAt = readyAt;
  }
}
