/**
 * A simulated BME280 implementing the datasheet's I2C register interface (section 5 and
 * 6.2): a register pointer with auto-increment on reads, register/value pairs on writes,
 * chip id, soft reset (the NVM copy runs for t_startup, with status.im_update set and the
 * trimming registers not yet readable), ctrl_hum latched by the ctrl_meas write, forced
 * and normal mode, the status.measuring bit for the conversion time, and data registers
 * that hold 0x80000/0x8000 for skipped measurements.
 *
 * The raw values are found by inverting the real compensation (a binary search over the
 * ADC codes the chip's resolution allows: 16 bits at oversampling x1 up to 20 bits at
 * x16), so the driver's compensation maps them back to the source values within one step
 * of the sensor's resolution.
 */
import { Bytes, alloc, copyInto } from "../../../port/bytes";
import { Bme280Calibration, encodeBme280Calibration } from "../bme280-calibration";
import { bme280Humidity, bme280Pressure, bme280TFine, bme280TemperatureFine } from "../bme280-compensation";
import {
  BME280_CHIP_ID,
  BME280_MODE_NORMAL,
  BME280_MODE_SLEEP,
  BME280_REG_CALIB00,
  BME280_REG_CALIB26,
  BME280_REG_CONFIG,
  BME280_REG_CTRL_HUM,
  BME280_REG_CTRL_MEAS,
  BME280_REG_ID,
  BME280_REG_PRESS_MSB,
  BME280_REG_RESET,
  BME280_REG_STATUS,
  BME280_RESET_COMMAND,
  BME280_SKIPPED_16BIT,
  BME280_SKIPPED_20BIT,
  BME280_STARTUP_MS,
  BME280_STATUS_IM_UPDATE,
  BME280_STATUS_MEASURING,
  bme280OversamplingFactor,
} from "../bme280-registers";
import { Clock, SimI2cDevice, ValueSource, clockNow } from "./sim-device";

/**
 * Trimming values of the BMP280 datasheet's worked example (BST-BMP280-DS001 section
 * 3.12) for temperature and pressure, and humidity values of the order real BME280
 * parts carry.
 */
export const SIM_BME280_CALIBRATION: Bme280Calibration = {
  digT1: 27504,
  digT2: 26435,
  digT3: -1000,
  digP1: 36477,
  digP2: -10685,
  digP3: 3024,
  digP4: 2855,
  digP5: 140,
  digP6: -7,
  digP7: 15500,
  digP8: -14600,
  digP9: 6000,
  digH1: 75,
  digH2: 362,
  digH3: 0,
  digH4: 313,
  digH5: 50,
  digH6: 30,
};

export interface SimBme280Options {
  /** Degrees Celsius. */
  temperature: ValueSource;
  /** Percent relative humidity. */
  humidity: ValueSource;
  /** Hectopascal. */
  pressure: ValueSource;
  clock?: Clock;
  calibration?: Bme280Calibration;
  /** Value of the id register (default 0x60; a BMP280 answers 0x58). */
  chipId?: number;
}

/** Largest k in [0, n) with f(k) <= target when f increases (or >= target when it decreases), then the closer of k, k+1. */
function invert(f: (this: void, k: number) => number, n: number, target: number, increasing: boolean): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    const v = f(mid);
    if (increasing ? v <= target : v >= target) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  if (lo + 1 < n && Math.abs(f(lo + 1) - target) < Math.abs(f(lo) - target)) {
    return lo + 1;
  }
  return lo;
}

/** Typical forced-mode measurement time in ms (datasheet 9.1: 1 + 2T + (2P + 0.5) + (2H + 0.5)). */
function typicalMeasurementMs(osrsT: number, osrsP: number, osrsH: number): number {
  const p = bme280OversamplingFactor(osrsP);
  const h = bme280OversamplingFactor(osrsH);
  return 1 + 2 * bme280OversamplingFactor(osrsT) + (p > 0 ? 2 * p + 0.5 : 0) + (h > 0 ? 2 * h + 0.5 : 0);
}

export class SimBme280 implements SimI2cDevice {
  private options: SimBme280Options;
  private calibration: Bme280Calibration;
  private regs: Bytes;
  private pointer: number;
  /** ctrl_hum value latched by the last ctrl_meas write. */
  private osrsH: number;
  /** Clock time the running NVM copy / conversion ends; -1 when none runs. */
  private startupEnds: number;
  private conversionEnds: number;
  private stuck: boolean;
  /** Number of completed conversions (for tests). */
  conversions: number;

  constructor(options: SimBme280Options) {
    this.options = options;
    this.calibration = options.calibration === undefined ? SIM_BME280_CALIBRATION : options.calibration;
    encodeBme280Calibration(this.calibration); // validates the field ranges now
    this.regs = alloc(256);
    this.pointer = 0;
    this.osrsH = 0;
    this.startupEnds = -1;
    this.conversionEnds = -1;
    this.stuck = false;
    this.conversions = 0;
    this.powerOn();
  }

  /** A stuck chip starts conversions that never finish (status.measuring stays set). */
  setStuck(stuck: boolean): void {
    this.stuck = stuck;
  }

  write(data: Bytes): boolean {
    this.advance();
    if (data.length === 0) {
      return true; // address probe
    }
    this.pointer = data[0];
    for (let i = 0; i + 1 < data.length; i += 2) {
      this.writeRegister(data[i], data[i + 1]);
    }
    return true;
  }

  read(length: number): Bytes | undefined {
    this.advance();
    const out = alloc(length);
    for (let i = 0; i < length; i++) {
      out[i] = this.readRegister((this.pointer + i) & 0xff);
    }
    this.pointer = (this.pointer + length) & 0xff;
    return out;
  }

  /** Register contents at power-on: trimming image, id, and the reset values. */
  private powerOn(): void {
    for (let i = 0; i < 256; i++) {
      this.regs[i] = 0;
    }
    const image = encodeBme280Calibration(this.calibration);
    copyInto(this.regs, BME280_REG_CALIB00, image[0], 0, image[0].length);
    copyInto(this.regs, BME280_REG_CALIB26, image[1], 0, image[1].length);
    this.regs[BME280_REG_ID] = (this.options.chipId === undefined ? BME280_CHIP_ID : this.options.chipId) & 0xff;
    this.setRaw(BME280_SKIPPED_20BIT, BME280_SKIPPED_20BIT, BME280_SKIPPED_16BIT);
    this.osrsH = 0;
    this.conversionEnds = -1;
  }

  private readRegister(r: number): number {
    const nvmBusy = this.startupEnds >= 0;
    if (r === BME280_REG_STATUS) {
      return (this.conversionEnds >= 0 ? BME280_STATUS_MEASURING : 0) | (nvmBusy ? BME280_STATUS_IM_UPDATE : 0);
    }
    const inCalibration = (r >= BME280_REG_CALIB00 && r < BME280_REG_CALIB00 + 26) || (r >= BME280_REG_CALIB26 && r < BME280_REG_CALIB26 + 7);
    if (nvmBusy && inCalibration) {
      return 0; // image registers not yet loaded from NVM
    }
    return this.regs[r];
  }

  private writeRegister(r: number, v: number): void {
    if (r === BME280_REG_RESET) {
      if (v === BME280_RESET_COMMAND) {
        this.powerOn();
        this.startupEnds = clockNow(this.options.clock) + BME280_STARTUP_MS;
        this.advance();
      }
      return;
    }
    if (r === BME280_REG_CTRL_HUM) {
      this.regs[r] = v & 0x07;
      return;
    }
    if (r === BME280_REG_CONFIG) {
      this.regs[r] = v & 0xfd; // bit 1 is reserved
      return;
    }
    if (r === BME280_REG_CTRL_MEAS) {
      this.regs[r] = v & 0xff;
      this.osrsH = this.regs[BME280_REG_CTRL_HUM];
      const mode = v & 0x03;
      if (mode !== BME280_MODE_SLEEP) {
        this.startConversion();
      } else {
        this.conversionEnds = -1;
      }
    }
    // Other registers are read-only: the chip ignores writes to them.
  }

  private startConversion(): void {
    const meas = this.regs[BME280_REG_CTRL_MEAS];
    const ms = typicalMeasurementMs((meas >>> 5) & 0x07, (meas >>> 2) & 0x07, this.osrsH);
    this.conversionEnds = clockNow(this.options.clock) + ms;
    this.advance();
  }

  /** Finishes the NVM copy and a conversion whose time has come. */
  private advance(): void {
    const now = clockNow(this.options.clock);
    if (this.startupEnds >= 0 && now >= this.startupEnds) {
      this.startupEnds = -1;
    }
    if (this.conversionEnds < 0 || now < this.conversionEnds || this.stuck) {
      return;
    }
    this.convert();
    const meas = this.regs[BME280_REG_CTRL_MEAS];
    if ((meas & 0x03) === BME280_MODE_NORMAL) {
      this.startConversion(); // normal mode: the next one starts (standby time not modelled)
    } else {
      this.regs[BME280_REG_CTRL_MEAS] = meas & 0xfc; // forced mode returns to sleep
      this.conversionEnds = -1;
    }
  }

  private convert(): void {
    this.conversions += 1;
    const c = this.calibration;
    const meas = this.regs[BME280_REG_CTRL_MEAS];
    const osrsT = (meas >>> 5) & 0x07;
    const osrsP = (meas >>> 2) & 0x07;
    // t_fine comes from the temperature conversion even when temperature output is skipped.
    const adcT = this.rawTemperature(osrsT === 0 ? 1 : osrsT);
    const tFine = bme280TFine(bme280TemperatureFine(c, adcT));
    const adcP = osrsP === 0 ? BME280_SKIPPED_20BIT : this.rawPressure(osrsP, tFine);
    const adcH = this.osrsH === 0 ? BME280_SKIPPED_16BIT : this.rawHumidity(tFine);
    this.setRaw(osrsT === 0 ? BME280_SKIPPED_20BIT : adcT, adcP, adcH);
  }

  /** 20-bit codes on the grid the oversampling setting resolves (16 + osrs - 1 bits). */
  private rawTemperature(osrs: number): number {
    const c = this.calibration;
    const step = Math.floor(16 / bme280OversamplingFactor(osrs));
    const target = this.options.temperature();
    const k = invert((i) => bme280TemperatureFine(c, i * step) / 5120, Math.floor(0x100000 / step), target, true);
    return k * step;
  }

  private rawPressure(osrs: number, tFine: number): number {
    const c = this.calibration;
    const step = Math.floor(16 / bme280OversamplingFactor(osrs));
    const target = this.options.pressure() * 100;
    const k = invert((i) => bme280Pressure(c, i * step, tFine), Math.floor(0x100000 / step), target, false);
    return k * step;
  }

  private rawHumidity(tFine: number): number {
    const c = this.calibration;
    return invert((i) => bme280Humidity(c, i, tFine), 0x10000, this.options.humidity(), true);
  }

  private setRaw(adcT: number, adcP: number, adcH: number): void {
    const r = this.regs;
    const p = BME280_REG_PRESS_MSB;
    r[p] = (adcP >>> 12) & 0xff;
    r[p + 1] = (adcP >>> 4) & 0xff;
    r[p + 2] = (adcP << 4) & 0xf0;
    r[p + 3] = (adcT >>> 12) & 0xff;
    r[p + 4] = (adcT >>> 4) & 0xff;
    r[p + 5] = (adcT << 4) & 0xf0;
    r[p + 6] = (adcH >>> 8) & 0xff;
    r[p + 7] = adcH & 0xff;
  }
}
