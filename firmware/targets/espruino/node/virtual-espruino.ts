/**
 * A virtual Espruino: the Espruino-shaped vm context (vm-context.ts) plus the device API
 * the firmware uses, backed by the host: require("net") over real loopback TCP,
 * require("fs") on a directory once E.connectSDCard ran, require("Storage") on another
 * directory (internal flash), I2C1 on any I2cBus, analogRead/digitalWrite/digitalRead on
 * settable values, E.hwRand, E.reboot → a host callback, setTimeout/setInterval and
 * getTime() on the shared Scheduler. Boot = run the Espruino bundle in the context, or
 * bootFromStorage(): the boot files saved in Storage, as Espruino runs them at power-on.
 * The flashing protocol's needs are here too (Storage with offset writes, readJSON and
 * list(regex), E.CRC32, require("crypto").SHA256, getSerial, process.env.VERSION, console
 * lines with execute()), so the flash REPL emulator is this device behind a console.
 *
 * Either medium is a host directory or a map of name → bytes the caller owns (an emulated
 * board's flash that outlives every VM it boots).
 *
 * Values handed into the context (typed arrays, arrays) are made with the context's own
 * constructors, so `instanceof` inside the bundle behaves as on the device. Exceptions
 * thrown by callbacks are printed as "Uncaught …" and the device carries on, as Espruino
 * does; they are also collected in `errors`.
 */
import { createHash, randomInt } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import vm from "node:vm";
import { crc32 } from "node:zlib";
import type { I2cBus } from "../../../port/hal/i2c";
import type { HalScheduler } from "../../node/node-hal";
import { SettableAdc, SettableGpio } from "../../node/settable-io";
import { createEspruinoContext, runEspruinoScript } from "./vm-context";

export interface VirtualEspruinoOptions {
  scheduler: HalScheduler;
  /** The SD card: a host directory, or `sdFiles` (one of the two is required). */
  sdDir?: string;
  sdFiles?: Map<string, Uint8Array>;
  /** Internal flash (Storage): a host directory, or `flashFiles`, a map owned by the caller. */
  flashDir?: string;
  flashFiles?: Map<string, Uint8Array>;
  i2c: I2cBus;
  adc?: SettableAdc;
  /** Pin → ADC channel of `adc` (analogRead(pin) reads that channel). Default: pin n = channel n. */
  adcChannelOfPin?: (pin: number) => number;
  gpio?: SettableGpio;
  print?: (line: string) => void;
  /** E.reboot(): the device halts and this is called. */
  onRestart?: () => void;
  /** load() / reset(): the interpreter is torn down and this is called (the host starts a fresh one). */
  onSoftReset?: (runBootCode: boolean) => void;
  /** Interpreter version in process.env.VERSION (default "2v29"). */
  version?: string;
  /** getSerial() and process.env.SERIAL (default: a fixed MAC-like id). */
  serial?: string;
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
/** What Espruino runs from Storage at boot, in this order (jswrap_espruino / jsinteractive.c). */
const BOOT_FILES = [".boot0", ".boot1", ".boot2", ".boot3", ".bootcde"];
/** Console lines that run longer than this are interrupted (a real board would hang until Ctrl-C). */
const CONSOLE_TIMEOUT_MS = 10_000;
const STORAGE_SIZE = 0x100000;

/** A flat set of files: a host directory or a caller's map. */
interface FileStore {
  read(name: string): Buffer | undefined;
  size(name: string): number | undefined;
  write(name: string, data: Buffer): void;
  append(name: string, data: Buffer): void;
  remove(name: string): boolean;
  list(): string[];
}

function dirStore(dir: string): FileStore {
  mkdirSync(dir, { recursive: true });
  return {
    read: (n) => (existsSync(join(dir, n)) ? readFileSync(join(dir, n)) : undefined),
    size: (n) => (existsSync(join(dir, n)) ? statSync(join(dir, n)).size : undefined),
    write: (n, d) => writeFileSync(join(dir, n), d),
    append: (n, d) => appendFileSync(join(dir, n), d),
    remove: (n) => {
      if (!existsSync(join(dir, n))) return false;
      unlinkSync(join(dir, n));
      return true;
    },
    list: () => readdirSync(dir),
  };
}

function mapStore(files: Map<string, Uint8Array>): FileStore {
  return {
    read: (n) => {
      const f = files.get(n);
      return f === undefined ? undefined : Buffer.from(f);
    },
    size: (n) => files.get(n)?.length,
    write: (n, d) => void files.set(n, Uint8Array.from(d)),
    append: (n, d) => {
      const f = files.get(n);
      files.set(n, f === undefined ? Uint8Array.from(d) : Uint8Array.from(Buffer.concat([f, d])));
    },
    remove: (n) => files.delete(n),
    list: () => [...files.keys()],
  };
}

function store(dir: string | undefined, files: Map<string, Uint8Array> | undefined, what: string): FileStore {
  if (files !== undefined) return mapStore(files);
  if (dir !== undefined) return dirStore(dir);
  throw new Error(`virtual Espruino: give ${what}Dir or ${what}Files`);
}

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
  private readonly sd: FileStore;
  private readonly flash: FileStore;
  private i2cReady = false;
  private bootSeconds: number;

  constructor(private readonly options: VirtualEspruinoOptions) {
    this.adc = options.adc ?? new SettableAdc();
    this.gpio = options.gpio ?? new SettableGpio();
    this.sd = store(options.sdDir, options.sdFiles, "sd");
    this.flash = store(options.flashDir, options.flashFiles, "flash");
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

  /** Power-on: runs the boot files saved in Storage (.boot0 … .bootcde), each in global scope as Espruino does. */
  bootFromStorage(): void {
    for (const name of BOOT_FILES) {
      const code = this.flash.read(name);
      if (code === undefined || this.halted) continue;
      this.guard(() => vm.runInContext(code.toString("latin1"), this.context, { filename: name }));
    }
  }

  /**
   * One console line: runs it in global scope and returns its value (the console prints
   * "=value" when echo is on). An exception is printed as "Uncaught …" and gives undefined.
   */
  execute(code: string): unknown {
    return this.guard(() => vm.runInContext(code, this.context, { filename: "console", timeout: CONSOLE_TIMEOUT_MS }));
  }

  private guard(fn: () => unknown): unknown {
    try {
      return fn();
    } catch (e) {
      if (this.halted) return undefined; // E.reboot() unwinds by throwing
      const msg = typeof e === "object" && e !== null && "message" in e ? String((e as Error).message) : String(e);
      const name = typeof e === "object" && e !== null && "name" in e ? String((e as Error).name) : "Error";
      this.errors.push(msg);
      this.print(`Uncaught ${name}: ${msg}`);
      return undefined;
    }
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

  private sdName(path: unknown): string {
    if (!this.sdConnected) throw new Error("Unable to mount SD card : NOT_READY");
    const p = String(path).replace(/^\/+/, "");
    if (p === "" || p.includes("/") || p === "." || p === "..") throw new Error(`bad path '${String(path)}'`);
    return p;
  }

  private flashName(name: unknown): string {
    const n = String(name);
    if (n === "" || n.length > 28 || n.includes("/")) throw new Error(`Storage: bad name '${n}'`);
    return n;
  }

  /** Espruino data arguments: strings are byte strings; arrays and buffers are accepted too. */
  private bytes(data: unknown): Buffer {
    if (typeof data === "string") return Buffer.from(data, "latin1");
    if (data instanceof (this.g.ArrayBuffer as ArrayBufferConstructor) || data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data as ArrayBuffer));
    if (ArrayBuffer.isView(data)) return Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (Array.isArray(data) || data instanceof (this.g.Array as ArrayConstructor)) return Buffer.from(Array.from(data as number[], (v) => v & 0xff));
    return Buffer.from(String(data), "latin1");
  }

  private arrayBuffer(data: Buffer): ArrayBuffer {
    return this.u8(data).buffer as ArrayBuffer;
  }

  private storageModule(): Record<string, unknown> {
    const flash = this.flash;
    const used = () => flash.list().reduce((sum, n) => sum + (flash.size(n) ?? 0) + 32, 0);
    const storage = {
      read: (name: unknown, offset?: number, length?: number) => {
        const f = flash.read(this.flashName(name));
        if (f === undefined) return undefined;
        const from = offset ?? 0;
        return f.subarray(from, length === undefined ? f.length : from + length).toString("latin1");
      },
      readJSON: (name: unknown, noExceptions?: unknown) => {
        const f = flash.read(this.flashName(name));
        if (f === undefined) return undefined;
        try {
          return (this.g.JSON as JSON).parse(f.toString("latin1"));
        } catch (e) {
          if (noExceptions) return undefined;
          throw e;
        }
      },
      readArrayBuffer: (name: unknown) => {
        const f = flash.read(this.flashName(name));
        return f === undefined ? undefined : this.arrayBuffer(f);
      },
      // write(name, data[, offset, size]): with `size` the file is created that big (erased
      // flash reads 0xFF) and later writes fill it at their offsets, as Espruino's Storage does.
      write: (name: unknown, data: unknown, offset?: number, size?: number) => {
        const n = this.flashName(name);
        const d = this.bytes(data);
        if (offset === undefined) {
          if (d.length === 0) throw new Error("Storage: can't write an empty file");
          flash.write(n, d);
          return true;
        }
        let f = flash.read(n);
        if (f === undefined || (offset === 0 && size !== undefined)) {
          if (size === undefined) throw new Error("Storage.write: file does not exist and no size given");
          f = Buffer.alloc(size, 0xff);
        }
        if (offset < 0 || offset + d.length > f.length) throw new Error(`Storage.write: offset ${offset}+${d.length} beyond file size ${f.length}`);
        d.copy(f, offset);
        flash.write(n, f);
        return true;
      },
      writeJSON: (name: unknown, value: unknown) => {
        flash.write(this.flashName(name), Buffer.from((this.g.JSON as JSON).stringify(value), "latin1"));
        return true;
      },
      erase: (name: unknown) => {
        flash.remove(this.flashName(name));
      },
      list: (pattern?: unknown) => {
        const re = pattern as RegExp | undefined;
        return this.array(flash.list().filter((n) => re === undefined || re.test(n)));
      },
      getFree: () => STORAGE_SIZE - used(),
      compact: () => {},
      eraseAll: () => {
        for (const n of flash.list()) flash.remove(n);
      },
    };
    return storage;
  }

  private api(hwRand: () => number): Record<string, unknown> {
    const sched = this.options.scheduler;
    const sd = this.sd;
    const fsModule = {
      readFileSync: (p: unknown) => {
        const f = sd.read(this.sdName(p));
        // Espruino 2v29: FatFS f_open fails and jsfsReportError throws for a missing file.
        if (f === undefined) throw new Error("Could not open file : NO_FILE");
        const s = f.toString("latin1");
        return s === "" ? undefined : s;
      },
      writeFileSync: (p: unknown, data: unknown) => {
        sd.write(this.sdName(p), Buffer.from(String(data), "latin1"));
        return true;
      },
      appendFileSync: (p: unknown, data: unknown) => {
        sd.append(this.sdName(p), Buffer.from(String(data), "latin1"));
        return true;
      },
      unlinkSync: (p: unknown) => sd.remove(this.sdName(p)),
      readdirSync: (p?: unknown) => {
        if (!this.sdConnected) throw new Error("Unable to mount SD card : NOT_READY");
        if (p !== undefined && String(p) !== "" && String(p) !== "/") return undefined;
        return this.array(sd.list());
      },
      statSync: (p: unknown) => {
        const size = sd.size(this.sdName(p));
        return size !== undefined ? { size, dir: false } : undefined;
      },
    };
    const storage = this.storageModule();
    const cryptoModule = {
      SHA256: (data: unknown) => this.arrayBuffer(createHash("sha256").update(this.bytes(data)).digest()),
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
    const modules: Record<string, unknown> = { net: netModule, Storage: storage, Wifi: wifiModule, crypto: cryptoModule };
    const serial = this.options.serial ?? "7cdfa1000000";
    const softReset = (runBootCode: boolean) => {
      if (this.options.onSoftReset === undefined) throw new Error("load() is not available here");
      this.halted = true;
      queueMicrotask(() => {
        this.stop();
        this.options.onSoftReset?.(runBootCode);
      });
      throw new Error("resetting");
    };
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
        env: { VERSION: this.options.version ?? "2v29", BOARD: "ESP32S3", SERIAL: serial },
      },
      getSerial: () => serial,
      load: () => softReset(true),
      reset: () => softReset(false),
      E: {
        hwRand: () => hwRand() | 0,
        CRC32: (data: unknown) => crc32(this.bytes(data)),
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
    // Write holds still open when the socket closes are released by this one listener.
    const writeHolds = new Set<() => void>();
    sock.once("connect", release);
    sock.once("close", () => {
      release();
      for (const r of [...writeHolds]) r();
    });
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
          const hold = this.options.scheduler.hold();
          const release = () => {
            writeHolds.delete(release);
            hold();
          };
          writeHolds.add(release);
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
