// Espruino REPL emulator: the console of Espruino on an ESP32-S3 in front of the firmware's
// virtual Espruino (firmware/targets/espruino/node/virtual-espruino.ts: the Espruino-shaped vm
// context plus Storage, fs + E.connectSDCard, net, Wifi, I2C, crypto, E.*), so uploaded code
// runs against the same API surface the firmware is tested with. This file is only the
// console: banner, echo and "=value" results (`\x10` at line start suppresses both), Ctrl-C,
// and the boot files at power-on. Storage is the board's `files` (kept across reboots, wiped
// by erase); E.reboot() goes through the board's reset, load()/reset() start a fresh
// interpreter without one.
import { Scheduler } from "../../../firmware/targets/node/scheduler";
import { VirtualEspruino } from "../../../firmware/targets/espruino/node/virtual-espruino";
import type { DeviceRuntime, RuntimeContext, RuntimeFactory } from "../board.js";

export const ESPRUINO_PROJECT = "espruino";
const ECHO_OFF = 0x10;
const CTRL_C = 0x03;

export function espruinoBanner(version: string): string {
  return " ____                 _ \r\n|  __|___ ___ ___ _ _|_|___ ___ \r\n|  __|_ -| . |  _| | | |   | . |\r\n" +
    "|____|___|  _|_| |___|_|_|_|___|\r\n         |_| espruino.com\r\n" +
    ` ${version} (c) 2024 G.Williams\r\n\r\n`;
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");

class EspruinoRepl implements DeviceRuntime {
  private line: number[] = [];
  private dev!: VirtualEspruino;
  private readonly scheduler = new Scheduler({ mode: "real", onError: (e) => this.ctx.panic(`host timer: ${String(e)}`) });
  private stopped = false;

  constructor(private readonly ctx: RuntimeContext) {
    this.out(espruinoBanner(ctx.app.version));
    this.start(true);
  }

  private out(text: string): void {
    if (!this.stopped) this.ctx.print(new Uint8Array(Buffer.from(text.replace(/\r?\n/g, "\r\n"), "latin1")));
  }

  /** A fresh interpreter; with the boot files, as at power-on and after load(). */
  private start(runBootCode: boolean): void {
    const ctx = this.ctx;
    const hw = ctx.board.hardware;
    this.dev = new VirtualEspruino({
      scheduler: this.scheduler,
      flashFiles: ctx.files,
      sdFiles: hw.sdCard,
      i2c: hw.i2c,
      adc: hw.adc,
      print: (line) => this.out(`${line}\n`),
      onRestart: () => ctx.restart(),
      onSoftReset: (boot) => {
        if (this.stopped) return;
        this.start(boot);
        this.out(">");
      },
      version: ctx.app.version,
      serial: Buffer.from(ctx.board.mac).toString("hex"),
    });
    if (runBootCode) this.dev.bootFromStorage();
  }

  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (this.stopped || this.dev.halted) return;
      if (b === CTRL_C) { this.line = []; this.out("\n>"); continue; }
      if (b === 0x0d || b === 0x0a) {
        if (this.line.length === 0) { if (b === 0x0d) this.out("\n>"); continue; }
        const text = latin1(Uint8Array.from(this.line));
        this.line = [];
        this.execute(text);
        continue;
      }
      this.line.push(b);
    }
  }

  private execute(text: string): void {
    const echo = text.charCodeAt(0) !== ECHO_OFF;
    const code = echo ? text : text.slice(1);
    if (echo) this.out(`${code}\n`);
    const result = this.dev.execute(code);
    if (this.dev.halted) return;
    if (echo && result !== undefined) this.out(`=${typeof result === "string" ? JSON.stringify(result) : String(result)}\n`);
    this.out(">");
  }

  stop(): void {
    this.stopped = true;
    this.dev.stop();
    this.scheduler.close();
  }
}

export const espruinoRuntime: RuntimeFactory = {
  projectName: ESPRUINO_PROJECT,
  start: (ctx) => new EspruinoRepl(ctx),
};
