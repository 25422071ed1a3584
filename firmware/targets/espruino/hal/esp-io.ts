/**
 * ADC and GPIO HALs on Espruino: analogRead() gives 0..1 of the ADC range, scaled to
 * millivolts with the board's full-scale value; channels map to pins via the board.
 */
import { Adc } from "../../../port/hal/adc";
import { Gpio } from "../../../port/hal/gpio";

declare function analogRead(pin: number): number;
declare function digitalWrite(pin: number, level: number): void;
declare function digitalRead(pin: number): number;

export class EspruinoAdc implements Adc {
  constructor(
    private readonly pins: number[],
    private readonly fullScaleMv: number,
  ) {}

  readMillivolts(channel: number): number {
    const pin = this.pins[channel];
    if (pin === undefined) {
      return -1;
    }
    try {
      return Math.round(analogRead(pin) * this.fullScaleMv);
    } catch (_e) {
      return -1;
    }
  }
}

export class EspruinoGpio implements Gpio {
  write(pin: number, level: number): void {
    digitalWrite(pin, level !== 0 ? 1 : 0);
  }

  read(pin: number): number {
    return digitalRead(pin) ? 1 : 0;
  }
}
