/**
 * Loads and validates board definitions (boards/definitions/*.json) against
 * boards/schema.json (ajv), then checks what a schema cannot say: the id matches the file
 * name, pins exist on the ESP32-S3 and are free (flash, octal PSRAM, native USB), no pin is
 * used twice unless `sharedPins` says why, battery pins are ADC1 with the right channel,
 * I2C addresses fit the sensor and do not clash, the Lua runtime has its required build
 * options, budgets fit the memory. Every problem is one line: `<file>: <field>: <message>`.
 */
import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { type Board, REQUIRED_LUA_BUILD_OPTIONS } from "./board";

export const BOARDS_DIR = dirname(fileURLToPath(import.meta.url));
export const DEFINITIONS_DIR = join(BOARDS_DIR, "definitions");
export const SCHEMA_PATH = join(BOARDS_DIR, "schema.json");

let validator: ReturnType<Ajv["compile"]> | undefined;

function schemaValidator(): ReturnType<Ajv["compile"]> {
  if (validator === undefined) {
    const ajv = new Ajv({ allErrors: true, discriminator: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")));
  }
  return validator;
}

/** "/sensors/1/address" → "sensors[1].address"; "" → "(top level)". */
export function fieldPath(pointer: string): string {
  if (pointer === "") return "(top level)";
  let out = "";
  for (const part of pointer.slice(1).split("/")) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(key) ? `[${key}]` : out === "" ? key : `.${key}`;
  }
  return out;
}

function join2(path: string, key: string): string {
  return path === "(top level)" ? key : `${path}.${key}`;
}

/** The tag values a discriminated oneOf accepts (its branches' const/enum). */
function tagValues(parent: unknown, tag: string): string[] {
  const branches = (parent as { oneOf?: { properties?: Record<string, { const?: unknown; enum?: unknown[] }> }[] }).oneOf ?? [];
  const out: string[] = [];
  for (const b of branches) {
    const p = b.properties?.[tag];
    if (p?.const !== undefined) out.push(String(p.const));
    for (const v of p?.enum ?? []) out.push(String(v));
  }
  return out;
}

/**
 * One readable line per schema problem. The alternatives' bookkeeping (oneOf, if) is
 * dropped; a nullable field that has real problems loses its "must be null" line, and
 * "must be null" + "must be object" on one field become "must be null or an object".
 */
function schemaMessages(errors: ErrorObject[]): string[] {
  const real = errors.filter((e) => !["oneOf", "anyOf", "if"].includes(e.keyword));
  const isNull = (e: ErrorObject) => e.keyword === "type" && e.params.type === "null";
  const nullable = new Set(real.filter(isNull).map((e) => e.instancePath));
  const out: string[] = [];
  for (const e of real) {
    const at = fieldPath(e.instancePath);
    let line: string;
    if (isNull(e)) {
      const others = real.filter((o) => !isNull(o) && o.instancePath.startsWith(e.instancePath));
      if (others.length > 0) continue;
      line = `${at}: must be null`;
    } else if (e.keyword === "type" && nullable.has(e.instancePath)) {
      line = `${at}: must be null or ${e.params.type === "object" ? "an object" : `of type ${e.params.type}`}`;
    } else if (e.keyword === "required") {
      line = `${join2(at, String(e.params.missingProperty))}: is required`;
    } else if (e.keyword === "additionalProperties") {
      line = `${join2(at, String(e.params.additionalProperty))}: unknown field`;
    } else if (e.keyword === "enum") {
      line = `${at}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (e.keyword === "const") {
      line = `${at}: must be ${JSON.stringify(e.params.allowedValue)}`;
    } else if (e.keyword === "discriminator") {
      const tag = String(e.params.tag);
      const value = (e.data as Record<string, unknown> | undefined)?.[tag];
      line = value === undefined ? `${join2(at, tag)}: is required` : `${join2(at, tag)}: ${JSON.stringify(value)} is not one of ${tagValues(e.parentSchema, tag).join(", ")}`;
    } else if (e.keyword === "not") {
      line = `${at}: has fields that belong to the other ${at === "sd" ? "interface" : "variant"}`;
    } else {
      line = `${at}: ${e.message ?? e.keyword}`;
    }
    if (!out.includes(line)) out.push(line);
  }
  return out;
}

interface PinUse {
  field: string;
  pin: number;
}

function pinUses(b: Board): PinUse[] {
  const uses: PinUse[] = [
    { field: "i2c.sda", pin: b.i2c.sda },
    { field: "i2c.scl", pin: b.i2c.scl },
  ];
  if (b.sd !== null) {
    for (const key of ["sck", "miso", "mosi", "cs", "clk", "cmd", "d0", "d1", "d2", "d3"]) {
      const v = (b.sd as unknown as Record<string, unknown>)[key];
      if (typeof v === "number") uses.push({ field: `sd.${key}`, pin: v });
    }
  }
  if (b.statusLed !== null) uses.push({ field: "statusLed.pin", pin: b.statusLed.pin });
  if (b.peripheralPower !== undefined) uses.push({ field: "peripheralPower.pin", pin: b.peripheralPower.pin });
  b.sensors.forEach((s, i) => {
    if (s.type === "battery") uses.push({ field: `sensors[${i}].pin`, pin: s.pin });
  });
  return uses;
}

/** Why a GPIO cannot be used on this board, or undefined when it can. */
function pinProblem(b: Board, pin: number): string | undefined {
  if (pin >= 22 && pin <= 25) return `GPIO${pin} does not exist on the ESP32-S3`;
  if (pin >= 26 && pin <= 32) return `GPIO${pin} is wired to the in-package/module SPI flash`;
  if (pin >= 33 && pin <= 37 && b.psram.mode === "octal") return `GPIO${pin} is taken by the octal PSRAM`;
  if (pin === 19 || pin === 20) return `GPIO${pin} is the native USB ${pin === 19 ? "D-" : "D+"} (the USB-Serial/JTAG console)`;
  return undefined;
}

const I2C_ADDRESSES: Record<string, number[]> = { bme280: [0x76, 0x77], sht31: [0x44, 0x45], bh1750: [0x23, 0x5c] };

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, "0")}`;
}

/** ESP32-S3 internal SRAM is 512 KiB; after Wi-Fi and the interpreter, about this much is left for a Lua heap. */
export const LUA_HEAP_LIMIT_WITHOUT_PSRAM = 320 * 1024;

/**
 * Espruino's Storage on the ESP32-S3: 224 pages of 4 KiB (espruino/Espruino
 * boards/ESP32S3_IDF5.py, saved_code). An upload writes the new app beside the running one
 * and switches atomically, so Storage holds two apps plus the loader, pointer, config and
 * identity files and compaction headroom (ESPRUINO_STORAGE_RESERVE).
 */
export const ESPRUINO_STORAGE_BYTES = 224 * 4096;
export const ESPRUINO_STORAGE_RESERVE = 64 * 1024;
export const ESPRUINO_APP_LIMIT = (ESPRUINO_STORAGE_BYTES - ESPRUINO_STORAGE_RESERVE) / 2;
/** Most JsVars a build can keep in internal SRAM (16383 × 14 B, the ESP32S3_IDF4.py setting); more needs PSRAM. */
export const ESPRUINO_JSVARS_WITHOUT_PSRAM = 16383;

function semanticMessages(b: Board, fileName: string | undefined): string[] {
  const out: string[] = [];
  if (fileName !== undefined && basename(fileName, ".json") !== b.id) {
    out.push(`id: '${b.id}' does not match the file name '${basename(fileName)}' (expected ${b.id}.json)`);
  }
  if ((b.psram.sizeBytes === 0) !== (b.psram.mode === "none")) {
    out.push(`psram.mode: '${b.psram.mode}' does not fit psram.sizeBytes ${b.psram.sizeBytes} (mode 'none' exactly when the size is 0)`);
  }
  const uses = pinUses(b);
  for (const u of uses) {
    const p = pinProblem(b, u.pin);
    if (p !== undefined) out.push(`${u.field}: ${p}`);
  }
  const shared = b.sharedPins ?? [];
  shared.forEach((s, i) => {
    for (const field of s.uses) {
      if (!uses.some((u) => u.field === field && u.pin === s.pin)) {
        out.push(`sharedPins[${i}].uses: '${field}' is not a use of GPIO${s.pin}`);
      }
    }
  });
  const byPin = new Map<number, string[]>();
  for (const u of uses) byPin.set(u.pin, [...(byPin.get(u.pin) ?? []), u.field]);
  for (const [pin, fields] of byPin) {
    if (fields.length < 2) continue;
    const declared = shared.find((s) => s.pin === pin && fields.every((f) => s.uses.includes(f)));
    if (declared === undefined) {
      out.push(`${fields[1]}: GPIO${pin} is already used by ${fields[0]} (declare it in sharedPins with a reason if that is intended)`);
    }
  }
  const taken = new Map<number, string>();
  for (const d of b.i2c.onboard ?? []) taken.set(d.address, d.device);
  b.sensors.forEach((s, i) => {
    const at = `sensors[${i}]`;
    if (s.type === "battery") {
      if (s.pin >= 11 && s.pin <= 20) {
        out.push(`${at}.pin: GPIO${s.pin} is on ADC2, which cannot be read while Wi-Fi is on (use GPIO1-10, ADC1)`);
      } else if (s.pin < 1 || s.pin > 10) {
        out.push(`${at}.pin: GPIO${s.pin} has no ADC (ADC1 is GPIO1-10)`);
      } else if (s.channel !== s.pin - 1) {
        out.push(`${at}.channel: GPIO${s.pin} is ADC1 channel ${s.pin - 1}, not ${s.channel}`);
      }
      return;
    }
    const allowed = I2C_ADDRESSES[s.type];
    if (!allowed.includes(s.address)) {
      out.push(`${at}.address: a ${s.type} answers at ${allowed.map(hex).join(" or ")}, not ${hex(s.address)}`);
    }
    const other = taken.get(s.address);
    if (other !== undefined) {
      out.push(`${at}.address: ${hex(s.address)} is already taken by ${other}`);
    }
    taken.set(s.address, `sensors[${i}] (${s.type})`);
  });
  const seen = new Set<string>();
  b.runtimes.forEach((r, i) => {
    const at = `runtimes[${i}]`;
    if (seen.has(r.runtime)) out.push(`${at}.runtime: '${r.runtime}' is listed twice`);
    seen.add(r.runtime);
    if (r.budget.appBytes > b.flash.sizeBytes / 2) {
      out.push(`${at}.budget.appBytes: ${r.budget.appBytes} is more than half the flash (${b.flash.sizeBytes}); the interpreter and file system need the rest`);
    }
    if (r.runtime === "espruino") {
      if (r.budget.appBytes > ESPRUINO_APP_LIMIT) {
        out.push(`${at}.budget.appBytes: ${r.budget.appBytes} exceeds ${ESPRUINO_APP_LIMIT}, half of Espruino's Storage (${ESPRUINO_STORAGE_BYTES}) less ${ESPRUINO_STORAGE_RESERVE} reserved: an upload keeps two apps`);
      }
      if (b.psram.sizeBytes === 0 && r.budget.jsVars > ESPRUINO_JSVARS_WITHOUT_PSRAM) {
        out.push(`${at}.budget.jsVars: ${r.budget.jsVars} exceeds the ${ESPRUINO_JSVARS_WITHOUT_PSRAM} JsVars internal RAM can hold without PSRAM`);
      }
    }
    if (r.runtime === "nodemcu-lua") {
      for (const opt of REQUIRED_LUA_BUILD_OPTIONS) {
        if (!r.buildOptions.includes(opt)) {
          out.push(`${at}.buildOptions: missing ${opt} (the Lua build needs 64-bit integers and double floats: ${REQUIRED_LUA_BUILD_OPTIONS.join(" + ")})`);
        }
      }
      const limit = b.psram.sizeBytes > 0 ? b.psram.sizeBytes : LUA_HEAP_LIMIT_WITHOUT_PSRAM;
      if (r.budget.heapBytes > limit) {
        out.push(`${at}.budget.heapBytes: ${r.budget.heapBytes} exceeds the ${b.psram.sizeBytes > 0 ? "PSRAM size" : "internal RAM a Lua heap can get without PSRAM"} (${limit})`);
      }
    }
  });
  (b.excludedRuntimes ?? []).forEach((x, i) => {
    if (seen.has(x.runtime)) out.push(`excludedRuntimes[${i}].runtime: '${x.runtime}' is also listed in runtimes`);
  });
  return out;
}

/** Problems with one definition, each `<file>: <field>: <message>`; empty when it is valid. */
export function validateBoardData(data: unknown, file: string): string[] {
  const validate = schemaValidator();
  const name = file;
  if (!validate(data)) {
    return schemaMessages(validate.errors ?? []).map((m) => `${name}: ${m}`);
  }
  return semanticMessages(data as Board, file).map((m) => `${name}: ${m}`);
}

export interface BoardFileResult {
  file: string;
  board?: Board;
  errors: string[];
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

/** Reads and validates one file. */
export function loadBoardFile(path: string): BoardFileResult {
  const file = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return { file, errors: [`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`] };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { file, errors: [`${file}: invalid JSON: ${(e as Error).message}`] };
  }
  const errors = validateBoardData(data, file);
  return errors.length === 0 ? { file, board: data as Board, errors } : { file, errors };
}

export interface BoardSet {
  boards: Board[];
  errors: string[];
}

/** Every definition in `dir` (default boards/definitions), sorted by id; errors of all files. */
export function loadBoards(dir: string = DEFINITIONS_DIR): BoardSet {
  const boards: Board[] = [];
  const errors: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const r = loadBoardFile(join(dir, name));
    if (r.board !== undefined) boards.push(r.board);
    errors.push(...r.errors);
  }
  const ids = new Set<string>();
  for (const b of boards) {
    if (ids.has(b.id)) errors.push(`${displayPath(dir)}: id '${b.id}' is defined twice`);
    ids.add(b.id);
  }
  boards.sort((a, b) => a.id.localeCompare(b.id));
  return { boards, errors };
}

/** The board with this id, or an Error listing the known ids (for `tsense build --board`). */
export function findBoard(id: string, dir: string = DEFINITIONS_DIR): Board {
  const set = loadBoards(dir);
  const b = set.boards.find((x) => x.id === id);
  if (b === undefined) {
    const bad = set.errors.filter((e) => e.includes(`${id}.json`));
    throw new Error(bad.length > 0 ? bad.join("\n") : `unknown board '${id}' (known: ${set.boards.map((x) => x.id).join(", ")})`);
  }
  return b;
}
