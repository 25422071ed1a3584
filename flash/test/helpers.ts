// Shared test helpers: an esptool-js loader on a port, quiet.
import { ESPLoader, Transport } from "esptool-js";
import { WebSerialAdapter } from "../serial/web-serial.js";

export function esptoolOn(path: string, baudrate = 115200): { loader: ESPLoader; transport: Transport; log: string[] } {
  const log: string[] = [];
  const transport = new Transport(new WebSerialAdapter(path) as never, false);
  transport.trace = () => {}; // esptool-js logs read-loop events to the console unconditionally
  const loader = new ESPLoader({
    transport, baudrate, romBaudrate: 115200,
    terminal: { clean() {}, writeLine: (s: string) => log.push(s), write: (s: string) => log.push(s) },
  } as never);
  return { loader, transport, log };
}

let counter = 0;
export function uniquePort(prefix: string): string {
  return `emu:${prefix}-${process.pid}-${++counter}`;
}

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { Board, type BoardOptions } from "../emulator/board.js";
import { espruinoFirmware, nodemcuFirmware } from "../emulator/firmware-images.js";
import { RUNTIMES } from "../emulator/runtimes.js";
import { attachBoard } from "../serial/emulator-binding.js";

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "tsense-flash-"));
}

/** Firmware files on disk, as a user would have them. */
export function firmwareFiles(dir: string): { espruino: string; nodemcu: string } {
  const espruino = join(dir, "espruino-esp32s3.bin");
  const nodemcu = join(dir, "nodemcu-esp32s3.bin");
  writeFileSync(espruino, espruinoFirmware(60_000));
  writeFileSync(nodemcu, nodemcuFirmware(60_000));
  return { espruino, nodemcu };
}

export function newBoard(opts: BoardOptions & { usb?: boolean; firmware?: "espruino" | "nodemcu" } = {}): { board: Board; port: string } {
  const board = new Board({ runtimes: RUNTIMES, circuit: opts.usb ? "usb-jtag" : "classic", ...opts });
  if (opts.firmware) {
    board.flash.bytes.set(opts.firmware === "espruino" ? espruinoFirmware(20_000) : nodemcuFirmware(20_000), 0);
    board.boot(false, 1);
  }
  const port = uniquePort("cmd");
  attachBoard(port, { board, vendorId: opts.usb ? "303a" : "10c4", productId: opts.usb ? "1001" : "ea60" });
  return { board, port };
}

/** Run a command's main() and capture what it prints. */
export async function run(main: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; stdout: string; stderr: string; json: () => Record<string, unknown> }> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => { stdout += String(s); return true; });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => { stderr += String(s); return true; });
  const l = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => { stdout += `${a.join(" ")}\n`; });
  try {
    const code = await main(argv);
    return { code, stdout, stderr, json: () => JSON.parse(stdout) };
  } finally {
    o.mockRestore();
    e.mockRestore();
    l.mockRestore();
  }
}
