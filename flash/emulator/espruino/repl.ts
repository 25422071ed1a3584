// Espruino REPL emulator: the console of Espruino on an ESP32-S3, with uploaded code really
// running in a Node `vm` context. It provides what tsense's upload/provision protocol and a
// small app use: the echo/prompt behaviour (`\x10` at line start suppresses echo, Ctrl-C
// clears the line), `require("Storage")` over the board's file system (survives reboots,
// wiped when its flash window is erased), E.CRC32, E.hwRand, E.reboot, load(),
// require("crypto").SHA256, atob/btoa, print/console.log, process.env, setTimeout. The
// context itself is the firmware's Espruino-shaped one (built-ins cut down to Espruino's), so
// uploaded code that would fail on the device fails here too.
import { createHash, randomBytes } from "node:crypto";
import vm from "node:vm";
import { createEspruinoContext } from "../../../firmware/targets/espruino/node/vm-context.js";
import type { DeviceRuntime, RuntimeContext, RuntimeFactory } from "../board.js";
import { crc32 } from "../../upload/crc32.js";

export const ESPRUINO_PROJECT = "espruino";
const ECHO_OFF = 0x10;
const CTRL_C = 0x03;
/** Files run at boot and by load(), in this order (Espruino's boot files). */
const BOOT_FILES = [".boot0", ".boot1", ".boot2", ".boot3", ".bootcde"];

export function espruinoBanner(version: string): string {
  return " ____                 _ \r\n|  __|___ ___ ___ _ _|_|___ ___ \r\n|  __|_ -| . |  _| | | |   | . |\r\n" +
    "|____|___|  _|_| |___|_|_|_|___|\r\n         |_| espruino.com\r\n" +
    ` ${version} (c) 2024 G.Williams\r\n\r\n`;
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const fromLatin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

/** Espruino strings are byte strings; arrays and ArrayBuffers are accepted wherever data is. */
function toBytes(data: unknown): Uint8Array {
  if (typeof data === "string") return fromLatin1(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Uint8Array.from(data as number[]);
  return fromLatin1(String(data));
}

class EspruinoRepl implements DeviceRuntime {
  private line: number[] = [];
  private context!: vm.Context;
  private timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly ctx: RuntimeContext) {
    ctx.print(espruinoBanner(ctx.app.version));
    this.load();
  }

  private out(text: string): void {
    this.ctx.print(text.replace(/\r?\n/g, "\r\n"));
  }

  private storage() {
    const files = this.ctx.files;
    return {
      read: (name: string) => { const f = files.get(name); return f ? latin1(f) : undefined; },
      readJSON: (name: string, noExceptions?: boolean) => {
        const f = files.get(name);
        if (!f) return undefined;
        try { return JSON.parse(latin1(f)); } catch (e) { if (noExceptions) return undefined; throw e; }
      },
      readArrayBuffer: (name: string) => { const f = files.get(name); return f ? Uint8Array.from(f).buffer : undefined; },
      write: (name: string, data: unknown, offset?: number, size?: number) => {
        const bytes = toBytes(data);
        if (offset === undefined) { files.set(name, bytes); return true; }
        let file = files.get(name);
        if (!file || (offset === 0 && size !== undefined)) {
          if (size === undefined) throw new Error("Storage.write: file does not exist and no size given");
          file = new Uint8Array(size).fill(0xff);
          files.set(name, file);
        }
        if (offset + bytes.length > file.length) throw new Error(`Storage.write: offset ${offset}+${bytes.length} beyond file size ${file.length}`);
        file.set(bytes, offset);
        return true;
      },
      writeJSON: (name: string, value: unknown) => { files.set(name, fromLatin1(JSON.stringify(value))); return true; },
      erase: (name: string) => { files.delete(name); },
      list: (pattern?: RegExp) => [...files.keys()].filter((n) => !pattern || pattern.test(n)),
      getFree: () => 0x100000 - [...files.values()].reduce((a, f) => a + f.length + 32, 0),
      compact: () => {},
      eraseAll: () => files.clear(),
    };
  }

  /** A fresh interpreter, then the boot files (what Espruino does at power-on and on load()). */
  private load(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const storage = this.storage();
    const ctx = this.ctx;
    const hwRand = () => randomBytes(4).readInt32LE(0);
    const E = {
      CRC32: (data: unknown) => crc32(toBytes(data)),
      hwRand,
      getErrorFlags: () => [] as string[],
      reboot: () => ctx.restart(),
      getTemperature: () => 24.5,
      toString: (...args: unknown[]) => latin1(Uint8Array.from(args.flatMap((a) => [...toBytes(a)]))),
    };
    const crypto = { SHA256: (data: unknown) => Uint8Array.from(createHash("sha256").update(toBytes(data)).digest()).buffer };
    const modules: Record<string, unknown> = { Storage: storage, crypto };
    this.context = createEspruinoContext({
      print: (line) => this.out(`${line}\n`),
      hwRand,
      extra: {
        require: (name: string) => { if (name in modules) return modules[name]; throw new Error(`Module ${name} not found`); },
        E,
        process: { env: { VERSION: ctx.app.version, BOARD: "ESP32", SERIAL: Buffer.from(ctx.board.mac).toString("hex") } },
        getSerial: () => Buffer.from(ctx.board.mac).toString("hex"),
        load: () => setImmediate(() => { if (!this.stopped) { this.load(); this.out(">"); } }),
        reset: () => setImmediate(() => { if (!this.stopped) this.load(); }),
        setTimeout: (fn: () => void, ms: number) => {
          const t = setTimeout(() => { this.timers.delete(t); if (!this.stopped) this.guard(fn); }, ms);
          this.timers.add(t);
          return t;
        },
        clearTimeout: (t: NodeJS.Timeout) => { clearTimeout(t); this.timers.delete(t); },
      },
    });
    for (const name of BOOT_FILES) {
      const code = storage.read(name);
      if (code !== undefined) this.guard(() => vm.runInContext(code, this.context, { filename: name, timeout: 5000 }));
    }
  }

  private guard(fn: () => unknown): unknown {
    try {
      return fn();
    } catch (e) {
      this.out(`Uncaught ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
      return undefined;
    }
  }

  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (this.stopped) return;
      if (b === CTRL_C) { this.line = []; this.out("\n>"); continue; }
      if (b === 0x0d || b === 0x0a) {
        if (this.line.length === 0) { if (b === 0x0d) this.out("\n>"); continue; }
        this.execute(latin1(Uint8Array.from(this.line)));
        this.line = [];
        continue;
      }
      this.line.push(b);
    }
  }

  private execute(text: string): void {
    const echo = text.charCodeAt(0) !== ECHO_OFF;
    const code = echo ? text : text.slice(1);
    if (echo) this.out(`${code}\n`);
    const result = this.guard(() => vm.runInContext(code, this.context, { filename: "console", timeout: 5000 }));
    if (echo && result !== undefined) this.out(`=${typeof result === "string" ? JSON.stringify(result) : String(result)}\n`);
    this.out(">");
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export const espruinoRuntime: RuntimeFactory = {
  projectName: ESPRUINO_PROJECT,
  start: (ctx) => new EspruinoRepl(ctx),
};
