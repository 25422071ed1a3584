// The HAL probe on all three runtimes: compiled to Lua in the virtual NodeMCU (wasmoon),
// bundled for Espruino in the virtual Espruino, and as TypeScript on the Node HAL. Each
// run talks to a real loopback echo server (all 256 byte values), reads I2C registers,
// writes/truncates/lists/removes files on the SD card, sets a timer and reports heap.
// Also: the Lua boot check refuses a 32-bit-integer Lua, SD truncate recovery after a
// power cut on both device targets, and many devices on one shared scheduler.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ESPRUINO_ENTRIES, buildEspruinoEntry } from "../../espruino/build";
import { VirtualEspruino } from "../../espruino/node/virtual-espruino";
import { LUA_ENTRIES, buildLuaEntry } from "../../lua/build";
import { VirtualNodeMcu } from "../../lua/node/virtual-nodemcu";
import { VirtualNodeMcuLua53 } from "../../lua/node/virtual-nodemcu-lua53";
import { createNodeHal } from "../../node/node-hal";
import { Scheduler } from "../../node/scheduler";
import { SettableAdc } from "../../node/settable-io";
import { runProbe } from "../probe";
import { DeviceDirs, EchoServer, PROBE_I2C_ADDRESS, ProbeExtras, RegisterBus, closedPort, deviceDirs, expectedProbeLines, startEchoServer } from "./fixtures";

const out = mkdtempSync(join(tmpdir(), "tsense-probe-build-"));
let luaCode = "";
let espruinoCode = "";
let echo: EchoServer;
/** Device runs (virtual clock) also check a refused connection and a 2-hour timer. */
let extras: ProbeExtras;
const dirs: DeviceDirs[] = [];

function newDirs(x: ProbeExtras = extras): DeviceDirs {
  const d = deviceDirs(echo.port, x);
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  echo = await startEchoServer();
  extras = { refused: await closedPort(), long: true };
  // Strict builds: any TSTL diagnostic fails here.
  const lua = buildLuaEntry("probe-hal", LUA_ENTRIES["probe-hal"], { outDir: out });
  expect(lua.warnings).toBe("");
  luaCode = readFileSync(lua.path, "latin1");
  espruinoCode = readFileSync(await buildEspruinoEntry("probe-hal", ESPRUINO_ENTRIES["probe-hal"], { outDir: out }), "utf8");
}, 120_000);

afterAll(async () => {
  await echo.close();
  for (const d of dirs) d.remove();
  rmSync(out, { recursive: true, force: true });
});

/** Device time the probe may take: it includes a 2-hour timer (instant on the virtual clock). */
const DEVICE_TIMEOUT = 3 * 3600_000;
const finished = (lines: string[]) => lines.some((l) => l.startsWith("probe result"));

async function runLua(scheduler: Scheduler, d: DeviceDirs, preamble?: string): Promise<VirtualNodeMcu> {
  const adc = new SettableAdc();
  adc.set(0, 1650);
  const dev = await VirtualNodeMcu.create({ scheduler, sdDir: d.sd, flashDir: d.flash, i2c: new RegisterBus(PROBE_I2C_ADDRESS), adc, preamble });
  dev.boot(luaCode);
  return dev;
}

function runEspruino(scheduler: Scheduler, d: DeviceDirs): VirtualEspruino {
  const adc = new SettableAdc();
  adc.set(1, 1650);
  const dev = new VirtualEspruino({ scheduler, sdDir: d.sd, flashDir: d.flash, i2c: new RegisterBus(PROBE_I2C_ADDRESS), adc });
  dev.boot(espruinoCode, "probe-hal.js");
  return dev;
}

describe("HAL probe", () => {
  it("compiled Lua in the virtual NodeMCU (wasmoon)", async () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const dev = await runLua(scheduler, newDirs());
    await scheduler.runUntil(() => finished(dev.lines), { timeoutMs: DEVICE_TIMEOUT, what: "the Lua probe" });
    expect(dev.lines).toEqual([...expectedProbeLines(echo.port, 1650, extras), "probe result ok"]);
    expect(dev.errors).toEqual([]);
    expect(dev.luaMemory()).toBeGreaterThan(10_000);
    dev.stop();
    expect(scheduler.pending()).toBe(0);
    scheduler.close();
  });

  // Debian lua5.3 is the reference Lua; CI must have it (as for the vector runner).
  const lua53 = VirtualNodeMcuLua53.available() || process.env.CI === "true";
  it.skipIf(!lua53)("compiled Lua in the virtual NodeMCU on lua5.3 (reference interpreter)", async () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const d = newDirs();
    const adc = new SettableAdc();
    adc.set(0, 1650);
    const dev = await VirtualNodeMcuLua53.create({ scheduler, sdDir: d.sd, flashDir: d.flash, i2c: new RegisterBus(PROBE_I2C_ADDRESS), adc });
    await dev.boot(luaCode);
    await scheduler.runUntil(() => finished(dev.lines), { timeoutMs: DEVICE_TIMEOUT, what: "the lua5.3 probe" });
    expect(dev.lines).toEqual([...expectedProbeLines(echo.port, 1650, extras), "probe result ok"]);
    expect(dev.errors).toEqual([]);
    expect(await dev.luaMemory()).toBeGreaterThan(10_000);
    dev.stop();
    expect(scheduler.pending()).toBe(0);
    scheduler.close();
  });

  it.skipIf(!lua53)("the Lua boot on lua5.3 refuses a 32-bit-integer build", async () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const d = newDirs();
    const dev = await VirtualNodeMcuLua53.create({ scheduler, sdDir: d.sd, flashDir: d.flash, i2c: new RegisterBus(PROBE_I2C_ADDRESS), preamble: "math.maxinteger = 2147483647" });
    await dev.boot(luaCode);
    expect(dev.lines).toEqual([
      "tsense: refusing to start: integers are 32-bit (math.maxinteger = 2147483647); flash a NodeMCU build with LUA_NUMBER_INT64 and LUA_NUMBER_DOUBLE (Lua 5.3)",
    ]);
    dev.stop();
    scheduler.close();
  });

  it("Espruino bundle in the virtual Espruino", async () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const dev = runEspruino(scheduler, newDirs());
    await scheduler.runUntil(() => finished(dev.lines), { timeoutMs: DEVICE_TIMEOUT, what: "the Espruino probe" });
    expect(dev.lines).toEqual([...expectedProbeLines(echo.port, 1650, extras), "probe result ok"]);
    expect(dev.errors).toEqual([]);
    dev.stop();
    scheduler.close();
  });

  it("TypeScript on the Node HAL (real clock)", async () => {
    const scheduler = new Scheduler({ mode: "real" });
    const d = newDirs({ refused: extras.refused });
    const adc = new SettableAdc();
    adc.set(0, 1650);
    const hal = createNodeHal({ scheduler, sdDir: d.sd, flashDir: d.flash, i2c: new RegisterBus(PROBE_I2C_ADDRESS), adc });
    const lines: string[] = [];
    let result: boolean | undefined;
    runProbe(hal, (l) => lines.push(l), (ok) => (result = ok));
    await scheduler.runUntil(() => result !== undefined, { timeoutMs: 5_000, what: "the Node probe" });
    expect(lines).toEqual(expectedProbeLines(echo.port, 1650, { refused: extras.refused }));
    expect(result).toBe(true);
    scheduler.close();
  });

  it("the Lua boot refuses a Lua with 32-bit integers, with a clear message", async () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const dev = await runLua(scheduler, newDirs(), "math.maxinteger = 2147483647");
    await scheduler.runUntil(() => scheduler.pending() === 0, { timeoutMs: 1_000 });
    expect(dev.lines).toEqual([
      "tsense: refusing to start: integers are 32-bit (math.maxinteger = 2147483647); flash a NodeMCU build with LUA_NUMBER_INT64 and LUA_NUMBER_DOUBLE (Lua 5.3)",
    ]);
    dev.stop();
    scheduler.close();
  });

  it("the Lua boot reports a missing SD card instead of starting", async () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const d = newDirs();
    const dev = await VirtualNodeMcu.create({ scheduler, sdDir: d.sd, flashDir: d.flash, i2c: new RegisterBus(PROBE_I2C_ADDRESS), sdCard: false });
    dev.boot(luaCode);
    await scheduler.runUntil(() => dev.lines.length > 0, { timeoutMs: 5_000 });
    expect(dev.lines[0]).toMatch(/^tsense: boot failed: .*sdmmc: no card/);
    dev.stop();
    scheduler.close();
  });

  it("Lua SD: a truncate cut by power loss is finished at boot (copy renamed in, stale copy dropped)", async () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const d = newDirs();
    writeFileSync(join(d.sd, "a~"), "hello"); // cut after removing the original
    writeFileSync(join(d.sd, "b"), "xyz");
    writeFileSync(join(d.sd, "b~"), "xy"); // cut while writing the copy
    const dev = await runLua(scheduler, d);
    await scheduler.runUntil(() => finished(dev.lines), { timeoutMs: DEVICE_TIMEOUT });
    expect(dev.lines.find((l) => l.startsWith("sd "))).toContain(" list a,b,empty.bin,probe.bin ");
    expect(readFileSync(join(d.sd, "a"), "latin1")).toBe("hello");
    expect(readFileSync(join(d.sd, "b"), "latin1")).toBe("xyz");
    expect(existsSync(join(d.sd, "a~")) || existsSync(join(d.sd, "b~"))).toBe(false);
    dev.stop();
    scheduler.close();
  });

  it("Espruino SD: a truncate cut by power loss is repaired at boot (longest of copy/original kept)", async () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const d = newDirs();
    writeFileSync(join(d.sd, "a"), "he"); // cut while rewriting the original
    writeFileSync(join(d.sd, "a~"), "hello");
    writeFileSync(join(d.sd, "b"), "xyz");
    writeFileSync(join(d.sd, "b~"), "xy"); // cut while writing the copy
    const dev = runEspruino(scheduler, d);
    await scheduler.runUntil(() => finished(dev.lines), { timeoutMs: DEVICE_TIMEOUT });
    expect(dev.lines.find((l) => l.startsWith("sd "))).toContain(" list a,b,empty.bin,probe.bin ");
    expect(readFileSync(join(d.sd, "a"), "latin1")).toBe("hello");
    expect(readFileSync(join(d.sd, "b"), "latin1")).toBe("xyz");
    expect(existsSync(join(d.sd, "a~")) || existsSync(join(d.sd, "b~"))).toBe(false);
    dev.stop();
    scheduler.close();
  });

  it("40 devices (20 Lua, 20 Espruino) share one scheduler", async () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const lua = await Promise.all(Array.from({ length: 20 }, () => runLua(scheduler, newDirs())));
    const esp = Array.from({ length: 20 }, () => runEspruino(scheduler, newDirs()));
    const all = [...lua.map((d) => d.lines), ...esp.map((d) => d.lines)];
    await scheduler.runUntil(() => all.every(finished), { timeoutMs: DEVICE_TIMEOUT, what: "40 probes" });
    for (const lines of all) expect(lines[lines.length - 1]).toBe("probe result ok");
    for (const d of [...lua, ...esp]) d.stop();
    expect(scheduler.pending()).toBe(0);
    scheduler.close();
  }, 60_000);
});
