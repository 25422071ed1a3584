/**
 * The DeviceHal on Node: TCP over node:net (and TLS over node:tls), SD card and flash as host directories,
 * timers on the shared Scheduler, I2C on any I2cBus (simulated chips), settable ADC and
 * GPIO, node:crypto randomness. The simulator builds one per device; it is also the third
 * runtime the probe runs on.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import type { DeviceHal } from "../../app/device-hal";
import type { I2cBus } from "../../port/hal/i2c";
import type { Net, Socket, SocketHandler } from "../../port/hal/net";
import type { System, TimerHandle } from "../../port/hal/system";
import { DirFs } from "./dir-fs";
import { HeldSocket } from "./held-socket";
import { NodeTls, type TlsNet } from "./node-tls";
import type { StorageFs } from "../../storage/storage-fs";
import type { Scheduler } from "./scheduler";

/** What the HAL needs from a scheduler; the simulator's HalTimers (simulator/clock) serves it too. */
export type HalScheduler = Pick<Scheduler, "now" | "setTimer" | "cancel" | "activity" | "hold">;
import { SettableAdc, SettableGpio } from "./settable-io";

export interface NodeHalOptions {
  scheduler: HalScheduler;
  /** Directory standing in for the SD card (or give `sd`). */
  sdDir?: string;
  /** Directory standing in for internal flash (or give `flash`). */
  flashDir?: string;
  /** Any StorageFs as the SD card, e.g. a MemoryFs that can lose power mid-write (simulator). */
  sd?: StorageFs;
  flash?: StorageFs;
  i2c: I2cBus;
  adc?: SettableAdc;
  gpio?: SettableGpio;
  /** Called when the firmware asks for a restart (the host decides what that means). */
  onRestart?: () => void;
  bootReason?: string;
  /** What freeMemory() reports (default: a plausible ESP32-S3 figure). */
  freeMemory?: () => number;
}

export class NodeNet implements Net {
  constructor(private readonly scheduler: HalScheduler) {}

  connect(host: string, port: number, handler: SocketHandler): Socket {
    return new HeldSocket(net.connect({ host, port }), "connect", handler, this.scheduler);
  }
}

export class NodeSystem implements System {
  private readonly bootAt: number;

  constructor(
    private readonly scheduler: HalScheduler,
    private readonly options: { onRestart?: () => void; bootReason?: string; freeMemory?: () => number },
  ) {
    this.bootAt = scheduler.now();
  }

  millis(): number {
    return Math.floor(this.scheduler.now() - this.bootAt);
  }

  after(ms: number, fn: () => void): TimerHandle {
    return { id: this.scheduler.setTimer(ms, fn) };
  }

  cancel(t: TimerHandle): void {
    this.scheduler.cancel(t.id);
  }

  restart(): void {
    if (this.options.onRestart === undefined) throw new Error("restart requested but the host gave no onRestart");
    this.options.onRestart();
  }

  freeMemory(): number {
    return this.options.freeMemory?.() ?? 200 * 1024;
  }

  bootReason(): string {
    return this.options.bootReason ?? "power-on";
  }
}

function dirOption(dir: string | undefined, name: string): string {
  if (!dir) throw new Error(`createNodeHal: give ${name} or a StorageFs`);
  return dir;
}

/** The Node HAL: a DeviceHal plus TLS (for SMP over TLS; see node-tls.ts). */
export interface NodeDeviceHal extends DeviceHal {
  tls: TlsNet;
}

export function createNodeHal(options: NodeHalOptions): NodeDeviceHal {
  return {
    tls: new NodeTls(options.scheduler),
    i2c: options.i2c,
    adc: options.adc ?? new SettableAdc(),
    gpio: options.gpio ?? new SettableGpio(),
    net: new NodeNet(options.scheduler),
    system: new NodeSystem(options.scheduler, options),
    sd: options.sd ?? new DirFs(dirOption(options.sdDir, "sdDir")),
    flash: options.flash ?? new DirFs(dirOption(options.flashDir, "flashDir")),
    random: (n: number) => new Uint8Array(randomBytes(n)),
  };
}
