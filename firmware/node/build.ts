/**
 * Firmware builds for a board: a generated entry (the board's pins and sensors inlined,
 * the target's boot code, then the app) compiled by the target's pipeline — TSTL for
 * NodeMCU-Lua (minified), esbuild for Espruino (minified) — plus a manifest (version,
 * target, size, SHA-256) and checks against the board's budgets: the app's bytes, and its
 * RAM as last measured (boards/measured.json) plus, for Lua when lua5.3 is installed, a
 * fresh probe of the heap the compiled code takes.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { findBoard } from "../../boards/load";
import { boardSensorConfigs, type Board, type Runtime } from "../../boards/board";
import { FIRMWARE_VERSION } from "../app/app-boot";
import { ROOT, buildLuaEntry } from "../targets/lua/build";
import { buildEspruinoEntry } from "../targets/espruino/build";
import { lua53Available } from "../targets/lua/node/lua-runner";

export const BUILD_TARGETS = ["lua", "espruino"] as const;
export type BuildTarget = (typeof BUILD_TARGETS)[number];

export interface Manifest {
  version: string;
  board: string;
  target: BuildTarget;
  runtime: string;
  artifact: string;
  bytes: number;
  sha256: string;
  budget: { appBytes: number };
  /** Bytes and RAM both within budget. */
  fits: boolean;
  ram: RamCheck;
  builtAt: string;
}

/**
 * The RAM side: the board's budget next to what the app needs as last measured
 * (boards/measured.json). Lua needs twice its live heap: Lua's default GC pause (200)
 * lets the heap grow to twice the live data before a collection starts (Lua 5.3 manual 2.5).
 */
export interface RamCheck {
  unit: "heapBytes" | "jsVars";
  budget: number;
  /** The measured figure the need is derived from, and where it comes from. */
  measured: number;
  measuredAt: string;
  how: string;
  needed: number;
  fits: boolean;
  /** Lua only, when lua5.3 is installed: heap taken by this build's compiled code alone (64-bit host). */
  codeProbe?: { runtime: string; codeHeapBytes: number };
}

interface Measured {
  lua: { measuredAt: string; liveHeapBytes: Record<string, number> };
  espruino: { measuredAt: string; jsVarsLoaded: number; jsVarsRunningOffline: number };
}

const MEASURED_FILE = join(ROOT, "boards", "measured.json");
/** Lua's default `setpause` of 200: a cycle starts when the heap has doubled since the last one. */
const LUA_GC_HEADROOM = 2;

/** Heap the compiled code takes once loaded (lua5.3 on this host), or undefined without lua5.3. */
function probeLuaCode(path: string): RamCheck["codeProbe"] {
  const version = lua53Available();
  if (version === null) return undefined;
  const script = 'collectgarbage("collect") local a = collectgarbage("count") local f = assert(loadfile(arg[1])) collectgarbage("collect") print(math.floor((collectgarbage("count") - a) * 1024))';
  // The script comes on stdin ("-") so that the bundle is only loaded (arg[1]), never run.
  const r = spawnSync("lua5.3", ["-", path], { input: script, encoding: "latin1", timeout: 30_000 });
  const bytes = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isFinite(bytes)) throw new Error(`lua5.3 could not load ${path}: ${r.stderr.trim()}`);
  return { runtime: `lua5.3 ${version}`, codeHeapBytes: bytes };
}

export function ramCheck(runtime: Runtime, path: string): RamCheck {
  const m = JSON.parse(readFileSync(MEASURED_FILE, "utf8")) as Measured;
  if (runtime.runtime === "nodemcu-lua") {
    const live = Math.max(...Object.values(m.lua.liveHeapBytes));
    const needed = live * LUA_GC_HEADROOM;
    return {
      unit: "heapBytes",
      budget: runtime.budget.heapBytes,
      measured: live,
      measuredAt: m.lua.measuredAt,
      how: "live Lua heap after a full GC while running (boards/measured.json), x2 for the GC pause",
      needed,
      fits: needed <= runtime.budget.heapBytes,
      codeProbe: probeLuaCode(path),
    };
  }
  const used = Math.max(m.espruino.jsVarsLoaded, m.espruino.jsVarsRunningOffline);
  return {
    unit: "jsVars",
    budget: runtime.budget.jsVars,
    measured: used,
    measuredAt: m.espruino.measuredAt,
    how: "JsVars in use on Espruino 2v29 with the app loaded from Storage and running, not yet connected (boards/measured.json)",
    needed: used,
    fits: used <= runtime.budget.jsVars,
  };
}

export class BudgetError extends Error {}

/** ADC full scale at 11 dB attenuation (ESP-IDF's figure for the S3). */
const ADC_FULL_SCALE_MV = 3100;

function runtimeOf(board: Board, target: BuildTarget): Runtime {
  const name = target === "lua" ? "nodemcu-lua" : "espruino";
  const r = board.runtimes.find((x) => x.runtime === name);
  if (!r) {
    const excluded = board.excludedRuntimes?.find((x) => x.runtime === name);
    // An exclusion is a budget verdict recorded in the definition: the same exit code.
    if (excluded) throw new BudgetError(`board ${board.id} cannot run ${name}: ${excluded.reason}`);
    throw new Error(`board ${board.id} has no ${name} runtime (it lists: ${board.runtimes.map((x) => x.runtime).join(", ")})`);
  }
  return r;
}

function luaBoard(board: Board) {
  const sd = board.sd;
  if (!sd) throw new Error(`board ${board.id} has no SD card wiring: the journal needs one`);
  return {
    i2c: { sda: board.i2c.sda, scl: board.i2c.scl, speed: board.i2c.frequencyHz ?? 100000 },
    sd:
      sd.interface === "spi"
        ? { slot: "SPI2", width: 1, sck: sd.sck, mosi: sd.mosi, miso: sd.miso, cs: sd.cs }
        : { slot: "HS1", width: sd.width, sck: 0, mosi: 0, miso: 0, cs: 0 },
    adcFullScaleMv: ADC_FULL_SCALE_MV,
    // Filled in at boot from tsense.cfg (an empty SSID keeps Wi-Fi off).
    wifi: { ssid: "", pwd: "" },
  };
}

function espruinoBoard(board: Board) {
  const sd = board.sd;
  if (!sd || sd.interface !== "spi") throw new Error(`board ${board.id}: Espruino needs an SPI-wired SD card`);
  const pins: number[] = [];
  for (const s of board.sensors) if (s.type === "battery") pins[s.channel] = s.pin;
  for (let i = 0; i < pins.length; i++) if (pins[i] === undefined) pins[i] = -1;
  return {
    i2c: { sda: board.i2c.sda, scl: board.i2c.scl, bitrate: board.i2c.frequencyHz ?? 100000 },
    sd: { sck: sd.sck, mosi: sd.mosi, miso: sd.miso, cs: sd.cs },
    adcPins: pins,
    adcFullScaleMv: ADC_FULL_SCALE_MV,
    wifi: { ssid: "", password: "" },
  };
}

function generateEntry(board: Board, target: BuildTarget, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const rel = (p: string) => relative(dir, join(ROOT, p)).split("\\").join("/");
  const sensors = JSON.stringify(boardSensorConfigs(board));
  const file = join(dir, `${board.id}-${target}-main.ts`);
  const text =
    target === "lua"
      ? `// Generated by tsense build for ${board.id}: do not edit.
import { bootLua } from "${rel("firmware/targets/lua/hal/boot")}";
import { provisionIdentityJson, startFirmware, wifiFromConfig } from "${rel("firmware/app/app-boot")}";
import { LuaIoFs } from "${rel("firmware/targets/lua/hal/lua-fs")}";
declare const print: (this: void, s: string) => void;
declare const _G: { tsense_provision: (this: void) => string };
const board = ${JSON.stringify(luaBoard(board))};
const wifi = wifiFromConfig(new LuaIoFs("/", undefined).read("tsense.cfg"));
board.wifi.ssid = wifi.ssid;
board.wifi.pwd = wifi.password;
bootLua(board, (hal) => {
  _G.tsense_provision = () => provisionIdentityJson(hal);
  startFirmware(hal, ${sensors}, (line) => print(line));
});
`
      : `// Generated by tsense build for ${board.id}: do not edit.
import { bootEspruino } from "${rel("firmware/targets/espruino/hal/boot")}";
import { provisionIdentity, startFirmware, wifiFromConfig } from "${rel("firmware/app/app-boot")}";
import { EspruinoFlashFs } from "${rel("firmware/targets/espruino/hal/esp-fs")}";
declare function print(s: string): void;
declare const global: { tsense_provision: () => { identity: string; configHash: string } };
const board = ${JSON.stringify(espruinoBoard(board))};
const wifi = wifiFromConfig(new EspruinoFlashFs().read("tsense.cfg"));
board.wifi.ssid = wifi.ssid;
board.wifi.password = wifi.password;
bootEspruino(board, (hal) => {
  global.tsense_provision = () => {
    const r = provisionIdentity(hal);
    return { identity: r.identity, configHash: r.configHash };
  };
  startFirmware(hal, ${sensors}, (line) => print(line));
});
`;
  writeFileSync(file, text);
  return file;
}

/** Builds the firmware for a board and target; throws BudgetError when it does not fit. */
export async function buildFirmware(
  boardId: string,
  target: BuildTarget,
  outRoot = join(ROOT, "build", "firmware"),
  enforceBudget = true,
): Promise<Manifest> {
  const board = findBoard(boardId);
  const runtime = runtimeOf(board, target);
  const outDir = join(outRoot, board.id, target);
  const entry = generateEntry(board, target, join(ROOT, "build", "gen"));
  const entryRel = relative(ROOT, entry);
  let path: string;
  if (target === "lua") {
    path = buildLuaEntry("app", entryRel, { outDir, minify: true }).path;
  } else {
    path = await buildEspruinoEntry("app", entryRel, { outDir, minify: true });
  }
  const bytes = readFileSync(path);
  const ram = ramCheck(runtime, path);
  const manifest: Manifest = {
    version: FIRMWARE_VERSION,
    board: board.id,
    target,
    runtime: runtime.firmware,
    artifact: relative(ROOT, path),
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    budget: { appBytes: runtime.budget.appBytes },
    fits: bytes.length <= runtime.budget.appBytes && ram.fits,
    ram,
    builtAt: new Date().toISOString(),
  };
  writeFileSync(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  if (!manifest.fits && enforceBudget) {
    throw new BudgetError(
      bytes.length > runtime.budget.appBytes
        ? `${manifest.artifact} is ${bytes.length} bytes; ${board.id}'s ${target} budget is ${runtime.budget.appBytes} bytes`
        : `${board.id}'s ${target} RAM budget is ${ram.budget} ${ram.unit}; the app needs ${ram.needed} (${ram.how}, measured ${ram.measuredAt})`,
    );
  }
  return manifest;
}
