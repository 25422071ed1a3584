/**
 * A simulated ADC implementing the Adc HAL: each channel reads a millivolt source;
 * unset channels read -1 (cannot be read). setBattery wires a battery-voltage source
 * through a divider. Readings are whole millivolts, saturating at the ADC's full scale
 * as the ESP32-S3 ADC does.
 */
import { Adc } from "../../../port/hal/adc";
import { ADC_FULL_SCALE_MILLIVOLTS } from "../battery";
import { ValueSource } from "./sim-device";

interface Channel {
  channel: number;
  millivolts: ValueSource;
}

export class SimAdc implements Adc {
  private channels: Channel[];

  constructor() {
    this.channels = [];
  }

  /** `millivolts` is the voltage at the pin; undefined makes the channel unreadable. */
  setChannel(channel: number, millivolts: ValueSource | undefined): void {
    const kept: Channel[] = [];
    for (const c of this.channels) {
      if (c.channel !== channel) kept.push(c);
    }
    if (millivolts !== undefined) {
      kept.push({ channel: channel, millivolts: millivolts });
    }
    this.channels = kept;
  }

  /** A battery of `volts` behind a divider of ratio `divider` (V_battery / V_pin). */
  setBattery(channel: number, volts: ValueSource, divider: number): void {
    this.setChannel(channel, () => (volts() * 1000) / divider);
  }

  readMillivolts(channel: number): number {
    for (const c of this.channels) {
      if (c.channel === channel) {
        const mv = Math.floor(c.millivolts() + 0.5);
        return mv < 0 ? 0 : mv > ADC_FULL_SCALE_MILLIVOLTS ? ADC_FULL_SCALE_MILLIVOLTS : mv;
      }
    }
    return -1;
  }
}
