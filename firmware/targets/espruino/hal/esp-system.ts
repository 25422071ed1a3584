/** System HAL on Espruino: setTimeout/clearTimeout, getTime(), E.reboot(), process.memory(). */
import type { EspE, EspProcess } from "./espruino";
import { System, TimerHandle } from "../../../port/hal/system";

declare const E: EspE;
declare const process: EspProcess;
declare function getTime(): number;
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearTimeout(id: number): void;

/** Bytes per JsVar block when process.memory() does not say (ESP32 builds: 16). */
const DEFAULT_BLOCK = 16;

export class EspruinoSystem implements System {
  private readonly bootSeconds: number;

  constructor() {
    this.bootSeconds = getTime();
  }

  millis(): number {
    // getTime() is float seconds: round, or 0.15 s - 0.1 s would come out as 49 ms.
    return Math.round((getTime() - this.bootSeconds) * 1000);
  }

  after(ms: number, fn: () => void): TimerHandle {
    return { id: setTimeout(fn, ms) };
  }

  cancel(t: TimerHandle): void {
    clearTimeout(t.id);
  }

  restart(): void {
    E.reboot();
  }

  freeMemory(): number {
    const m = process.memory();
    return m.free * (m.blocksize !== undefined ? m.blocksize : DEFAULT_BLOCK);
  }

  bootReason(): string {
    return "unknown";
  }
}
