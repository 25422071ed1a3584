/**
 * ADC and GPIO backed by plain values the host sets: the simulator's knobs for battery
 * voltage, buttons and status LEDs. Used by the Node HAL and both virtual runtimes.
 */
import type { Adc } from "../../port/hal/adc";
import type { Gpio } from "../../port/hal/gpio";

export class SettableAdc implements Adc {
  private readonly mv = new Map<number, number>();

  /** Sets the voltage at a channel's pin, in millivolts. */
  set(channel: number, millivolts: number): void {
    this.mv.set(channel, millivolts);
  }

  readMillivolts(channel: number): number {
    return this.mv.get(channel) ?? -1;
  }
}

export class SettableGpio implements Gpio {
  private readonly levels = new Map<number, number>();
  /** Every write, in order (pin, level), for tests that check what the firmware drove. */
  readonly writes: [number, number][] = [];

  /** Sets an input level as the outside world drives it. */
  set(pin: number, level: number): void {
    this.levels.set(pin, level ? 1 : 0);
  }

  write(pin: number, level: number): void {
    const l = level ? 1 : 0;
    this.levels.set(pin, l);
    this.writes.push([pin, l]);
    if (this.writes.length > 1000) this.writes.splice(0, this.writes.length - 1000);
  }

  read(pin: number): number {
    return this.levels.get(pin) ?? 0;
  }
}
