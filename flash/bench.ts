// npm run bench -- flash: serial throughput against the emulators at their simulated line rate
// (10 bits per byte each way, real timers), with baselines measured in the same run.
//   1. flash-firmware path: a 2 MB app image at 921,600 baud through the stub, compressed
//      (ours: esptool-js per-block commands), against esptool-js's own writeFlash and against
//      raw (uncompressed) blocks. Reports wall time, payload / bytes on the wire, and the
//      ratio to the time the wire alone needs.
//   2. upload through each REPL at 115,200 baud: our verified protocol against the line
//      capacity and (Espruino) the Espruino CLI's unchecked Storage.write lines.
//   3. with --real-app BOARD: the tsense firmware built for BOARD (both runtimes), uploaded through
//      the REPL emulators, which boot it in the firmware's virtual runtimes (READY must follow).
// Options: --size BYTES (image size, default 2 MiB), --app BYTES (REPL upload, default 32 KiB),
// --real-app BOARD.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildFirmware } from "../firmware/node/build";
import { Board } from "./emulator/board.js";
import { buildImage } from "./esp/image-builder.js";
import { EspSession } from "./esp/session.js";
import { espruinoFirmware, nodemcuFirmware } from "./emulator/firmware-images.js";
import { RUNTIMES } from "./emulator/runtimes.js";
import { attachBoard, detachBoard } from "./serial/emulator-binding.js";
import { SerialLink } from "./serial/link.js";
import { type Dialect, ESPRUINO, NODEMCU } from "./upload/dialects.js";
import { uploadApp } from "./upload/transfer.js";

const FLASH_BAUD = 921_600;
const REPL_BAUD = 115_200;
let portCounter = 0;

function attach(board: Board): string {
  const path = `emu:bench-${process.pid}-${++portCounter}`;
  attachBoard(path, { board });
  return path;
}

interface Row { name: string; seconds: number; payload: number; toDevice: number; toHost: number; lineSeconds: number }

function row(r: Row, baseline?: Row): string {
  const eff = r.payload / (r.toDevice + r.toHost);
  const vs = baseline ? `  speed ${(baseline.seconds / r.seconds).toFixed(2)}x of ${baseline.name}` : "";
  return `  ${r.name.padEnd(34)} ${r.seconds.toFixed(2).padStart(7)} s  ${(r.payload / r.seconds / 1024).toFixed(1).padStart(7)} KiB/s  ` +
    `efficiency ${eff.toFixed(3)}  (${r.toDevice} B out, ${r.toHost} B back)  wire-bound ${(r.lineSeconds / r.seconds * 100).toFixed(0)}%${vs}`;
}

async function flashCase(name: string, image: Uint8Array, how: "ours" | "raw" | "esptool-js"): Promise<Row> {
  const board = new Board({ simulateLineRate: true, startInDownloadMode: true });
  const path = attach(board);
  try {
    const session = await EspSession.connect({ path, baud: FLASH_BAUD, reset: "none" });
    const out0 = board.wire.toDevice, in0 = board.wire.toHost;
    const t0 = performance.now();
    if (how === "esptool-js") {
      await session.loader.writeFlash({
        fileArray: [{ data: image, address: 0x10000 }], flashSize: "keep", flashMode: "keep", flashFreq: "keep",
        eraseAll: false, compress: true, calculateMD5Hash: (d: Uint8Array) => createHash("md5").update(d).digest("hex"),
      } as never);
    } else {
      await session.writeRegion(0x10000, image, { compress: how === "ours" });
    }
    const seconds = (performance.now() - t0) / 1000;
    await session.close();
    const toDevice = board.wire.toDevice - out0, toHost = board.wire.toHost - in0;
    return { name, seconds, payload: image.length, toDevice, toHost, lineSeconds: ((toDevice + toHost) * 10) / FLASH_BAUD };
  } finally {
    detachBoard(path);
  }
}

function replBoard(fw: Uint8Array): { board: Board; path: string } {
  const board = new Board({ runtimes: RUNTIMES, simulateLineRate: true });
  board.flash.bytes.set(fw, 0);
  board.boot(false, 1);
  return { board, path: attach(board) };
}

function appText(size: number, comment: string): Uint8Array {
  let s = "";
  for (let i = 0; s.length < size; i++) s += `${comment} filler line ${i} of the benchmark app ${"=".repeat(i % 29)}\n`;
  return new TextEncoder().encode(s.slice(0, size));
}

async function uploadCase(name: string, dialect: Dialect, app: Uint8Array, window: number): Promise<Row> {
  const { board, path } = replBoard(dialect === ESPRUINO ? espruinoFirmware(4096) : nodemcuFirmware(4096));
  await new Promise((r) => setTimeout(r, 300)); // boot banner at line rate
  const link = await SerialLink.open(path, REPL_BAUD);
  try {
    link.discard();
    const out0 = board.wire.toDevice, in0 = board.wire.toHost;
    const t0 = performance.now();
    await uploadApp(link, dialect, app, "1.0.0", undefined, undefined, window);
    const seconds = (performance.now() - t0) / 1000;
    const toDevice = board.wire.toDevice - out0, toHost = board.wire.toHost - in0;
    return { name, seconds, payload: app.length, toDevice, toHost, lineSeconds: (Math.max(toDevice, toHost) * 10) / REPL_BAUD };
  } finally {
    await link.close();
    detachBoard(path);
  }
}

/** The Espruino CLI's way: 1 KiB Storage.write lines, echo off, no check, no wait per line. */
async function espruinoCliBaseline(app: Uint8Array): Promise<Row> {
  const { board, path } = replBoard(espruinoFirmware(4096));
  await new Promise((r) => setTimeout(r, 300));
  const link = await SerialLink.open(path, REPL_BAUD);
  try {
    link.discard();
    const out0 = board.wire.toDevice, in0 = board.wire.toHost;
    const t0 = performance.now();
    for (let off = 0; off < app.length; off += 1024) {
      const chunk = Buffer.from(app.subarray(off, off + 1024)).toString("base64");
      await link.write(`\x10require("Storage").write("app.js",atob("${chunk}"),${off},${app.length})\n`);
    }
    await link.write('\x10print("DONE")\n');
    await link.readUntil((t) => { const i = t.indexOf("DONE"); return i < 0 ? -1 : i + 4; }, 120_000, "DONE");
    const seconds = (performance.now() - t0) / 1000;
    const toDevice = board.wire.toDevice - out0, toHost = board.wire.toHost - in0;
    if (createHash("sha256").update(board.files.get("app.js") ?? new Uint8Array(0)).digest("hex") !== createHash("sha256").update(app).digest("hex")) {
      throw new Error("baseline upload did not arrive intact");
    }
    return { name: "Espruino CLI style (unchecked)", seconds, payload: app.length, toDevice, toHost, lineSeconds: (Math.max(toDevice, toHost) * 10) / REPL_BAUD };
  } finally {
    await link.close();
    detachBoard(path);
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { size: { type: "string" }, app: { type: "string" }, "real-app": { type: "string" } } });
  const size = Number(values.size ?? 2 * 1024 * 1024);
  const appSize = Number(values.app ?? 32 * 1024);
  const image = buildImage({ projectName: "espruino", codeSize: size - 512, seed: 3 });
  console.log(`flash: ${image.length} B app image (deflates to ${Math.round(image.length / (await import("pako")).deflate(image, { level: 9 }).length * 100) / 100}:1) at ${FLASH_BAUD} baud, simulated line rate`);
  const esptool = await flashCase("esptool-js writeFlash (baseline)", image, "esptool-js");
  const raw = await flashCase("raw blocks (no compression)", image, "raw");
  const ours = await flashCase("tsense (compressed, MD5-verified)", image, "ours");
  console.log(row(esptool));
  console.log(row(raw, esptool));
  console.log(row(ours, esptool));
  console.log(`  time on the wire alone for the raw image: ${((image.length * 10) / FLASH_BAUD).toFixed(2)} s`);

  console.log(`\nupload through the REPL: ${appSize} B app at ${REPL_BAUD} baud, simulated line rate`);
  const cli = await espruinoCliBaseline(appText(appSize, "//"));
  console.log(row(cli));
  for (const window of [1, 2]) {
    console.log(row(await uploadCase(`tsense, Espruino, window ${window}`, ESPRUINO, appText(appSize, "//"), window), cli));
    console.log(row(await uploadCase(`tsense, NodeMCU, window ${window}`, NODEMCU, appText(appSize, "--"), window), cli));
  }
  console.log(`  line capacity: ${(REPL_BAUD / 10 / 1024).toFixed(1)} KiB/s each way`);

  const board = values["real-app"];
  if (board !== undefined) {
    console.log(`\nthe tsense app for ${board} through the REPL at ${REPL_BAUD} baud (window 2), booted in the virtual runtimes`);
    for (const [target, dialect] of [["espruino", ESPRUINO], ["lua", NODEMCU]] as const) {
      // Without the budget check: this measures the wire, whatever the artifact weighs today.
      const m = await buildFirmware(board, target, undefined, false);
      const app = new Uint8Array(readFileSync(m.artifact));
      console.log(row(await uploadCase(`tsense app, ${target} (${app.length} B)`, dialect, app, 2)));
    }
  }
  return 0;
}
