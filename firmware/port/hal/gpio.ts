/** GPIO HAL: digital outputs (status LED, relays) and inputs. Levels are 0 or 1. */
export interface Gpio {
  write(pin: number, level: number): void;
  read(pin: number): number;
}
