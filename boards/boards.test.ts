// Board definitions: every shipped board validates (schema + semantic checks), each kind
// of broken definition fails with its one-line message naming the file and the field,
// and `tsense boards` lists/validates with exit codes 0/1/2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createSensors } from "../firmware/app/sensors/sensor-config";
import { I2cSimBus } from "../firmware/app/sensors/sim/i2c-sim-bus";
import { SimAdc } from "../firmware/app/sensors/sim/sim-adc";
import { boardSensorConfigs, runtimeOf } from "./board";
import { main } from "./cli";
import { DEFINITIONS_DIR, ESPRUINO_APP_LIMIT, LUA_HEAP_LIMIT_WITHOUT_PSRAM, fieldPath, loadBoardFile, loadBoards } from "./load";
import { BudgetError, buildFirmware, ramCheck } from "../firmware/node/build";

const tmp = mkdtempSync(join(tmpdir(), "tsense-boards-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function shipped(id: string): Json {
  return JSON.parse(readFileSync(join(DEFINITIONS_DIR, `${id}.json`), "utf8"));
}

function errorsOf(board: Json, fileName = `${board.id}.json`): string[] {
  const path = join(tmp, fileName);
  writeFileSync(path, JSON.stringify(board));
  return loadBoardFile(path).errors.map((e) => e.slice(e.indexOf(fileName)));
}

describe("shipped boards", () => {
  it("all validate, with the three required boards present", () => {
    const set = loadBoards();
    expect(set.errors).toEqual([]);
    expect(set.boards.map((b) => b.id)).toEqual(["esp32-s3-devkitc-1-n8", "esp32-s3-devkitc-1-n8r8", "lilygo-t-deck-plus", "seeed-xiao-esp32s3-sense"]);
    for (const b of set.boards) {
      expect(b.source.length).toBeGreaterThan(0);
      expect(b.usb.some((u) => u.vid === "303a" && u.pid === "1001")).toBe(true);
      const lua = runtimeOf(b, "nodemcu-lua");
      // Each board runs Lua with the required options, or says why it cannot.
      if (lua) expect(lua.buildOptions).toEqual(expect.arrayContaining(["LUA_NUMBER_INT64", "LUA_NUMBER_DOUBLE"]));
      else expect(b.excludedRuntimes?.find((x) => x.runtime === "nodemcu-lua")?.reason).toMatch(/LFS/);
      expect(runtimeOf(b, "espruino")?.budget.jsVars).toBeGreaterThan(0);
    }
  });

  it("every runtime's RAM budget holds what the app was measured to need (boards/measured.json)", () => {
    const m = JSON.parse(readFileSync(join(DEFINITIONS_DIR, "..", "measured.json"), "utf8"));
    const liveLua = Math.max(...(Object.values(m.lua.liveHeapBytes) as number[]));
    expect(liveLua).toBeGreaterThan(100_000);
    expect(m.espruino.jsVarsLoaded).toBeGreaterThan(1000);
    const jsVars = Math.max(m.espruino.jsVarsLoaded, m.espruino.jsVarsRunningOffline);
    for (const b of loadBoards().boards) {
      const lua = runtimeOf(b, "nodemcu-lua");
      if (lua) expect(2 * liveLua, `${b.id} Lua heap`).toBeLessThanOrEqual(lua.budget.heapBytes);
      expect(jsVars, `${b.id} JsVars`).toBeLessThanOrEqual(runtimeOf(b, "espruino")!.budget.jsVars);
    }
    // The stock Espruino ESP32S3 build (4095 JsVars) cannot hold the app; no PSRAM board can hold the Lua heap.
    expect(m.espruino.jsVarsLoaded).toBeGreaterThan(4095);
    expect(2 * liveLua).toBeGreaterThan(LUA_HEAP_LIMIT_WITHOUT_PSRAM);
  });

  it("the build's RAM check compares the measured need with the budget", () => {
    const lua = { ...runtimeOf(shipped("lilygo-t-deck-plus") as never, "nodemcu-lua")! };
    const file = join(tmp, "tiny.lua");
    writeFileSync(file, "local t = {} for i = 1, 1000 do t[i] = i end return t\n");
    const ok = ramCheck(lua, file);
    expect(ok).toMatchObject({ unit: "heapBytes", budget: 4194304, fits: true });
    expect(ok.needed).toBe(2 * ok.measured);
    const tight = ramCheck({ ...lua, budget: { ...lua.budget, heapBytes: ok.needed - 1 } }, file);
    expect(tight.fits).toBe(false);
    if (tight.codeProbe) expect(tight.codeProbe.codeHeapBytes).toBeGreaterThan(100);
    const esp = runtimeOf(shipped("esp32-s3-devkitc-1-n8") as never, "espruino")!;
    expect(ramCheck({ ...esp, budget: { ...esp.budget, jsVars: 4095 } }, file)).toMatchObject({ unit: "jsVars", budget: 4095, fits: false });
  });

  it("tsense build names the reason when a board cannot run a runtime", async () => {
    await expect(buildFirmware("esp32-s3-devkitc-1-n8", "lua")).rejects.toThrow(/^board esp32-s3-devkitc-1-n8 cannot run nodemcu-lua: No PSRAM\..*LFS/);
    await expect(buildFirmware("esp32-s3-devkitc-1-n8", "lua")).rejects.toBeInstanceOf(BudgetError);
  });

  it("sensor lists feed the portable driver factory", () => {
    for (const b of loadBoards().boards) {
      const sensors = createSensors(boardSensorConfigs(b), new I2cSimBus(), new SimAdc());
      expect(sensors.map((s) => s.type)).toEqual(b.sensors.map((s) => s.type));
    }
    expect(boardSensorConfigs(loadBoards().boards.find((b) => b.id === "lilygo-t-deck-plus")!)).toEqual([{ type: "bme280", address: 0x77 }, { type: "battery", channel: 3, divider: 2 }]);
  });

  it("field paths read like the JSON", () => {
    expect(fieldPath("/sensors/1/address")).toBe("sensors[1].address");
    expect(fieldPath("")).toBe("(top level)");
  });
});

const cases: [string, string, (b: Json) => void, string[]][] = [
  ["missing required field", "esp32-s3-devkitc-1-n8", (b) => delete b.flash, ["esp32-s3-devkitc-1-n8.json: flash: is required"]],
  ["unknown field", "esp32-s3-devkitc-1-n8", (b) => (b.i2c.speed = 4), ["esp32-s3-devkitc-1-n8.json: i2c.speed: unknown field"]],
  ["flash size not a real part", "esp32-s3-devkitc-1-n8", (b) => (b.flash.sizeBytes = 1000000), ["esp32-s3-devkitc-1-n8.json: flash.sizeBytes: must be one of 2097152, 4194304, 8388608, 16777216, 33554432"]],
  ["pin out of range", "esp32-s3-devkitc-1-n8", (b) => (b.i2c.sda = 49), ["esp32-s3-devkitc-1-n8.json: i2c.sda: must be <= 48"]],
  ["pin does not exist", "esp32-s3-devkitc-1-n8", (b) => (b.i2c.sda = 23), ["esp32-s3-devkitc-1-n8.json: i2c.sda: GPIO23 does not exist on the ESP32-S3"]],
  ["pin wired to flash", "esp32-s3-devkitc-1-n8", (b) => (b.sd.cs = 30), ["esp32-s3-devkitc-1-n8.json: sd.cs: GPIO30 is wired to the in-package/module SPI flash"]],
  ["pin taken by octal PSRAM", "lilygo-t-deck-plus", (b) => (b.peripheralPower.pin = 35), ["lilygo-t-deck-plus.json: peripheralPower.pin: GPIO35 is taken by the octal PSRAM"]],
  ["native USB pin", "esp32-s3-devkitc-1-n8", (b) => (b.i2c.scl = 20), ["esp32-s3-devkitc-1-n8.json: i2c.scl: GPIO20 is the native USB D+ (the USB-Serial/JTAG console)"]],
  ["pin used twice", "esp32-s3-devkitc-1-n8", (b) => (b.sd.cs = 8), ["esp32-s3-devkitc-1-n8.json: sd.cs: GPIO8 is already used by i2c.sda (declare it in sharedPins with a reason if that is intended)"]],
  ["shared pin not declared", "seeed-xiao-esp32s3-sense", (b) => delete b.sharedPins, ["seeed-xiao-esp32s3-sense.json: statusLed.pin: GPIO21 is already used by sd.cs (declare it in sharedPins with a reason if that is intended)"]],
  ["shared pin names a wrong use", "seeed-xiao-esp32s3-sense", (b) => (b.sharedPins[0].uses = ["statusLed.pin", "sd.mosi"]), [
    "seeed-xiao-esp32s3-sense.json: sharedPins[0].uses: 'sd.mosi' is not a use of GPIO21",
    "seeed-xiao-esp32s3-sense.json: statusLed.pin: GPIO21 is already used by sd.cs (declare it in sharedPins with a reason if that is intended)",
  ]],
  ["SPI SD without chip select", "esp32-s3-devkitc-1-n8", (b) => delete b.sd.cs, ["esp32-s3-devkitc-1-n8.json: sd.cs: is required"]],
  ["SDMMC wiring mixed with SPI", "esp32-s3-devkitc-1-n8", (b) => (b.sd = { interface: "sdmmc", clk: 14, cmd: 15, d0: 2, width: 1, cs: 10 }), ["esp32-s3-devkitc-1-n8.json: sd: has fields that belong to the other interface"]],
  ["4-bit SDMMC without d1-d3", "esp32-s3-devkitc-1-n8", (b) => (b.sd = { interface: "sdmmc", clk: 14, cmd: 15, d0: 2, width: 4 }), [
    "esp32-s3-devkitc-1-n8.json: sd.d1: is required",
    "esp32-s3-devkitc-1-n8.json: sd.d2: is required",
    "esp32-s3-devkitc-1-n8.json: sd.d3: is required",
  ]],
  ["LED without active level", "seeed-xiao-esp32s3-sense", (b) => delete b.statusLed.activeLevel, ["seeed-xiao-esp32s3-sense.json: statusLed.activeLevel: is required"]],
  ["LED of an unknown kind", "seeed-xiao-esp32s3-sense", (b) => (b.statusLed.kind = "rgb"), ['seeed-xiao-esp32s3-sense.json: statusLed.kind: "rgb" is not one of gpio, ws2812']],
  ["bad USB id", "esp32-s3-devkitc-1-n8", (b) => (b.usb[0].vid = "303A"), ['esp32-s3-devkitc-1-n8.json: usb[0].vid: must match pattern "^[0-9a-f]{4}$"']],
  ["Lua without INT64", "esp32-s3-devkitc-1-n8r8", (b) => (b.runtimes[1].buildOptions = ["LUA_NUMBER_DOUBLE"]), [
    "esp32-s3-devkitc-1-n8r8.json: runtimes[1].buildOptions: missing LUA_NUMBER_INT64 (the Lua build needs 64-bit integers and double floats: LUA_NUMBER_INT64 + LUA_NUMBER_DOUBLE)",
  ]],
  ["Lua without the reason", "esp32-s3-devkitc-1-n8r8", (b) => delete b.runtimes[1].buildOptionsReason, ["esp32-s3-devkitc-1-n8r8.json: runtimes[1].buildOptionsReason: is required"]],
  ["unknown runtime", "esp32-s3-devkitc-1-n8", (b) => (b.runtimes[0].runtime = "micropython"), ['esp32-s3-devkitc-1-n8.json: runtimes[0].runtime: "micropython" is not one of espruino, nodemcu-lua']],
  ["PSRAM budgets on a board without PSRAM", "esp32-s3-devkitc-1-n8r8", (b) => (b.psram = { sizeBytes: 0, mode: "none" }), [
    "esp32-s3-devkitc-1-n8r8.json: runtimes[0].budget.jsVars: 65535 exceeds the 16383 JsVars internal RAM can hold without PSRAM",
    "esp32-s3-devkitc-1-n8r8.json: runtimes[1].budget.heapBytes: 4194304 exceeds the internal RAM a Lua heap can get without PSRAM (327680)",
  ]],
  ["Lua heap beyond the PSRAM", "lilygo-t-deck-plus", (b) => (b.runtimes[1].budget.heapBytes = 16777216), [
    "lilygo-t-deck-plus.json: runtimes[1].budget.heapBytes: 16777216 exceeds the PSRAM size (8388608)",
  ]],
  ["Espruino app beyond two-apps-in-Storage", "esp32-s3-devkitc-1-n8", (b) => (b.runtimes[0].budget.appBytes = 500000), [
    `esp32-s3-devkitc-1-n8.json: runtimes[0].budget.appBytes: 500000 exceeds ${ESPRUINO_APP_LIMIT}, half of Espruino's Storage (917504) less 65536 reserved: an upload keeps two apps`,
  ]],
  ["more JsVars than the largest format", "lilygo-t-deck-plus", (b) => (b.runtimes[0].budget.jsVars = 65536), ["lilygo-t-deck-plus.json: runtimes[0].budget.jsVars: must be <= 65535"]],
  ["excluded runtime also listed", "esp32-s3-devkitc-1-n8", (b) => b.excludedRuntimes.push({ runtime: "espruino", reason: "x" }), [
    "esp32-s3-devkitc-1-n8.json: excludedRuntimes[1].runtime: 'espruino' is also listed in runtimes",
  ]],
  ["exclusion without a reason", "esp32-s3-devkitc-1-n8", (b) => delete b.excludedRuntimes[0].reason, ["esp32-s3-devkitc-1-n8.json: excludedRuntimes[0].reason: is required"]],
  ["runtime listed twice", "esp32-s3-devkitc-1-n8", (b) => b.runtimes.push(b.runtimes[0]), ["esp32-s3-devkitc-1-n8.json: runtimes[1].runtime: 'espruino' is listed twice"]],
  ["PSRAM mode contradicts size", "esp32-s3-devkitc-1-n8", (b) => (b.psram.mode = "octal"), ["esp32-s3-devkitc-1-n8.json: psram.mode: 'octal' does not fit psram.sizeBytes 0 (mode 'none' exactly when the size is 0)"]],
  ["sensor at an address it cannot have", "esp32-s3-devkitc-1-n8", (b) => (b.sensors[0].address = 0x44), ["esp32-s3-devkitc-1-n8.json: sensors[0].address: a bme280 answers at 0x76 or 0x77, not 0x44"]],
  ["sensor clashing with an on-board device", "lilygo-t-deck-plus", (b) => b.sensors.push({ type: "bh1750", address: 0x5c }, { type: "bh1750", address: 0x5c }), [
    "lilygo-t-deck-plus.json: sensors[3].address: 0x5c is already taken by sensors[2] (bh1750)",
  ]],
  ["sensor without a type", "esp32-s3-devkitc-1-n8", (b) => delete b.sensors[1].type, ["esp32-s3-devkitc-1-n8.json: sensors[1].type: is required"]],
  ["sensor type unknown", "esp32-s3-devkitc-1-n8", (b) => (b.sensors[0].type = "bme680"), ['esp32-s3-devkitc-1-n8.json: sensors[0].type: "bme680" is not one of bme280, sht31, bh1750, battery']],
  ["battery on ADC2", "lilygo-t-deck-plus", (b) => (b.sensors[1].pin = 12), ["lilygo-t-deck-plus.json: sensors[1].pin: GPIO12 is on ADC2, which cannot be read while Wi-Fi is on (use GPIO1-10, ADC1)"]],
  ["battery channel does not match its pin", "lilygo-t-deck-plus", (b) => (b.sensors[1].channel = 4), ["lilygo-t-deck-plus.json: sensors[1].channel: GPIO4 is ADC1 channel 3, not 4"]],
  ["battery divider below 1", "lilygo-t-deck-plus", (b) => (b.sensors[1].divider = 0.5), ["lilygo-t-deck-plus.json: sensors[1].divider: must be >= 1"]],
  ["no source cited", "esp32-s3-devkitc-1-n8", (b) => (b.source = []), ["esp32-s3-devkitc-1-n8.json: source: must NOT have fewer than 1 items"]],
  ["source not https", "esp32-s3-devkitc-1-n8", (b) => (b.source = ["docs.espressif.com"]), ['esp32-s3-devkitc-1-n8.json: source[0]: must match pattern "^https://"']],
  ["app budget beyond half the flash", "esp32-s3-devkitc-1-n8r8", (b) => (b.runtimes[1].budget.appBytes = 8000000), [
    "esp32-s3-devkitc-1-n8r8.json: runtimes[1].budget.appBytes: 8000000 is more than half the flash (8388608); the interpreter and file system need the rest",
  ]],
  ["status LED not null or object", "esp32-s3-devkitc-1-n8", (b) => (b.statusLed = 38), ["esp32-s3-devkitc-1-n8.json: statusLed: must be null or an object"]],
];

describe("broken definitions", () => {
  it.each(cases)("%s", (_name, base, mutate, expected) => {
    const b = shipped(base);
    mutate(b);
    expect(errorsOf(b)).toEqual(expected);
  });

  it("id must match the file name", () => {
    expect(errorsOf(shipped("lilygo-t-deck-plus"), "t-deck.json")).toEqual(["t-deck.json: id: 'lilygo-t-deck-plus' does not match the file name 't-deck.json' (expected lilygo-t-deck-plus.json)"]);
  });

  it("invalid JSON and unreadable files", () => {
    const path = join(tmp, "broken.json");
    writeFileSync(path, "{ \"id\": ");
    expect(loadBoardFile(path).errors[0]).toMatch(/broken\.json: invalid JSON: /);
    expect(loadBoardFile(join(tmp, "absent.json")).errors[0]).toMatch(/absent\.json: cannot read: ENOENT$/);
  });

  it("a directory with a duplicate id reports it", () => {
    const dir = mkdtempSync(join(tmp, "dup-"));
    const b = shipped("lilygo-t-deck-plus");
    writeFileSync(join(dir, "lilygo-t-deck-plus.json"), JSON.stringify(b));
    expect(loadBoards(dir).errors).toEqual([]);
    writeFileSync(join(dir, "copy.json"), JSON.stringify(b));
    expect(loadBoards(dir).errors).toEqual([expect.stringMatching(/copy\.json: id: 'lilygo-t-deck-plus' does not match the file name 'copy\.json'/)]);
  });
});

describe("tsense boards", () => {
  async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((s) => void out.push(String(s)));
    const error = vi.spyOn(console, "error").mockImplementation((s) => void err.push(String(s)));
    try {
      return { code: await main(argv), out: out.join("\n"), err: err.join("\n") };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  it("lists the boards (0)", async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^board\s+flash\s+psram/);
    expect(r.out).toMatch(/seeed-xiao-esp32s3-sense\s+8 MB\s+8 MB\s+5\/6\s+spi\s+GPIO21 \(low\)/);
  });

  it("--dir lists another folder: 1 with the problems when a definition there is invalid", async () => {
    const dir = mkdtempSync(join(tmp, "cli-"));
    writeFileSync(join(dir, "lilygo-t-deck-plus.json"), JSON.stringify(shipped("lilygo-t-deck-plus")));
    const good = await run(["--dir", dir]);
    expect(good.code).toBe(0);
    expect(good.out.split("\n")).toHaveLength(2);
    const bad = shipped("seeed-xiao-esp32s3-sense");
    bad.i2c.sda = 26;
    writeFileSync(join(dir, "seeed-xiao-esp32s3-sense.json"), JSON.stringify(bad));
    const r = await run(["--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/seeed-xiao-esp32s3-sense\.json: i2c\.sda: GPIO26 is wired to the in-package\/module SPI flash$/);
    expect(r.out).toMatch(/lilygo-t-deck-plus/);
  });

  it("--json prints every definition (0)", async () => {
    const r = await run(["--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).map((b: Json) => b.id)).toHaveLength(4);
  });

  it("--validate: 0 for a good file, 1 with one line per problem for a bad one, 2 for usage errors", async () => {
    expect((await run(["--validate", join(DEFINITIONS_DIR, "lilygo-t-deck-plus.json")])).code).toBe(0);
    const bad = shipped("esp32-s3-devkitc-1-n8");
    bad.sd.cs = 30;
    delete bad.flash;
    const path = join(tmp, "esp32-s3-devkitc-1-n8.json");
    writeFileSync(path, JSON.stringify(bad));
    const r = await run(["--validate", path]);
    expect(r.code).toBe(1);
    expect(r.err.split("\n")).toEqual([`${path}: flash: is required`]);
    expect((await run(["--validate"])).code).toBe(2);
    expect((await run(["--frobnicate"])).code).toBe(2);
    expect((await run(["--dir"])).code).toBe(2);
    expect((await run(["--dir", join(tmp, "absent")])).code).toBe(2);
    expect((await run(["--help"])).code).toBe(0);
  });
});
