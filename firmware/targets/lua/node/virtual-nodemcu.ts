/**
 * A virtual NodeMCU-ESP32: a wasmoon Lua VM per device with the NodeMCU modules the
 * firmware uses (see virtual-nodemcu-prelude.ts) backed by the host: net over real
 * loopback TCP, tmr on the shared Scheduler, io/os on one directory as the SD card
 * (after sdmmc mounts it at /SD0) and another as flash, i2c on any I2cBus, settable
 * adc/gpio, node.restart → a host callback. Boot = load a compiled Lua bundle and run it.
 *
 * Cost per device is one lua_State in the process-wide wasm module (no wasmoon engine
 * or type-extension machinery): host calls go through one C function shared by every
 * device, reading and pushing Lua strings as raw bytes so binary data crosses intact
 * (wasmoon's own conversion would decode them as UTF-8).
 */
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import { LUA_REGISTRYINDEX, LuaFactory, type LuaWasm } from "wasmoon";
import type { I2cBus } from "../../../port/hal/i2c";
import type { HalScheduler } from "../../node/node-hal";
import { SettableAdc, SettableGpio } from "../../node/settable-io";
import { NODEMCU_PRELUDE } from "./virtual-nodemcu-prelude";
import { DirVolume, MapVolume, type Volume, type VolumeFile } from "./virtual-nodemcu-volume";

export interface VirtualNodeMcuOptions {
  scheduler: HalScheduler;
  /** The SD card: a host directory, or `sdFiles` (one of the two is required). */
  sdDir?: string;
  sdFiles?: Map<string, Uint8Array>;
  /** Internal flash: a host directory, or `flashFiles`, a map owned by the caller that outlives the VM. */
  flashDir?: string;
  flashFiles?: Map<string, Uint8Array>;
  i2c: I2cBus;
  adc?: SettableAdc;
  gpio?: SettableGpio;
  /** Receives printed lines (default: kept in `lines`). */
  print?: (line: string) => void;
  /** Receives console output that is not a whole line (the REPL's prompts, uart.write(0, …)); default: dropped. */
  write?: (text: string) => void;
  /** uart.setup(0, …, echo): the console UART's echo was switched (the console layer echoes, not the VM). */
  onConsoleEcho?: (on: boolean) => void;
  /** Firmware release node.info("sw_version").git_release reports (default "3.0.0-dev-esp32"). */
  version?: string;
  /** node.restart(): the device halts and this is called (the host may boot a new one). */
  onRestart?: () => void;
  /** Extended reset cause node.bootreason() reports (node.md; default 0 = power-on). */
  bootReason?: number;
  /** Heap size node.heap() counts down from (default 4 MiB: an S3 module with PSRAM; lua5.3 keeps ~0.5 MB of uncollected garbage in the probe, so a 320 KiB no-PSRAM budget reads as full). */
  heapTotal?: number;
  /** Whether an SD card is in the slot (default true). */
  sdCard?: boolean;
  /** Access point the station may join (default: any ssid/password is accepted). */
  accessPoint?: { ssid: string; pwd: string };
  /** Millivolts at full scale for adc.read (default 3100, as the Lua HAL assumes). */
  adcFullScaleMv?: number;
  /** Source for sodium.random (default node:crypto). */
  random?: (n: number) => Uint8Array;
  /** Lua run before the prelude and the bundle (tests: e.g. fake a 32-bit build). */
  preamble?: string;
}

/** lwIP error codes the disconnection callback gets (0 = normal close). */
const ERR_TIMEOUT = -3;
const ERR_ABRT = -13;
const ERR_RST = -14;
/** A TCP segment's payload: NodeMCU fires "receive" per frame. */
const FRAME = 1460;
/** CONFIG_NODEMCU_MAX_OPEN_FILES-like limit, so leaked handles show up. */
const MAX_OPEN_FILES = 8;
const LUA_TNIL = 0;
const LUA_TBOOLEAN = 1;
const LUA_TNUMBER = 3;
const LUA_TSTRING = 4;

/** A float result (node.uptime on the DOUBLE build); plain numbers are pushed as integers when integral. */
export class LuaFloat {
  constructor(readonly v: number) {}
}
export type HostValue = number | boolean | string | Buffer | LuaFloat | null | undefined;

interface Bridge {
  lua: LuaWasm;
  m: LuaWasm["module"] & Record<string, (...a: never[]) => unknown>;
  fn: number;
  lenPtr: number;
  scratch: { ptr: number; size: number };
  devices: Map<number, VirtualNodeMcu>;
  nextDevice: number;
}

let bridge: Promise<Bridge> | undefined;

function raw(b: Bridge): Record<string, (...a: unknown[]) => unknown> {
  return b.m as unknown as Record<string, (...a: unknown[]) => unknown>;
}

async function getBridge(): Promise<Bridge> {
  bridge ??= (async () => {
    const lua = await new LuaFactory().getLuaModule();
    const m = lua.module as Bridge["m"];
    const b: Bridge = { lua, m, fn: 0, lenPtr: 0, scratch: { ptr: 0, size: 0 }, devices: new Map(), nextDevice: 1 };
    b.lenPtr = m._malloc(8);
    b.fn = m.addFunction((L: number) => hostCall(b, L), "ii");
    return b;
  })();
  return bridge;
}

function readString(b: Bridge, L: number, i: number): Buffer {
  const r = raw(b);
  const p = r._lua_tolstring(L, i, b.lenPtr) as number;
  const len = b.m.HEAPU32[b.lenPtr >> 2];
  return Buffer.from(b.m.HEAPU8.subarray(p, p + len));
}

function readArg(b: Bridge, L: number, i: number): HostValue {
  const r = raw(b);
  const t = r._lua_type(L, i) as number;
  if (t === LUA_TSTRING) return readString(b, L, i);
  if (t === LUA_TNUMBER) return r._lua_tonumberx(L, i, 0) as number;
  if (t === LUA_TBOOLEAN) return (r._lua_toboolean(L, i) as number) !== 0;
  if (t === LUA_TNIL || t === -1) return undefined;
  return null; // tables/functions: handled by the op itself (set_dispatch)
}

function pushBytes(b: Bridge, L: number, data: Buffer): void {
  const r = raw(b);
  if (data.length > b.scratch.size) {
    if (b.scratch.ptr !== 0) b.m._free(b.scratch.ptr);
    b.scratch.size = Math.max(1024, data.length * 2);
    b.scratch.ptr = b.m._malloc(b.scratch.size);
  }
  b.m.HEAPU8.set(data, b.scratch.ptr);
  r._lua_pushlstring(L, b.scratch.ptr, data.length);
}

function pushValue(b: Bridge, L: number, v: HostValue): void {
  const r = raw(b);
  if (v === undefined || v === null) r._lua_pushnil(L);
  else if (typeof v === "boolean") r._lua_pushboolean(L, v ? 1 : 0);
  else if (v instanceof LuaFloat) r._lua_pushnumber(L, v.v);
  else if (typeof v === "number") {
    if (Number.isSafeInteger(v)) r._lua_pushinteger(L, BigInt(v));
    else r._lua_pushnumber(L, v);
  } else if (typeof v === "string") pushBytes(b, L, Buffer.from(v, "latin1"));
  else pushBytes(b, L, v);
}

/** The one C function behind `__vn_host` for every device; upvalue 1 = device id. */
function hostCall(b: Bridge, L: number): number {
  const r = raw(b);
  const id = Number(r._lua_tointegerx(L, LUA_REGISTRYINDEX - 1, 0) as bigint);
  const dev = b.devices.get(id);
  let results: HostValue[] = [];
  let error: string | undefined;
  try {
    if (dev === undefined) throw new Error("device is gone");
    const n = r._lua_gettop(L) as number;
    const op = readString(b, L, 1).toString("latin1");
    if (op === "set_dispatch") {
      r._lua_pushvalue(L, 2);
      const dispatch = r._luaL_ref(L, LUA_REGISTRYINDEX) as number;
      r._lua_pushvalue(L, 3);
      const traceback = r._luaL_ref(L, LUA_REGISTRYINDEX) as number;
      dev.setDispatch(dispatch, traceback);
    } else {
      const args: HostValue[] = [];
      for (let i = 2; i <= n; i++) args.push(readArg(b, L, i));
      results = dev.host(op, args);
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  if (error !== undefined) {
    pushValue(b, L, error);
    // Raises a Lua error (longjmp): nothing after this line runs.
    return r._lua_error(L) as number;
  }
  for (const v of results) pushValue(b, L, v);
  return results.length;
}

interface OpenFile {
  file: VolumeFile;
  pos: number;
  append: boolean;
  readable: boolean;
  writable: boolean;
}

/**
 * The NodeMCU host side shared by every Lua VM behind it (wasmoon in-process here,
 * lua5.3 as a child process in virtual-nodemcu-lua53.ts): the host operations the
 * prelude calls and the device's timers, sockets, open files, SD mount and WiFi state.
 */
export abstract class NodeMcuHost {
  /** Printed lines (when no `print` option was given), newest last, at most 2000. */
  readonly lines: string[] = [];
  /** Errors raised inside Lua callbacks (a real device would print them and restart). */
  readonly errors: string[] = [];
  halted = false;
  readonly adc: SettableAdc;
  readonly gpio: SettableGpio;
  protected readonly timers = new Set<number>();
  protected readonly sockets = new Map<number, net.Socket>();
  private readonly writeHolds = new Map<net.Socket, Set<() => void>>();
  private nextSocket = 1;
  protected readonly files = new Map<number, OpenFile>();
  private nextFile = 3;
  private sdMount: string | undefined;
  private readonly sdVolume: Volume;
  private readonly flashVolume: Volume;
  private sdReady = false;
  private wifiStarted = false;
  protected memKb = 0;

  protected constructor(
    readonly id: number,
    protected readonly options: VirtualNodeMcuOptions,
  ) {
    this.adc = options.adc ?? new SettableAdc();
    this.gpio = options.gpio ?? new SettableGpio();
    this.sdVolume = volume(options.sdDir, options.sdFiles, "sd");
    this.flashVolume = volume(options.flashDir, options.flashFiles, "flash");
  }

  /** Delivers one event to the Lua dispatcher. */
  protected abstract event(kind: string, ...args: HostValue[]): void;

  /** Power off. */
  abstract stop(): void;

  /**
   * Power-on as NodeMCU does it: runs init.lua from flash when there is one (its error is
   * printed, the console stays usable), then prompts.
   */
  startConsole(): void {
    this.event("boot");
  }

  /** One line typed at the console, run as lua.c does (an expression's values are printed; an unfinished statement prompts ">> " for more). */
  consoleLine(line: string): void {
    this.event("console", Buffer.from(line, "latin1"));
  }

  /** Cancels timers, closes sockets and files (part of stop()). */
  protected releaseHost(): void {
    this.halted = true;
    for (const t of this.timers) this.options.scheduler.cancel(t);
    this.timers.clear();
    for (const s of this.sockets.values()) s.destroy();
    this.sockets.clear();
    for (const f of this.files.values()) f.file.close();
    this.files.clear();
  }

  protected print(line: string): void {
    // A restarting device says nothing more (the unwinding "restarting" error included).
    if (this.halted) return;
    if (this.options.print !== undefined) {
      this.options.print(line);
      return;
    }
    this.lines.push(line);
    if (this.lines.length > 2000) this.lines.splice(0, this.lines.length - 2000);
  }

  protected later(ms: number, fn: () => void): void {
    const t = this.options.scheduler.setTimer(ms, () => {
      this.timers.delete(t);
      fn();
    });
    this.timers.add(t);
  }

  // --- host operations ----------------------------------------------------

  host(op: string, a: HostValue[]): HostValue[] {
    const s = (i: number): string => {
      const v = a[i];
      if (!Buffer.isBuffer(v)) throw new Error(`${op}: argument ${i + 1} must be a string`);
      return v.toString("latin1");
    };
    const n = (i: number): number => {
      const v = a[i];
      if (typeof v !== "number") throw new Error(`${op}: argument ${i + 1} must be a number`);
      return v;
    };
    const buf = (i: number): Buffer => {
      const v = a[i];
      if (!Buffer.isBuffer(v)) throw new Error(`${op}: argument ${i + 1} must be a string`);
      return v;
    };
    switch (op) {
      case "print":
        this.print(s(0));
        return [];
      case "write":
        if (!this.halted) this.options.write?.(s(0));
        return [];
      case "uart_echo":
        this.options.onConsoleEcho?.(a[0] === true);
        return [];
      case "sha256":
        return [createHash("sha256").update(buf(0)).digest()];
      case "sw_version":
        return [this.options.version ?? "3.0.0-dev-esp32"];
      case "timer_set": {
        const t = this.options.scheduler.setTimer(n(0), () => {
          this.timers.delete(t);
          this.event("timer", t);
        });
        this.timers.add(t);
        return [t];
      }
      case "timer_cancel":
        this.options.scheduler.cancel(n(0));
        this.timers.delete(n(0));
        return [];
      case "tcp_connect":
        return [this.tcpConnect(s(0), n(1))];
      case "tcp_send": {
        const sock = this.sockets.get(n(0));
        if (sock === undefined) throw new Error("not connected");
        const hid = n(0);
        // Hold the clock until the write is flushed; the socket's one close listener
        // (tcpConnect) releases what is still held, instead of a listener per write.
        const release = this.writeHold(sock);
        sock.write(buf(1), () => {
          release();
          if (this.sockets.get(hid) === sock) this.io(() => this.event("tcp", hid, "sent"));
        });
        return [];
      }
      case "tcp_close": {
        const sock = this.sockets.get(n(0));
        this.sockets.delete(n(0));
        sock?.end();
        sock?.destroySoon();
        return [];
      }
      case "tcp_peer": {
        const sock = this.sockets.get(n(0));
        return sock === undefined ? [] : [sock.remoteAddress ?? null, sock.remotePort ?? null];
      }
      case "i2c_write":
        return [this.options.i2c.write(n(0), new Uint8Array(buf(1)))];
      case "i2c_read": {
        const d = this.options.i2c.read(n(0), n(1));
        return [d === undefined ? null : Buffer.from(d as unknown as Uint8Array)];
      }
      case "adc_read": {
        const mv = this.adc.readMillivolts(n(0));
        if (mv < 0) throw new Error("adc_read failed");
        const max = 2 ** n(1) - 1;
        return [Math.min(max, Math.round((mv * max) / (this.options.adcFullScaleMv ?? 3100)))];
      }
      case "gpio_write":
        this.gpio.write(n(0), n(1));
        return [];
      case "gpio_read":
        return [this.gpio.read(n(0))];
      case "restart":
        this.halted = true;
        queueMicrotask(() => {
          this.stop();
          this.options.onRestart?.();
        });
        throw new Error("restarting");
      case "heap_total":
        return [this.options.heapTotal ?? 4 * 1024 * 1024];
      case "uptime":
        return [new LuaFloat(Math.floor(this.options.scheduler.now() * 1000))];
      case "bootreason": {
        const ext = this.options.bootReason ?? 0;
        return [ext === 0 ? 1 : ext === 4 ? 2 : ext === 1 || ext === 3 ? 4 : 3, ext];
      }
      case "mem":
        this.memKb = n(0);
        return [];
      case "enc":
        return [this.encode(s(0), buf(1))];
      case "random":
        return [Buffer.from((this.options.random ?? ((k: number) => new Uint8Array(randomBytes(k))))(n(0)))];
      case "wifi_start":
        this.wifiStarted = true;
        return [];
      case "wifi_stop":
        this.wifiStarted = false;
        return [];
      case "wifi_connect":
        this.wifiConnect(s(0), s(1));
        return [];
      case "wifi_disconnect":
        this.later(10, () => this.event("wifi", "disconnected", "", 8));
        return [];
      case "sd_init":
        if (this.options.sdCard === false) throw new Error("sdmmc: no card (ESP_ERR_TIMEOUT)");
        this.sdReady = true;
        return [];
      case "sd_mount":
        if (!this.sdReady) throw new Error("card not initialized");
        if (this.sdMount !== undefined) throw new Error("already mounted");
        this.sdMount = s(0);
        return [true];
      case "sd_umount":
        if (this.sdMount === undefined) throw new Error("not mounted");
        this.sdMount = undefined;
        return [];
      default:
        return this.fsOp(op, a, s, n, buf);
    }
  }

  private io(fn: () => void): void {
    this.options.scheduler.activity();
    fn();
  }

  private writeHold(sock: net.Socket): () => void {
    const hold = this.options.scheduler.hold();
    const holds = this.writeHolds.get(sock);
    const release = () => {
      holds?.delete(release);
      hold();
    };
    holds?.add(release);
    return release;
  }

  private tcpConnect(host: string, port: number): number {
    const hid = this.nextSocket++;
    const release = this.options.scheduler.hold();
    const sock = net.connect({ host, port });
    const holds = new Set<() => void>();
    this.writeHolds.set(sock, holds);
    sock.once("connect", release);
    sock.once("close", () => {
      release();
      for (const r of [...holds]) r();
      this.writeHolds.delete(sock);
    });
    sock.setNoDelay(true);
    this.sockets.set(hid, sock);
    let closed = false;
    const gone = (code: number) => {
      if (closed) return;
      closed = true;
      const mine = this.sockets.get(hid) === sock;
      this.sockets.delete(hid);
      if (mine) this.io(() => this.event("tcp", hid, "disconnection", code));
    };
    sock.on("connect", () => this.io(() => this.event("tcp", hid, "connection")));
    sock.on("data", (d: Buffer) => {
      for (let off = 0; off < d.length && this.sockets.get(hid) === sock; off += FRAME) {
        const part = d.subarray(off, off + FRAME);
        this.io(() => this.event("tcp", hid, "receive", part));
      }
    });
    sock.on("error", (e: NodeJS.ErrnoException) => gone(e.code === "ETIMEDOUT" ? ERR_TIMEOUT : e.code === "ECONNREFUSED" || e.code === "ECONNRESET" ? ERR_RST : ERR_ABRT));
    sock.on("close", () => gone(0));
    return hid;
  }

  private wifiConnect(ssid: string, pwd: string): void {
    if (!this.wifiStarted) throw new Error("wifi not started");
    const ap = this.options.accessPoint;
    if (ap !== undefined && ap.ssid !== ssid) {
      this.later(3000, () => this.event("wifi", "disconnected", ssid, 201));
      return;
    }
    if (ap !== undefined && ap.pwd !== pwd) {
      this.later(1000, () => this.event("wifi", "disconnected", ssid, 202));
      return;
    }
    this.later(50, () => this.event("wifi", "connected", ssid));
    this.later(100, () => this.event("wifi", "got_ip", `10.0.${(this.id >> 8) & 255}.${this.id & 255}`, "10.0.0.1"));
  }

  private encode(what: string, data: Buffer): Buffer | string {
    switch (what) {
      case "tob64":
        return data.toString("base64");
      case "fromb64": {
        const t = data.toString("latin1");
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) throw new Error("not a valid base64 string");
        return Buffer.from(t, "base64");
      }
      case "tohex":
        return data.toString("hex");
      case "fromhex": {
        const t = data.toString("latin1");
        if (!/^([0-9a-fA-F]{2})*$/.test(t)) throw new Error("not a valid hex string");
        return Buffer.from(t, "hex");
      }
      default:
        throw new Error(`unknown encoder op ${what}`);
    }
  }

  // --- the VFS: /SD0/… on the SD volume once mounted, everything else on flash ---

  private resolve(path: string): { vol: Volume; name: string } | undefined {
    const m = this.sdMount;
    if (m !== undefined && path.startsWith(m + "/")) {
      const rest = path.slice(m.length + 1);
      return rest === "" || rest.includes("/") ? undefined : { vol: this.sdVolume, name: rest };
    }
    if (/^\/SD\d(\/|$)/.test(path)) return undefined;
    const name = path.startsWith("/") ? path.slice(1) : path;
    return name === "" || name.includes("/") ? undefined : { vol: this.flashVolume, name };
  }

  private fsOp(op: string, a: HostValue[], s: (i: number) => string, n: (i: number) => number, buf: (i: number) => Buffer): HostValue[] {
    const file = (): OpenFile => {
      const f = this.files.get(n(0));
      if (f === undefined) throw new Error("attempt to use a closed file");
      return f;
    };
    switch (op) {
      case "fs_open": {
        const path = s(0);
        const mode = s(1).replace("b", "");
        const flags = ({ r: "r", w: "w", a: "a", "r+": "r+", "w+": "w+", "a+": "a+" } as Record<string, string>)[mode];
        if (flags === undefined) throw new Error(`bad argument #2 to 'open' (invalid mode '${s(1)}')`);
        const where = this.resolve(path);
        if (where === undefined) return [null, `${path}: No such file or directory`];
        if (this.files.size >= MAX_OPEN_FILES) return [null, `${path}: Too many open files`];
        const opened = where.vol.open(where.name, flags);
        if (typeof opened === "string") return [null, `${path}: ${opened}`];
        const id = this.nextFile++;
        this.files.set(id, { file: opened, pos: 0, append: mode.startsWith("a"), readable: mode.startsWith("r") || mode.includes("+"), writable: !mode.startsWith("r") || mode.includes("+") });
        return [id];
      }
      case "fs_read": {
        const f = file();
        if (!f.readable) return [null, "Bad file descriptor"];
        const size = f.file.size();
        const want = n(1) < 0 ? Math.max(0, size - f.pos) : n(1);
        if (n(1) >= 0 && f.pos >= size) return [null];
        const out = f.file.read(f.pos, want);
        f.pos += out.length;
        return [out];
      }
      case "fs_readline": {
        const f = file();
        const size = f.file.size();
        if (f.pos >= size) return [null];
        const rest = f.file.read(f.pos, size - f.pos);
        const nl = rest.indexOf(10);
        const end = nl < 0 ? rest.length : nl + 1;
        f.pos += end;
        return [rest.subarray(0, nl < 0 || a[1] === true ? end : nl)];
      }
      case "fs_write": {
        const f = file();
        if (!f.writable) return [null, "Bad file descriptor"];
        const data = buf(1);
        if (f.append) f.pos = f.file.size();
        f.file.write(f.pos, data);
        f.pos += data.length;
        return [true];
      }
      case "fs_seek": {
        const f = file();
        const whence = s(1);
        const base = whence === "set" ? 0 : whence === "cur" ? f.pos : whence === "end" ? f.file.size() : NaN;
        if (Number.isNaN(base)) throw new Error(`bad argument #1 to 'seek' (invalid option '${whence}')`);
        const pos = base + n(2);
        if (pos < 0) return [null, "Invalid argument"];
        f.pos = pos;
        return [pos];
      }
      case "fs_close": {
        const f = this.files.get(n(0));
        if (f !== undefined) {
          this.files.delete(n(0));
          f.file.close();
        }
        return [];
      }
      case "fs_remove": {
        const where = this.resolve(s(0));
        if (where === undefined || !where.vol.remove(where.name)) return [null, `${s(0)}: No such file or directory`];
        return [true];
      }
      case "fs_rename": {
        const from = this.resolve(s(0));
        const to = this.resolve(s(1));
        if (from === undefined || !from.vol.exists(from.name)) return [null, `${s(0)}: No such file or directory`];
        if (to === undefined) return [null, `${s(1)}: No such file or directory`];
        if (to.vol !== from.vol) return [null, `${s(1)}: Invalid cross-device link`];
        // FAT and SPIFFS refuse to rename over an existing file.
        if (to.vol.exists(to.name)) return [null, `${s(1)}: File exists`];
        from.vol.rename(from.name, to.name);
        return [true];
      }
      case "fs_exists": {
        const where = this.resolve(s(0));
        return [where !== undefined && where.vol.exists(where.name)];
      }
      case "fs_list": {
        const mp = a[0] === undefined ? undefined : s(0);
        let vol: Volume;
        let kb = false;
        if (mp === undefined || mp === "/") vol = this.flashVolume;
        else if (this.sdMount !== undefined && mp === this.sdMount) {
          vol = this.sdVolume;
          kb = true;
        } else throw new Error(`cannot list ${mp}`);
        let out = "";
        for (const [name, size] of vol.list()) out += `${name}\t${kb ? Math.ceil(size / 1024) : size}\n`;
        return [out];
      }
      default:
        throw new Error(`unknown host op ${op}`);
    }
  }
}

function volume(dir: string | undefined, files: Map<string, Uint8Array> | undefined, what: string): Volume {
  if (files !== undefined) return new MapVolume(files);
  if (dir !== undefined) return new DirVolume(dir);
  throw new Error(`virtual NodeMCU: give ${what}Dir or ${what}Files`);
}

/** The virtual NodeMCU on wasmoon: one lua_State per device in the shared wasm module. */
export class VirtualNodeMcu extends NodeMcuHost {
  private L = 0;
  private dispatchRef = 0;
  private tracebackRef = 0;

  private constructor(
    private readonly b: Bridge,
    id: number,
    options: VirtualNodeMcuOptions,
  ) {
    super(id, options);
  }

  /** A powered-on device with the NodeMCU modules loaded, ready for boot(). */
  static async create(options: VirtualNodeMcuOptions): Promise<VirtualNodeMcu> {
    const b = await getBridge();
    const id = b.nextDevice++;
    const dev = new VirtualNodeMcu(b, id, options);
    b.devices.set(id, dev);
    const r = raw(b);
    dev.L = r._luaL_newstate() as number;
    r._luaL_openlibs(dev.L);
    if (options.preamble !== undefined) dev.runChunk(options.preamble, "=preamble");
    r._lua_pushinteger(dev.L, BigInt(id));
    r._lua_pushcclosure(dev.L, b.fn, 1);
    b.lua.lua_setglobal(dev.L, "__vn_host");
    dev.runChunk(NODEMCU_PRELUDE, "=nodemcu");
    return dev;
  }

  /** Runs a compiled Lua bundle as init.lua would; throws with the Lua error (and traceback). */
  boot(code: string, name = "=init.lua"): void {
    this.runChunk(code, name);
  }

  /** Lua heap in use (collectgarbage("count")), in bytes; after a full collection when `full`. */
  luaMemory(full = false): number {
    this.event("query_mem", full);
    return Math.round(this.memKb * 1024);
  }

  /** Power off: close sockets and files, cancel timers, free the Lua state. */
  stop(): void {
    if (this.L === 0) return;
    this.halted = true;
    // Closing the state runs __gc of open files, which still reach the host.
    raw(this.b)._lua_close(this.L);
    this.releaseHost();
    this.L = 0;
    this.b.devices.delete(this.id);
  }

  setDispatch(dispatch: number, traceback: number): void {
    this.dispatchRef = dispatch;
    this.tracebackRef = traceback;
  }


  private runChunk(code: string, name: string): void {
    const r = raw(this.b);
    const L = this.L;
    const top = r._lua_gettop(L) as number;
    const src = Buffer.from(code, "latin1");
    const p = this.b.m._malloc(src.length + 1);
    const np = this.b.m.stringToNewUTF8(name);
    try {
      this.b.m.HEAPU8.set(src, p);
      const status = r._luaL_loadbufferx(L, p, src.length, np, 0) as number;
      if (status !== 0) throw new Error(`${name}: ${readString(this.b, L, -1).toString("latin1")}`);
    } finally {
      this.b.m._free(p);
      this.b.m._free(np);
    }
    const err = this.pcall(top, 0);
    if (err !== undefined) throw new Error(err);
  }

  /** Calls the function at the top of the stack (with nargs above it) under a traceback handler. */
  private pcall(base: number, nargs: number): string | undefined {
    const r = raw(this.b);
    const L = this.L;
    let handler = 0;
    if (this.tracebackRef !== 0) {
      r._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(this.tracebackRef));
      // Move the handler below the function and its arguments.
      r._lua_rotate(L, base + 1, 1);
      handler = base + 1;
    }
    const status = r._lua_pcallk(L, nargs, 0, handler, 0, 0) as number;
    let err: string | undefined;
    if (status !== 0) err = readString(this.b, L, -1).toString("latin1");
    r._lua_settop(L, base);
    return err;
  }

  /** Delivers one event to the Lua dispatcher; errors become `errors` entries, as a panic would. */
  protected event(kind: string, ...args: HostValue[]): void {
    if (this.L === 0 || this.halted || this.dispatchRef === 0) return;
    const r = raw(this.b);
    const L = this.L;
    const base = r._lua_gettop(L) as number;
    r._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(this.dispatchRef));
    pushValue(this.b, L, kind);
    for (const a of args) pushValue(this.b, L, a);
    const err = this.pcall(base, args.length + 1);
    if (err !== undefined && !this.halted) {
      this.errors.push(err);
      this.print(`PANIC: ${err}`);
    }
  }
}
