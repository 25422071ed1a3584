/**
 * A simulated BH1750FVI implementing its instruction set: power down/on, reset (data
 * register cleared, only while powered on), continuous and one-time H / H2 / L
 * resolution modes (one-time powers down after the measurement), and the measurement
 * time register (MTreg, default 69) which scales sensitivity and conversion time.
 * Reads return the 16-bit data register, big-endian; during a conversion it still holds
 * the previous result. Fault: setStuck freezes the data register.
 */
import { Bytes, alloc } from "../../../port/bytes";
import {
  BH1750_CONTINUOUS_H,
  BH1750_CONTINUOUS_H2,
  BH1750_CONTINUOUS_L,
  BH1750_COUNTS_PER_LUX,
  BH1750_MTREG_DEFAULT,
  BH1750_MTREG_HIGH,
  BH1750_MTREG_LOW,
  BH1750_ONE_TIME_H,
  BH1750_ONE_TIME_H2,
  BH1750_ONE_TIME_L,
  BH1750_POWER_DOWN,
  BH1750_POWER_ON,
  BH1750_RESET,
} from "../bh1750-commands";
import { Clock, SimI2cDevice, ValueSource, clockNow } from "./sim-device";

/** Typical conversion times at the default MTreg (datasheet: H 120 ms, L 16 ms). */
const TYPICAL_H_MS = 120;
const TYPICAL_L_MS = 16;

export interface SimBh1750Options {
  /** Lux. */
  illuminance: ValueSource;
  clock?: Clock;
}

export class SimBh1750 implements SimI2cDevice {
  private options: SimBh1750Options;
  private powered: boolean;
  /** The measurement opcode in effect (0 when idle). */
  private mode: number;
  private mtreg: number;
  private data: number;
  private conversionEnds: number;
  private stuck: boolean;
  measurements: number;

  constructor(options: SimBh1750Options) {
    this.options = options;
    this.powered = false;
    this.mode = 0;
    this.mtreg = BH1750_MTREG_DEFAULT;
    this.data = 0;
    this.conversionEnds = -1;
    this.stuck = false;
    this.measurements = 0;
  }

  setStuck(stuck: boolean): void {
    this.stuck = stuck;
  }

  isPowered(): boolean {
    this.advance();
    return this.powered;
  }

  write(data: Bytes): boolean {
    this.advance();
    for (let i = 0; i < data.length; i++) {
      this.instruction(data[i]);
    }
    return true;
  }

  read(length: number): Bytes | undefined {
    this.advance();
    const out = alloc(length);
    for (let i = 0; i < length; i++) {
      out[i] = i === 0 ? (this.data >>> 8) & 0xff : i === 1 ? this.data & 0xff : 0xff;
    }
    return out;
  }

  private instruction(op: number): void {
    if (op === BH1750_POWER_DOWN) {
      this.powered = false;
      this.mode = 0;
      this.conversionEnds = -1;
    } else if (op === BH1750_POWER_ON) {
      this.powered = true;
    } else if (op === BH1750_RESET) {
      if (this.powered) this.data = 0;
    } else if (
      op === BH1750_CONTINUOUS_H ||
      op === BH1750_CONTINUOUS_H2 ||
      op === BH1750_CONTINUOUS_L ||
      op === BH1750_ONE_TIME_H ||
      op === BH1750_ONE_TIME_H2 ||
      op === BH1750_ONE_TIME_L
    ) {
      // A measurement command also powers the chip on.
      this.powered = true;
      this.mode = op;
      this.startConversion();
    } else if ((op & 0xf8) === BH1750_MTREG_HIGH) {
      this.mtreg = ((op & 0x07) << 5) | (this.mtreg & 0x1f);
    } else if ((op & 0xe0) === BH1750_MTREG_LOW) {
      this.mtreg = (this.mtreg & 0xe0) | (op & 0x1f);
    }
  }

  private lowResolution(): boolean {
    return this.mode === BH1750_CONTINUOUS_L || this.mode === BH1750_ONE_TIME_L;
  }

  private startConversion(): void {
    const base = this.lowResolution() ? TYPICAL_L_MS : TYPICAL_H_MS;
    this.conversionEnds = clockNow(this.options.clock) + (base * this.mtreg) / BH1750_MTREG_DEFAULT;
  }

  private advance(): void {
    if (this.conversionEnds < 0 || clockNow(this.options.clock) < this.conversionEnds) {
      return;
    }
    if (!this.stuck) {
      this.measurements += 1;
      this.data = this.count(this.options.illuminance());
    }
    if (this.mode === BH1750_ONE_TIME_H || this.mode === BH1750_ONE_TIME_H2 || this.mode === BH1750_ONE_TIME_L) {
      this.powered = false;
      this.mode = 0;
      this.conversionEnds = -1;
    } else {
      this.startConversion();
    }
  }

  /** Counts for a lux value: 1.2 counts/lx at MTreg 69, twice that in H2 mode, L mode in 4-count steps. */
  private count(lux: number): number {
    let c = (lux * BH1750_COUNTS_PER_LUX * this.mtreg) / BH1750_MTREG_DEFAULT;
    if (this.mode === BH1750_CONTINUOUS_H2 || this.mode === BH1750_ONE_TIME_H2) {
      c = c * 2;
    }
    let n = Math.floor(c + 0.5);
    if (this.lowResolution()) {
      n = Math.floor(n / 4) * 4;
    }
    return n < 0 ? 0 : n > 65535 ? 65535 : n;
  }
}
