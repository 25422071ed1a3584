/**
 * A virtual Espruino: the Espruino-shaped vm context (vm-context.ts) plus the device API
 * the firmware uses, backed by the host: require("net") over real loopback TCP,
 * require("fs") on a directory once E.connectSDCard ran, require("Storage") on another
 * directory (internal flash), I2C1 on any I2cBus, analogRead/digitalWrite/digitalRead on
 * settable values, E.hwRand, E.reboot → a host callback, setTimeout/setInterval and
 * getTime() on the shared Scheduler. Boot = run the Espruino bundle in the context.
 *
 * Values handed into the context (typed arrays, arrays) are made with the context's own
 * constructors, so `instanceof` inside the bundle behaves as on the device. Exceptions
 * thrown by callbacks are printed as "Uncaught …" and the device carries on, as Espruino
 * does; they are also collected in `errors`.
 */
import { randomInt } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import vm from "node:vm";
import type { I2cBus } from "../../../port/hal/i2c";
import type { HalScheduler } from "../../node/node-hal";
import { SettableAdc, SettableGpio } from "../../node/settable-io";
import { createEspruinoContext, runEspruinoScript } from "./vm-context";

export interface VirtualEspruinoOptions {
  scheduler: HalScheduler;
  sdDir: string;
  flashDir: string;
  i2c: I2cBus;
  adc?: SettableAdc;
  /** Pin → ADC channel of `adc` (analogRead(pin) reads that channel). Default: pin n = channel n. */
  adcChannelOfPin?: (pin: number) => number;
  gpio?: SettableGpio;
  print?: (line: string) => void;
  /** E.reboot(): the device halts and this is called. */
  onRestart?: () => void;
  /** JsVar blocks process.memory() reports free (default 12000 of 16000). */
  freeBlocks?: () => number;
  /** Millivolts that analogRead() reports as 1.0 (default 3100, as the board config assumes). */
  adcFullScaleMv?: number;
  sdCard?: boolean;
  accessPoint?: { ssid: string; password: string };
  hwRand?: () => number;
}

/** Espruino's socket error codes (jswrap_net.c). */
const SOCKET_TIMEOUT = -3;
const SOCKET_RESET = -9;
const SOCKET_UNKNOWN = -10;

type Listener = (...args: unknown[]) => void;

export class VirtualEspruino {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  halted = false;
  readonly adc: SettableAdc;
  readonly gpio: SettableGpio;
  readonly context: vm.Context;
  private readonly g: Record<string, unknown>;
  private readonly timers = new Map<number, { sched: number; interval?: number; fn: () => void }>();
  private nextTimer = 1;
  private readonly sockets = new Set<net.Socket>();
  private sdConnected = false;
  private i2cReady = false;
  private bootSeconds: number;

  constructor(private readonly options: VirtualEspruinoOptions) {
    this.adc = options.adc ?? new SettableAdc();
    this.gpio = options.gpio ?? new SettableGpio();
    mkdirSync(options.sdDir, { recursive: true });
    mkdirSync(options.flashDir, { recursive: true });
    this.bootSeconds = options.scheduler.now() / 1000;
    const hwRand = options.hwRand ?? (() => randomInt(0, 0x100000000) | 0);
    this.context = createEspruinoContext({ print: (l) => this.print(l), hwRand, extra: {} });
    this.g = vm.runInContext("globalThis", this.context) as Record<string, unknown>;
    const api = this.api(hwRand);
    for (const [k, v] of Object.entries(api)) this.g[k] = v;
  }

  /** Runs a bundle as Espruino would run the code saved to flash at boot. */
  boot(code: string, filename = "bundle.js"): void {
    runEspruinoScript(this.context, code, filename);
  }

  stop(): void {
    this.halted = true;
    for (const t of this.timers.values()) this.options.scheduler.cancel(t.sched);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private print(line: string): void {
    if (this.options.print !== undefined) this.options.print(line);
    else {
      this.lines.push(line);
      if (this.lines.length > 2000) this.lines.splice(0, this.lines.length - 2000);
    }
  }

  /** Runs a callback into the device the way Espruino's event loop does. */
  private call(fn: unknown, ...args: unknown[]): void {
    if (this.halted || typeof fn !== "function") return;
    try {
      (fn as Listener)(...args);
    } catch (e) {
      // E.reboot() unwinds the callback by throwing: not an error.
      if (this.halted) return;
      const msg = typeof e === "object" && e !== null && "message" in e ? String((e as Error).message) : String(e);
      this.errors.push(msg);
      this.print(`Uncaught Error: ${msg}`);
    }
  }

  private u8(data: ArrayLike<number>): Uint8Array {
    const U8 = this.g.Uint8Array as typeof Uint8Array;
    const out = new U8(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i];
    return out;
  }

  private array(items: string[]): string[] {
    const A = this.g.Array as ArrayConstructor;
    const out = new A() as string[];
    for (const s of items) out.push(s);
    return out;
  }

  private setTimer(fn: unknown, ms: number, repeat: boolean): number {
    if (typeof fn !== "function") throw new TypeError("Function expected");
    const id = this.nextTimer++;
    const delay = Math.max(0, Number(ms) || 0);
    const arm = () => {
      const sched = this.options.scheduler.setTimer(delay, () => {
        if (!this.timers.has(id)) return;
        if (repeat) arm();
        else this.timers.delete(id);
        this.call(fn);
      });
      this.timers.set(id, { sched, fn: fn as () => void });
    };
    arm();
    return id;
  }

  private clearTimer(id: unknown): void {
    const t = this.timers.get(Number(id));
    if (t === undefined) return;
    this.options.scheduler.cancel(t.sched);
    this.timers.delete(Number(id));
  }

  private sdPath(path: unknown): string {
    if (!this.sdConnected) throw new Error("Unable to mount SD card : NOT_READY");
    const p = String(path).replace(/^\/+/, "");
    if (p === "" || p.includes("/") || p === "." || p === "..") throw new Error(`bad path '${String(path)}'`);
    return join(this.options.sdDir, p);
  }

  private flashPath(name: unknown): string {
    const n = String(name);
    if (n === "" || n.length > 28 || n.includes("/")) throw new Error(`Storage: bad name '${n}'`);
    return join(this.options.flashDir, n);
  }

  private api(hwRand: () => number): Record<string, unknown> {
    const sched = this.options.scheduler;
    const fsModule = {
      readFileSync: (p: unknown) => {
        const path = this.sdPath(p);
        if (!existsSync(path)) return undefined;
        const s = readFileSync(path).toString("latin1");
        return s === "" ? undefined : s;
      },
      writeFileSync: (p: unknown, data: unknown) => {
        writeFileSync(this.sdPath(p), Buffer.from(String(data), "latin1"));
        return true;
      },
      appendFileSync: (p: unknown, data: unknown) => {
        appendFileSync(this.sdPath(p), Buffer.from(String(data), "latin1"));
        return true;
      },
      unlinkSync: (p: unknown) => {
        const path = this.sdPath(p);
        if (!existsSync(path)) return false;
        unlinkSync(path);
        return true;
      },
      readdirSync: (p?: unknown) => {
        if (!this.sdConnected) throw new Error("Unable to mount SD card : NOT_READY");
        if (p !== undefined && String(p) !== "" && String(p) !== "/") return undefined;
        return this.array(readdirSync(this.options.sdDir));
      },
      statSync: (p: unknown) => {
        const path = this.sdPath(p);
        return existsSync(path) ? { size: statSync(path).size, dir: false } : undefined;
      },
    };
    const storage = {
      read: (name: unknown) => {
        const p = this.flashPath(name);
        return existsSync(p) ? readFileSync(p).toString("latin1") : undefined;
      },
      write: (name: unknown, data: unknown) => {
        const s = typeof data === "string" ? data : String(data);
        if (s.length === 0) throw new Error("Storage: can't write an empty file");
        writeFileSync(this.flashPath(name), Buffer.from(s, "latin1"));
        return true;
      },
      erase: (name: unknown) => {
        const p = this.flashPath(name);
        if (existsSync(p)) unlinkSync(p);
      },
      list: () => this.array(readdirSync(this.options.flashDir)),
    };
    const netModule = {
      connect: (opts: { host?: string; port?: number }, onConnect?: Listener) => this.connect(opts, onConnect),
    };
    const wifiModule = {
      connect: (ssid: unknown, o: { password?: string } | undefined, cb?: Listener) => {
        const ap = this.options.accessPoint;
        const ok = ap === undefined || (ap.ssid === String(ssid) && ap.password === (o?.password ?? ""));
        const t = sched.setTimer(ok ? 100 : 3000, () => this.call(cb, ok ? null : "auth_fail"));
        this.timers.set(this.nextTimer++, { sched: t, fn: () => {} });
      },
    };
    const modules: Record<string, unknown> = { net: netModule, Storage: storage, Wifi: wifiModule };
    class SPI {
      setup(_o: unknown): void {}
    }
    return {
      require: (name: unknown) => {
        const n = String(name);
        if (n === "fs") {
          if (!this.sdConnected) throw new Error("Unable to mount SD card : NOT_READY");
          return fsModule;
        }
        const m = modules[n];
        if (m === undefined) throw new Error(`Module ${n} not found`);
        return m;
      },
      setTimeout: (fn: unknown, ms: number) => this.setTimer(fn, ms, false),
      setInterval: (fn: unknown, ms: number) => this.setTimer(fn, ms, true),
      clearTimeout: (id: unknown) => this.clearTimer(id),
      clearInterval: (id: unknown) => this.clearTimer(id),
      getTime: () => sched.now() / 1000 - this.bootSeconds,
      SPI,
      I2C1: {
        setup: (o: { scl?: number; sda?: number }) => {
          if (o === undefined || o.scl === undefined || o.sda === undefined) throw new Error("I2C: scl and sda pins needed");
          this.i2cReady = true;
        },
        writeTo: (address: number, data: unknown) => {
          if (!this.i2cReady) throw new Error("I2C device not initialised - call setup");
          const bytes = typeof data === "number" ? [data] : typeof data === "string" ? Array.from(Buffer.from(data, "latin1")) : Array.from(data as ArrayLike<number>);
          if (!this.options.i2c.write(address, new Uint8Array(bytes))) throw new Error("I2CWrite: No ACK");
        },
        readFrom: (address: number, quantity: number) => {
          if (!this.i2cReady) throw new Error("I2C device not initialised - call setup");
          const d = this.options.i2c.read(address, quantity);
          if (d === undefined) throw new Error("I2CRead: No ACK");
          return this.u8(d as unknown as Uint8Array);
        },
      },
      analogRead: (pin: number) => {
        const ch = this.options.adcChannelOfPin?.(pin) ?? pin;
        const mv = this.adc.readMillivolts(ch);
        return mv < 0 ? 0 : Math.min(1, mv / (this.options.adcFullScaleMv ?? 3100));
      },
      digitalWrite: (pin: number, v: unknown) => this.gpio.write(pin, v ? 1 : 0),
      digitalRead: (pin: number) => this.gpio.read(pin),
      pinMode: () => {},
      process: {
        memory: () => {
          const free = this.options.freeBlocks?.() ?? 12000;
          return { free, usage: 16000 - free, total: 16000, blocksize: 16 };
        },
        env: { VERSION: "2v29", BOARD: "ESP32S3" },
      },
      E: {
        hwRand: () => hwRand() | 0,
        getErrorFlags: () => this.array([]),
        connectSDCard: (spi: unknown, cs: unknown) => {
          if (typeof spi !== "object" || spi === null) throw new Error("First argument is not an SPI object");
          if (typeof cs !== "number") throw new Error("Invalid pin");
          if (this.options.sdCard === false) throw new Error("Unable to mount SD card : NOT_READY");
          this.sdConnected = true;
        },
        reboot: () => {
          this.halted = true;
          queueMicrotask(() => {
            this.stop();
            this.options.onRestart?.();
          });
          throw new Error("rebooting");
        },
        toString: (data: unknown) => {
          if (typeof data === "string") return data;
          return Buffer.from(Array.from(data as ArrayLike<number>, (v) => v & 0xff)).toString("latin1");
        },
        toUint8Array: (data: unknown) => this.u8(typeof data === "string" ? Buffer.from(data, "latin1") : Array.from(data as ArrayLike<number>)),
      },
    };
  }

  private connect(opts: { host?: string; port?: number }, onConnect?: Listener): unknown {
    const listeners: Record<string, Listener | undefined> = {};
    const release = this.options.scheduler.hold();
    const sock = net.connect({ host: opts.host ?? "127.0.0.1", port: Number(opts.port) });
    sock.setNoDelay(true);
    sock.once("connect", release);
    sock.once("close", release);
    this.sockets.add(sock);
    let errorCode = 0;
    const io = (fn: () => void) => {
      this.options.scheduler.activity();
      fn();
    };
    const api = {
      on: (ev: string, fn: Listener) => {
        listeners[ev] = fn;
      },
      write: (data: unknown) => {
        const s = typeof data === "string" ? data : String(data);
        if (!sock.destroyed) {
          const release = this.options.scheduler.hold();
          sock.once("close", release);
          sock.write(Buffer.from(s, "latin1"), () => {
            release();
            io(() => this.call(listeners.drain));
          });
        }
        return false;
      },
      end: (data?: unknown) => {
        if (data !== undefined) api.write(data);
        sock.end();
        this.sockets.delete(sock);
      },
    };
    sock.on("connect", () => io(() => this.call(onConnect, api)));
    sock.on("data", (d: Buffer) => io(() => this.call(listeners.data, d.toString("latin1"))));
    sock.on("error", (e: NodeJS.ErrnoException) => {
      errorCode = e.code === "ETIMEDOUT" ? SOCKET_TIMEOUT : e.code === "ECONNREFUSED" || e.code === "ECONNRESET" ? SOCKET_RESET : SOCKET_UNKNOWN;
      io(() => this.call(listeners.error, { code: errorCode, message: errorCode === SOCKET_RESET ? "connection reset" : e.message }));
    });
    sock.on("close", () => {
      this.sockets.delete(sock);
      io(() => this.call(listeners.close, errorCode !== 0));
    });
    return api;
  }
}
