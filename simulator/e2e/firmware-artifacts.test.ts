// The compiled firmware, not the TypeScript: the Lua artifact in the virtual NodeMCU
// (wasmoon) and the Espruino bundle in the virtual Espruino boot, complete the GRP
// handshake with our relay, join the station and deliver at least 100 readings each.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { startRelay, type RunningRelay } from "../../relay-conformance/relay-cli";
import { Station } from "../station/station";
import type { StationRecord } from "../station/records";
import { MemoryAgentStore } from "../../firmware/agent/node/stores";
import { Scheduler } from "../../firmware/targets/node/scheduler";
import { VirtualNodeMcu } from "../../firmware/targets/lua/node/virtual-nodemcu";
import { VirtualNodeMcuLua53 } from "../../firmware/targets/lua/node/virtual-nodemcu-lua53";
import { VirtualEspruino } from "../../firmware/targets/espruino/node/virtual-espruino";
import { createSimRig } from "../../firmware/app/sensors/sim/sim-rig";
import { boardSensorConfigs } from "../../boards/board";
import { findBoard } from "../../boards/load";
import { buildFirmware } from "../../firmware/node/build";

const BOARD = "seeed-xiao-esp32s3-sense";
const WANT = 100;

describe("compiled firmware in the virtual runtimes", () => {
  let relay: RunningRelay;
  let station: Station;
  const records: StationRecord[] = [];
  const out = mkdtempSync(join(tmpdir(), "tsense-fw-"));
  beforeAll(async () => {
    relay = await startRelay(["--port", "0", "--grp-port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-fw-relay-")), "--provider", "native"], () => {});
    station = await Station.start({ relay: relay.address, provider: getProvider("native"), store: new MemoryAgentStore(), pumpMs: 200 });
    station.onRecord((r) => records.push(r));
  }, 120_000);
  afterAll(async () => {
    station.close();
    await relay.close();
  });

  async function device(runtime: "wasmoon" | "lua5.3" | "espruino", name: string) {
    const target = runtime === "espruino" ? "espruino" : "lua";
    const manifest = await buildFirmware(BOARD, target, out, false);
    const code = readFileSync(join(out, BOARD, target, target === "lua" ? "app.lua" : "app.js"), "latin1");
    const { invitation } = await station.invite();
    const scheduler = new Scheduler({ mode: "real" });
    const rig = createSimRig(boardSensorConfigs(findBoard(BOARD)), { temperature: () => 22.25, humidity: () => 41, pressure: () => 1000, illuminance: () => 10, battery: () => 3.8 }, () => scheduler.now());
    const flashDir = mkdtempSync(join(tmpdir(), `flash-${target}-`));
    const sdDir = mkdtempSync(join(tmpdir(), `sd-${target}-`));
    // With Wi-Fi credentials: the boot code joins the (virtual) network before the app runs.
    writeFileSync(join(flashDir, "tsense.cfg"), JSON.stringify({ name, relay: relay.grpAddress, invitation, interval: 1, wifi: { ssid: "tsense-sim", password: "simulated" } }));
    const lines: string[] = [];
    const common = { scheduler, sdDir, flashDir, i2c: rig.bus, print: (l: string) => lines.push(l) };
    const dev =
      runtime === "wasmoon" ? await VirtualNodeMcu.create(common) : runtime === "lua5.3" ? await VirtualNodeMcuLua53.create(common) : new VirtualEspruino(common);
    dev.boot(code);
    return { manifest, lines, stop: () => (dev.stop(), scheduler.close()) };
  }

  const readingsOf = (name: string) => records.filter((r) => r.type === "reading" && r.device === name);

  const runtimes: ["wasmoon" | "lua5.3" | "espruino", string][] = [
    ["wasmoon", "nodemcu-1"],
    ["espruino", "espruino-1"],
  ];
  // The real lua5.3 too wherever it is installed (always in CI).
  if (VirtualNodeMcuLua53.available() || process.env.CI === "true") runtimes.push(["lua5.3", "nodemcu-lua53"]);
  it.each(runtimes)("%s artifact delivers 100 readings", async (runtime, name) => {
    const d = await device(runtime, name);
    try {
      expect(d.manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
      const end = Date.now() + 280_000;
      while (readingsOf(name).length < WANT && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
      expect(d.lines.find((l) => l.startsWith("TSENSE READY")), d.lines.join("\n")).toBeDefined();
      const got = readingsOf(name);
      expect(got.length, d.lines.slice(-20).join("\n")).toBeGreaterThanOrEqual(WANT);
      const temps = got.filter((r) => r.type === "reading" && r.kind === "temperature");
      expect(temps.length).toBeGreaterThan(0);
      for (const t of temps) expect(t.type === "reading" && Math.abs(t.value - 22.25)).toBeLessThan(0.05);
    } finally {
      d.stop();
    }
  }, 300_000);
});
