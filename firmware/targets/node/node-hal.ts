/**
 * The DeviceHal on Node: TCP over node:net (and TLS over node:tls), SD card and flash as host directories,
 * timers on the shared Scheduler, I2C on any I2cBus (simulated chips), settable ADC and
 * GPIO, node:crypto randomness. The simulator builds one per device; it is also the third
 * runtime the probe runs on.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import type { DeviceHal } from "../../app/device-hal";
import type { Bytes } from "../../port/bytes";
import type { I2cBus } from "../../port/hal/i2c";
import type { Net, Socket, SocketHandler } from "../../port/hal/net";
import type { System, TimerHandle } from "../../port/hal/system";
import { DirFs } from "./dir-fs";
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

/** A node:net socket behind the HAL's callback interface; onClose fires exactly once. */
class NodeSocket implements Socket {
  private closed = false;
  private readonly pendingHolds = new Set<() => void>();
  private readonly sock: net.Socket;

  constructor(host: string, port: number, private readonly handler: SocketHandler, private readonly scheduler: HalScheduler) {
    const release = scheduler.hold();
    this.sock = net.connect({ host, port });
    this.sock.once("connect", release);
    this.sock.once("close", release);
    this.sock.setNoDelay(true);
    this.sock.on("connect", () => this.deliver(() => handler.onConnect()));
    this.sock.on("data", (d: Buffer) => this.deliver(() => handler.onData(new Uint8Array(d))));
    this.sock.on("error", (e) => this.finish(e.message || "error"));
    this.sock.on("close", () => {
      for (const release of [...this.pendingHolds]) release();
      this.finish("");
    });
  }

  private deliver(fn: () => void): void {
    if (this.closed) return;
    this.scheduler.activity();
    fn();
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.activity();
    this.handler.onClose(reason);
  }

  send(data: Bytes): void {
    if (this.closed) throw new Error("send on a closed socket");
    // Hold the virtual clock until the write is flushed; one close listener (in the
    // constructor) releases whatever is still held, instead of a listener per write.
    const hold = this.scheduler.hold();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.pendingHolds.delete(release);
      hold();
    };
    this.pendingHolds.add(release);
    this.sock.write(Buffer.from(data as unknown as Uint8Array), release);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Flush what send() queued, then close (as the device targets do).
    this.sock.destroySoon();
  }
}

export class NodeNet implements Net {
  constructor(private readonly scheduler: HalScheduler) {}

  connect(host: string, port: number, handler: SocketHandler): Socket {
    return new NodeSocket(host, port, handler, this.scheduler);
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
