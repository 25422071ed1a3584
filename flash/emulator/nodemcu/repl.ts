// NodeMCU-ESP32 REPL emulator: the console UART of NodeMCU on an ESP32-S3 in front of the
// firmware's virtual NodeMCU (firmware/targets/lua/node/virtual-nodemcu.ts), so uploaded Lua
// runs against the same module set the firmware is tested with (io/file, sdmmc, net, tmr, i2c,
// adc, gpio, wifi, node, encoder, crypto.new_hash, uart). This file is only the console:
// banner, line assembly with NodeMCU's input limit, echo (switched by uart.setup), Ctrl-C.
// Files live in the board's `files` (internal flash: kept across reboots, wiped by erase) and
// its SD card; node.restart() goes through the board's reset. The Lua VM is wasmoon (Lua 5.4,
// in-process) or Debian's lua5.3 (the version NodeMCU builds, one child process per boot).
import { Scheduler } from "../../../firmware/targets/node/scheduler";
import { type NodeMcuHost, VirtualNodeMcu, type VirtualNodeMcuOptions } from "../../../firmware/targets/lua/node/virtual-nodemcu";
import { VirtualNodeMcuLua53 } from "../../../firmware/targets/lua/node/virtual-nodemcu-lua53";
import type { DeviceRuntime, RuntimeContext, RuntimeFactory } from "../board.js";

export const NODEMCU_PROJECT = "nodemcu";
/** Line buffer of the NodeMCU console (LUA_MAXINPUT): longer lines are cut. */
export const NODEMCU_MAX_LINE = 256;
const CTRL_C = 0x03;

export function nodemcuBanner(version: string, idf: string): string {
  return `\nNodeMCU ESP32 build ${version} powered by Lua 5.3.6 [5.3-int32-singlefp] on IDF ${idf}\n`;
}

const latin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

class NodemcuRepl implements DeviceRuntime {
  private dev: NodeMcuHost | null = null;
  private readonly scheduler = new Scheduler({ mode: "real", onError: (e) => this.ctx.panic(`host timer: ${String(e)}`) });
  private pendingInput: number[] = [];
  private line: number[] = [];
  private stopped = false;
  /** Console echo: on at boot, switched by uart.setup(0, …, echo). */
  private echo = true;

  constructor(private readonly ctx: RuntimeContext, private readonly vm: LuaVm) {
    void this.init().catch((e: unknown) => ctx.panic(`Lua VM: ${e instanceof Error ? e.message : String(e)}`));
  }

  private out(text: string): void {
    if (!this.stopped) this.ctx.print(latin1(text));
  }

  private async init(): Promise<void> {
    const ctx = this.ctx;
    const hw = ctx.board.hardware;
    const options: VirtualNodeMcuOptions = {
      scheduler: this.scheduler,
      flashFiles: ctx.files,
      sdFiles: hw.sdCard,
      i2c: hw.i2c,
      adc: hw.adc,
      print: (line) => this.out(`${line}\n`),
      write: (text) => this.out(text),
      onConsoleEcho: (on) => { this.echo = on; },
      onRestart: () => ctx.restart(),
      version: ctx.app.version,
    };
    const dev = this.vm === "lua5.3" ? await VirtualNodeMcuLua53.create(options) : await VirtualNodeMcu.create(options);
    if (this.stopped) { dev.stop(); return; }
    this.dev = dev;
    this.out(nodemcuBanner(ctx.app.version, ctx.app.idfVersion));
    dev.startConsole();
    const queued = this.pendingInput;
    this.pendingInput = [];
    if (queued.length) this.receive(Uint8Array.from(queued));
  }

  receive(bytes: Uint8Array): void {
    if (this.stopped) return;
    if (!this.dev) { this.pendingInput.push(...bytes); return; }
    for (const b of bytes) {
      if (this.stopped || this.dev.halted) return;
      if (b === CTRL_C) { this.line = []; this.out("\n> "); continue; }
      if (b === 0x0d) continue;
      if (b === 0x0a) {
        const text = Buffer.from(Uint8Array.from(this.line)).toString("latin1").slice(0, NODEMCU_MAX_LINE - 1);
        this.line = [];
        if (this.echo) this.out(`${text}\n`);
        this.dev.consoleLine(text);
        continue;
      }
      this.line.push(b);
    }
  }

  stop(): void {
    this.stopped = true;
    const dev = this.dev;
    this.dev = null;
    this.scheduler.close();
    if (dev) {
      // A reset may come while Lua is running (its output reached the host, which reset the
      // board): the VM goes quiet now and is freed once that call has returned.
      dev.halted = true;
      setImmediate(() => dev.stop());
    }
  }
}

export type LuaVm = "wasmoon" | "lua5.3";

export const nodemcuRuntime: RuntimeFactory = {
  projectName: NODEMCU_PROJECT,
  start: (ctx) => new NodemcuRepl(ctx, "wasmoon"),
};

/** The same console on the reference Lua 5.3 (needs Debian's lua5.3 on PATH). */
export const nodemcuLua53Runtime: RuntimeFactory = {
  projectName: NODEMCU_PROJECT,
  start: (ctx) => new NodemcuRepl(ctx, "lua5.3"),
};
