// Emulated boards behind "--port emu:<name>" when no test registered one, so every command can
// be tried without hardware. Names: emu:blank (erased flash), emu:espruino and emu:nodemcu
// (interpreter already flashed), emu:usb-<any of those> (USB-Serial/JTAG instead of a USB-UART
// bridge). With TSENSE_EMU_STATE=<dir> the flash and file system persist between commands.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { attachBoard, EMU_PREFIX, emulatedBoard } from "../serial/emulator-binding.js";
import { Board, ResetReason } from "./board.js";
import { espruinoFirmware, nodemcuFirmware } from "./firmware-images.js";
import { RUNTIMES } from "./runtimes.js";

const live = new Map<string, Board>();

function stateFile(name: string): string | null {
  const dir = process.env.TSENSE_EMU_STATE;
  return dir ? join(dir, `${name.replace(/[^a-z0-9-]/gi, "_")}.json`) : null;
}

/** The demo board behind an emu: port, made (or powered on again) as needed; undefined for a board someone else registered. */
export function ensureDemoBoard(path: string): Board | undefined {
  const name = path.slice(EMU_PREFIX.length);
  const known = live.get(name);
  if (known) {
    if (known.mode === "off" && known.isPresent) known.boot(false, ResetReason.POWERON);
    return known;
  }
  if (emulatedBoard(path)) return undefined;
  const usb = name.startsWith("usb-");
  const kind = usb ? name.slice(4) : name;
  const board = new Board({ runtimes: RUNTIMES, circuit: usb ? "usb-jtag" : "classic" });
  const saved = stateFile(name);
  if (saved && existsSync(saved)) {
    const state = JSON.parse(readFileSync(saved, "utf8")) as { flash: { at: number; hex: string }[]; files: Record<string, string> };
    for (const { at, hex } of state.flash) board.flash.bytes.set(Buffer.from(hex, "hex"), at);
    for (const [n, b64] of Object.entries(state.files)) board.files.set(n, new Uint8Array(Buffer.from(b64, "base64")));
  } else if (kind === "espruino" || kind === "nodemcu") {
    board.flash.bytes.set(kind === "espruino" ? espruinoFirmware() : nodemcuFirmware(), 0);
  } else if (kind !== "blank") {
    throw new Error(`unknown emulated board ${path}: use emu:blank, emu:espruino or emu:nodemcu (optionally emu:usb-…)`);
  }
  board.boot(false, 1);
  attachBoard(path, { board, vendorId: usb ? "303a" : "10c4", productId: usb ? "1001" : "ea60", serialNumber: name });
  live.set(name, board);
  return board;
}

/** Write the demo boards' state back (non-erased 4 KiB sectors only). */
export function saveDemoBoards(): void {
  for (const [name, board] of live) {
    const file = stateFile(name);
    if (!file) continue;
    const flash: { at: number; hex: string }[] = [];
    const b = board.flash.bytes;
    for (let at = 0; at < b.length; at += 4096) {
      const sector = b.subarray(at, at + 4096);
      if (sector.some((x) => x !== 0xff)) flash.push({ at, hex: Buffer.from(sector).toString("hex") });
    }
    const files: Record<string, string> = {};
    for (const [n, f] of board.files) files[n] = Buffer.from(f).toString("base64");
    mkdirSync(process.env.TSENSE_EMU_STATE!, { recursive: true });
    writeFileSync(file, JSON.stringify({ flash, files }));
  }
}


/**
 * Power the demo boards off at the end of a command: an interpreter running a real app keeps
 * timers and sockets alive, which would keep the process from exiting. The next command in
 * the same process powers its board on again.
 */
export function powerOffDemoBoards(): void {
  for (const board of live.values()) board.powerOff();
}
