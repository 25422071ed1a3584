/**
 * System HAL on NodeMCU-ESP32: tmr timers (chained when longer than the 6870947 ms tmr
 * limit), node.uptime() for millis, node.restart/heap/bootreason.
 */
import type { NodeMcuTimer, NodeMcuTmr, NodeMcuNode } from "./nodemcu";
import { System, TimerHandle } from "../../../port/hal/system";

declare const tmr: NodeMcuTmr;
declare const node: NodeMcuNode;

/** tmr rejects intervals outside 1..6870947 ms. */
const TMR_MAX_MS = 6870947;

/** node.bootreason()'s extended cause → the HAL's words. */
function reasonName(code: number): string {
  if (code === 0) {
    return "power-on";
  }
  if (code === 1 || code === 3) {
    return "watchdog";
  }
  if (code === 2) {
    return "panic";
  }
  if (code === 4) {
    return "software";
  }
  if (code === 5) {
    return "deep-sleep";
  }
  if (code === 6) {
    return "power-on";
  }
  return "unknown";
}

export class LuaSystem implements System {
  private timers: Record<number, NodeMcuTimer>;
  private nextId: number;

  constructor() {
    this.timers = {};
    this.nextId = 1;
  }

  millis(): number {
    return Math.floor(node.uptime() / 1000);
  }

  after(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId;
    this.nextId = id + 1;
    const timers = this.timers;
    const t = tmr.create();
    timers[id] = t;
    let remaining = ms < 1 ? 1 : Math.floor(ms);
    const arm = (): void => {
      const step = remaining > TMR_MAX_MS ? TMR_MAX_MS : remaining;
      remaining = remaining - step;
      t.register(step, tmr.ALARM_SINGLE, () => {
        if (timers[id] !== t) {
          return;
        }
        if (remaining > 0) {
          arm();
          t.start();
          return;
        }
        delete timers[id];
        t.unregister();
        fn();
      });
    };
    arm();
    t.start();
    return { id: id };
  }

  cancel(h: TimerHandle): void {
    const t = this.timers[h.id];
    if (t !== undefined) {
      delete this.timers[h.id];
      t.unregister();
    }
  }

  restart(): void {
    node.restart();
  }

  freeMemory(): number {
    return node.heap();
  }

  bootReason(): string {
    const [, extended] = node.bootreason();
    return reasonName(extended);
  }
}
