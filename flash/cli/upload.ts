// tsense upload: send the app to an Espruino or NodeMCU board through its REPL with the
// resumable, CRC-checked, hash-verified, atomically switched protocol of upload/transfer.ts.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { ExitCode, ToolError } from "../errors.js";
import { Board } from "../emulator/board.js";
import { BudgetError, buildFirmware } from "../../firmware/node/build";
import { espruinoFirmware, nodemcuFirmware } from "../emulator/firmware-images.js";
import { RUNTIMES } from "../emulator/runtimes.js";
import type { Runtime } from "../repl/banner.js";
import { identify } from "../repl/identify.js";
import type { ReplWire } from "../repl/wire.js";
import { attachBoard, detachBoard } from "../serial/emulator-binding.js";
import { SerialLink } from "../serial/link.js";
import { dialectFor } from "../upload/dialects.js";
import { DEFAULT_WINDOW, uploadApp } from "../upload/transfer.js";
import { choosePort, makeOutput, parse, parseBaud, printJson, runCommand } from "./common.js";

const HELP = `usage: tsense upload --file APP [options]
  --file PATH          the app artifact (app.js for Espruino, app.lua for NodeMCU)
  --board ID           build the firmware for this board (tsense build) when --file is not given
  --version V          version the READY banner must show (default: first 12 hex of the SHA-256)
  --runtime R          espruino | nodemcu (default: detected on the port; required with --dry-run)
  --window N           chunks in flight (default 2; 1 = strict stop-and-wait)
  --dry-run            print the exact wire transcript against an emulated fresh board; touch no port
  -p, --port PATH, --baud N (default 115200), --json, -q/--quiet, -h/--help`;

export async function openRepl(port: string | undefined, baud: number, want?: string): Promise<{ link: SerialLink; runtime: Runtime; path: string }> {
  const chosen = await choosePort(port);
  const link = await SerialLink.open(chosen.path, baud);
  try {
    const id = await identify(link);
    if (id.kind === "rom") throw new ToolError(ExitCode.REFUSED, `${chosen.path} is in the ROM bootloader, not an interpreter: run tsense flash-firmware first, or press RESET`);
    if (id.kind === "unknown") throw new ToolError(ExitCode.NO_DEVICE, `no Espruino or NodeMCU prompt on ${chosen.path}; flash an interpreter with tsense flash-firmware, or check --baud`);
    if (want && want !== id.runtime) throw new ToolError(ExitCode.WRONG_CHIP, `${chosen.path} runs ${id.runtime}, not ${want}; flash the right interpreter or drop --runtime`);
    return { link, runtime: id.runtime, path: chosen.path };
  } catch (e) {
    await link.close();
    throw e;
  }
}

/** A throwaway emulated board with a fresh interpreter, for --dry-run. */
export function dryRunBoard(runtime: Runtime): { path: string; dispose: () => void } {
  const board = new Board({ runtimes: RUNTIMES });
  board.flash.bytes.set(runtime === "espruino" ? espruinoFirmware(4096) : nodemcuFirmware(4096), 0);
  board.boot(false, 1);
  const path = `emu:dry-run-${process.pid}-${Date.now()}`;
  attachBoard(path, { board });
  return { path, dispose: () => { detachBoard(path); board.powerOff(); } };
}

export async function main(argv: string[]): Promise<number> {
  return runCommand("upload", argv, async (json) => {
    const { values: o } = parse(argv, {
      file: { type: "string" }, board: { type: "string" }, version: { type: "string" }, runtime: { type: "string" },
      "dry-run": { type: "boolean" }, baud: { type: "string" }, window: { type: "string" },
    });
    if (o.help) { console.log(HELP); return ExitCode.OK; }
    if (o.runtime && o.runtime !== "espruino" && o.runtime !== "nodemcu") throw new ToolError(ExitCode.USAGE, "--runtime must be espruino or nodemcu");
    if (!o.file && o.board) {
      if (!o.runtime) throw new ToolError(ExitCode.USAGE, "building for --board needs --runtime espruino|nodemcu (or pass --file)");
      try {
        const m = await buildFirmware(o.board, o.runtime === "nodemcu" ? "lua" : "espruino");
        o.file = m.artifact;
      } catch (e) {
        if (e instanceof BudgetError) throw new ToolError(ExitCode.IMAGE_TOO_LARGE, (e as Error).message);
        throw new ToolError(ExitCode.USAGE, `cannot build for ${o.board}: ${(e as Error).message}`);
      }
    }
    if (!o.file) throw new ToolError(ExitCode.USAGE, "pass the app with --file, or --board and --runtime to build it");
    if (!existsSync(o.file)) throw new ToolError(ExitCode.BAD_IMAGE, `${o.file} does not exist; build the app first`);
    const out = makeOutput(json, o.quiet ?? false);
    const app = new Uint8Array(readFileSync(o.file));
    const version = o.version ?? createHash("sha256").update(app).digest("hex").slice(0, 12);
    const baud = parseBaud(o.baud, 115200);
    const window = o.window === undefined ? DEFAULT_WINDOW : Number(o.window);
    if (!Number.isInteger(window) || window < 1 || window > 8) throw new ToolError(ExitCode.USAGE, "--window must be 1..8 chunks");

    let dry: { path: string; dispose: () => void } | null = null;
    if (o["dry-run"]) {
      if (!o.runtime) throw new ToolError(ExitCode.USAGE, "--dry-run needs --runtime espruino|nodemcu (it does not touch the board to find out)");
      dry = dryRunBoard(o.runtime as Runtime);
    }
    const { link, runtime, path } = await openRepl(dry ? dry.path : o.port, baud, o.runtime);
    let wire: ReplWire | null = null;
    try {
      out.info(`${path}: ${runtime}; uploading ${o.file} (${app.length} bytes) as version ${version}`);
      const result = await uploadApp(link, dialectFor(runtime), app, version, out.progress("upload"), (w) => { wire = w; }, window);
      if (dry) {
        for (const line of (wire as ReplWire | null)?.transcript ?? []) console.log(line);
        return ExitCode.OK;
      }
      const appTransfer = result.transfers[result.transfers.length - 1];
      if (json) printJson({ ok: true, port: path, runtime, board: o.board ?? null, file: o.file, ...result });
      else if (!o.quiet) {
        console.log(`uploaded ${result.app} (${app.length} bytes, SHA-256 ${appTransfer.sha256.slice(0, 16)}…)` +
          (appTransfer.resumedAt > 0 ? `, resumed at byte ${appTransfer.resumedAt}` : "") + `; board says: ${result.ready}`);
      }
      return ExitCode.OK;
    } finally {
      await link.close();
      dry?.dispose();
    }
  });
}
