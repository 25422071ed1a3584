/**
 * `npm run bench -- firmware [--quick] [--record]`: artifact sizes per target, the Lua build's
 * heap while running (collectgarbage("count") after a full collection and without one, on
 * wasmoon and on lua5.3; `--record` writes it to boards/measured.json) and its CPU per reading, next to the same
 * firmware running in V8 in the same run, and an ESP32-S3 estimate derived from them.
 *
 * CPU per reading: the compiled Lua artifact runs in the virtual NodeMCU (wasmoon) against
 * the embedded relay and a station; the process's CPU over a steady-state window, minus
 * that of the same window with the firmware running in V8 instead (relay and station cost
 * the same in both), divided by the readings delivered in the window.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getProvider } from "../firmware/crypto/node/providers";
import { MemoryAgentStore } from "../firmware/agent/node/stores";
import { Scheduler } from "../firmware/targets/node/scheduler";
import { VirtualNodeMcu } from "../firmware/targets/lua/node/virtual-nodemcu";
import { VirtualNodeMcuLua53 } from "../firmware/targets/lua/node/virtual-nodemcu-lua53";
import { createSimRig } from "../firmware/app/sensors/sim/sim-rig";
import { boardSensorConfigs, runtimeOf } from "../boards/board";
import { findBoard } from "../boards/load";
import { startRelay } from "../relay-conformance/relay-cli";
import { Station } from "./station/station";
import type { StationRecord } from "./station/records";
import { createNodeHal } from "../firmware/targets/node/node-hal";
import { MemoryFs } from "../firmware/storage/memory-fs";
import { DeviceApp, DeviceConfig } from "../firmware/app/device-app";
import { createSensors } from "../firmware/app/sensors/sensor-config";
import { buildFirmware, type Manifest } from "../firmware/node/build";

const BOARD = "seeed-xiao-esp32s3-sense";
/** lua5.3 runs this code about 3× faster than wasmoon (docs/portable.md speed table). */
const WASMOON_OVER_LUA53 = 3;
/** An ESP32-S3 at 240 MHz runs interpreter loops about 20× slower than this host (PORTABLE.md). */
const S3_OVER_HOST = 20;

const MEASURED_FILE = join(fileURLToPath(new URL("..", import.meta.url)), "boards", "measured.json");

/** `--record`: the Lua section of boards/measured.json, which tsense build checks budgets against. */
function recordLuaHeap(lua: Manifest, wasmoon: { afterBoot: number; afterWarmup: number; atEnd: number; peakNoGc: number }, lua53: typeof wasmoon | undefined, window: number): void {
  const m = JSON.parse(readFileSync(MEASURED_FILE, "utf8")) as { lua: unknown };
  const live = (h: typeof wasmoon) => Math.max(h.afterBoot, h.afterWarmup, h.atEnd);
  m.lua = {
    measuredAt: new Date().toISOString().slice(0, 10),
    how:
      `the ${BOARD} app.lua (minified, ${lua.bytes} bytes) running in the virtual NodeMCU against the embedded relay and a station; ` +
      `collectgarbage('count') right after collectgarbage('collect'): after boot, after 6 readings, after ${window} more. liveHeapBytes is the largest of the three; ` +
      `peakNoGcBytes the largest count sampled every 0.5 s without collecting. Load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores.`,
    liveHeapBytes: { wasmoon: live(wasmoon), ...(lua53 ? { "lua5.3": live(lua53) } : {}) },
    peakNoGcBytes: { wasmoon: wasmoon.peakNoGc, ...(lua53 ? { "lua5.3": lua53.peakNoGc } : {}) },
  };
  writeFileSync(MEASURED_FILE, JSON.stringify(m, null, 2) + "\n");
  console.log(`recorded the Lua heap in ${MEASURED_FILE}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { quick: { type: "boolean", default: false }, json: { type: "string" }, record: { type: "boolean", default: false } } });
  const window = values.quick ? 12 : 45;
  const out = mkdtempSync(join(tmpdir(), "tsense-fw-bench-"));
  console.log(`firmware benchmark, board ${BOARD}, ${values.quick ? "quick" : "full"} run, node ${process.version}`);
  const lua = await buildFirmware(BOARD, "lua", out, false);
  const esp = await buildFirmware(BOARD, "espruino", out, false);
  const provider = getProvider("native");
  const relay = await startRelay(["--port", "0", "--grp-port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-fw-bench-relay-")), "--provider", "native"], () => undefined);
  const station = await Station.start({ relay: relay.address, provider, store: new MemoryAgentStore(), pumpMs: 200 });
  const records: StationRecord[] = [];
  station.onRecord((r) => records.push(r));
  const count = (name: string) => records.filter((r) => r.type === "reading" && r.device === name).length;
  const configs = boardSensorConfigs(findBoard(BOARD));
  const sources = { temperature: () => 21, humidity: () => 45, pressure: () => 1005, illuminance: () => 120, battery: () => 3.9 };

  /** CPU ms per delivered reading over `window` readings after a warm-up of 6. */
  async function measure(name: string, waitFor: () => number, afterWarmup?: () => Promise<void>): Promise<number> {
    const end = Date.now() + 300_000;
    while (waitFor() < 6 && Date.now() < end) await sleep(100);
    if (afterWarmup) await afterWarmup();
    const c0 = cpuMs();
    const r0 = waitFor();
    while (waitFor() < r0 + window && Date.now() < end) await sleep(100);
    const n = waitFor() - r0;
    if (n <= 0) throw new Error(`${name}: no readings arrived`);
    return (cpuMs() - c0) / n;
  }

  // The firmware in V8 (Node HAL).
  const s1 = new Scheduler({ mode: "real" });
  const v8inv = await station.invite();
  const rig1 = createSimRig(configs, sources, () => s1.now());
  const hal1 = createNodeHal({ scheduler: s1, sd: new MemoryFs(), flash: new MemoryFs(), i2c: rig1.bus });
  hal1.adc = rig1.adc;
  const v8 = new DeviceApp(hal1, provider, new DeviceConfig("v8-1", relay.grpAddress!, v8inv.invitation, 1), createSensors(configs, hal1.i2c, hal1.adc), () => undefined);
  v8.start();
  const v8Cpu = await measure("v8", () => count("v8-1"));
  v8.stop();
  s1.close();

  /** Lua heap figures of one run, in bytes: collectgarbage("count") before and after a full collection. */
  interface LuaHeap {
    afterBoot: number;
    afterWarmup: number;
    atEnd: number;
    atEndNoGc: number;
    peakNoGc: number;
  }

  /** The compiled Lua artifact in the virtual NodeMCU on `runtime`; CPU only on wasmoon (lua5.3 is another process). */
  async function runLua(runtime: "wasmoon" | "lua5.3", name: string): Promise<{ heap: LuaHeap; cpu: number }> {
    const s2 = new Scheduler({ mode: "real" });
    const inv = await station.invite();
    const flashDir = mkdtempSync(join(tmpdir(), "fw-bench-flash-"));
    writeFileSync(join(flashDir, "tsense.cfg"), JSON.stringify({ name, relay: relay.grpAddress, invitation: inv.invitation, interval: 1 }));
    const rig = createSimRig(configs, sources, () => s2.now());
    const options = { scheduler: s2, sdDir: mkdtempSync(join(tmpdir(), "fw-bench-sd-")), flashDir, i2c: rig.bus, print: () => undefined };
    const code = readFileSync(join(out, BOARD, "lua", "app.lua"), "latin1");
    let dev: VirtualNodeMcu | VirtualNodeMcuLua53;
    if (runtime === "wasmoon") {
      dev = await VirtualNodeMcu.create(options);
      dev.boot(code);
    } else {
      dev = await VirtualNodeMcuLua53.create(options);
      await dev.boot(code);
    }
    const d = dev;
    const mem = async (full: boolean) => await d.luaMemory(full);
    const afterBoot = await mem(true);
    let peakNoGc = 0;
    let sampling = false;
    const heapTimer = setInterval(() => {
      if (sampling) return;
      sampling = true;
      void mem(false).then((m) => ((peakNoGc = Math.max(peakNoGc, m)), (sampling = false)));
    }, 500);
    let afterWarmup = 0;
    const cpu = await measure(`lua (${runtime})`, () => count(name), async () => void (afterWarmup = await mem(true)));
    clearInterval(heapTimer);
    const atEndNoGc = await mem(false);
    const atEnd = await mem(true);
    dev.stop();
    s2.close();
    return { heap: { afterBoot, afterWarmup, atEnd, atEndNoGc, peakNoGc: Math.max(peakNoGc, atEndNoGc) }, cpu };
  }

  const wasmoon = await runLua("wasmoon", "lua-1");
  const luaCpu = wasmoon.cpu;
  const lua53 = VirtualNodeMcuLua53.available() ? (await runLua("lua5.3", "lua53-1")).heap : undefined;
  station.close();
  await relay.close();

  const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  const heapRows = (rt: string, h: LuaHeap) => [
    `| Lua heap after full GC, ${rt}: after boot / after warm-up / at end | ${kib(h.afterBoot)} / ${kib(h.afterWarmup)} / ${kib(h.atEnd)} |`,
    `| Lua heap without GC (incl. garbage), ${rt}: at end / peak sampled | ${kib(h.atEndNoGc)} / ${kib(h.peakNoGc)} |`,
  ];
  const luaBudget = runtimeOf(findBoard(BOARD), "nodemcu-lua")?.budget.heapBytes ?? 0;
  const luaOwn = Math.max(0, luaCpu - v8Cpu);
  const s3 = (luaOwn / WASMOON_OVER_LUA53) * S3_OVER_HOST;
  const row = (m: Manifest) => `| ${m.target} | ${m.target === "lua" ? "app.lua (TSTL bundle)" : "app.js (esbuild, minified)"} | ${(m.bytes / 1024).toFixed(0)} KiB | ${(m.budget.appBytes / 1024).toFixed(0)} KiB | ${m.fits ? "fits" : "**over budget**"} |`;
  const lines = [
    `| target | artifact | size | ${BOARD} app budget | |`,
    "| --- | --- | --- | --- | --- |",
    row(lua),
    row(esp),
    "",
    `| measure (same run, ${window} readings after warm-up) | value |`,
    "| --- | --- |",
    ...heapRows("wasmoon (32-bit, like the ESP32)", wasmoon.heap),
    ...(lua53 ? heapRows("lua5.3 (64-bit host)", lua53) : ["| Lua heap, lua5.3 | not measured (lua5.3 not on PATH) |"]),
    `| ${BOARD} Lua heap budget (heapBytes) | ${(luaBudget / 1024).toFixed(0)} KiB |`,
    `| CPU per reading, firmware in V8 (plus relay + station) | ${v8Cpu.toFixed(2)} ms |`,
    `| CPU per reading, Lua artifact in wasmoon (plus relay + station) | ${luaCpu.toFixed(2)} ms |`,
    `| Lua firmware's own CPU per reading (difference) | ${luaOwn.toFixed(2)} ms |`,
    `| ESP32-S3 estimate: ÷ ${WASMOON_OVER_LUA53} (lua5.3 vs wasmoon) × ${S3_OVER_HOST} (S3 vs this host) | ${s3.toFixed(0)} ms per reading |`,
  ];
  console.log(lines.join("\n"));
  if (values.record) recordLuaHeap(lua, wasmoon.heap, lua53, window);
  if (values.json) writeFileSync(values.json, JSON.stringify({ lua, esp, heap: { wasmoon: wasmoon.heap, lua53, budget: luaBudget }, v8Cpu, luaCpu, luaOwn, s3 }, null, 2));
  return 0;
}
