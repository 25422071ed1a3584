/**
 * ADC and GPIO HALs on NodeMCU-ESP32. The adc module returns raw samples with no
 * calibration API, so millivolts are a linear estimate over the 11 dB range
 * (`fullScaleMv` at 4095, ~3100 mV on an ESP32-S3; boards may override it).
 */
import type { NodeMcuAdc, NodeMcuGpio } from "./nodemcu";
import { Adc } from "../../../port/hal/adc";
import { Gpio } from "../../../port/hal/gpio";

declare const adc: NodeMcuAdc;
declare const gpio: NodeMcuGpio;

const ADC_BITS = 12;
const ADC_MAX = 4095;

export class LuaAdc implements Adc {
  private readonly fullScaleMv: number;
  private widthSet: boolean;
  private readonly ready: Record<number, boolean>;

  constructor(fullScaleMv: number) {
    this.fullScaleMv = fullScaleMv;
    this.widthSet = false;
    this.ready = {};
  }

  readMillivolts(channel: number): number {
    try {
      if (!this.widthSet) {
        adc.setwidth(adc.ADC1, ADC_BITS);
        this.widthSet = true;
      }
      if (this.ready[channel] !== true) {
        adc.setup(adc.ADC1, channel, adc.ATTEN_11db);
        this.ready[channel] = true;
      }
      const raw = adc.read(adc.ADC1, channel);
      return Math.floor((raw * this.fullScaleMv) / ADC_MAX + 0.5);
    } catch (_e) {
      return -1;
    }
  }
}

export class LuaGpio implements Gpio {
  private readonly outputs: Record<number, boolean>;

  constructor() {
    this.outputs = {};
  }

  write(pin: number, level: number): void {
    if (this.outputs[pin] !== true) {
      // IN_OUT so read() returns what we drive.
      gpio.config({ gpio: pin, dir: gpio.IN_OUT });
      this.outputs[pin] = true;
    }
    gpio.write(pin, level !== 0 ? 1 : 0);
  }

  read(pin: number): number {
    return gpio.read(pin);
  }
}
