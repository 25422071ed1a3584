// The MQTT bridge against Debian's mosquitto speaking MQTT 5, started here on a free loopback
// port and stopped after. Without mosquitto the test is skipped locally and fails in CI.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MqttBridge } from "./bridge";
import { coreScenario } from "./scenario";
import { FakeSource, reading, Watcher } from "./testing";

/** TSENSE_MOSQUITTO=/path/to/mosquitto picks the binary (Debian puts it in /usr/sbin, often not on PATH). */
function findMosquitto(): string | undefined {
  const given = process.env.TSENSE_MOSQUITTO;
  for (const p of given ? [given] : ["mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"]) {
    const r = spawnSync(p, ["-h"], { encoding: "utf8" });
    if (!r.error && /mosquitto version/.test(r.stdout + r.stderr)) return p;
  }
  return undefined;
}

const mosquitto = findMosquitto();
const inCi = process.env.CI === "true" || process.env.CI === "1";
if (!mosquitto && !inCi) console.warn("mosquitto.test.ts: skipped — `mosquitto` is not installed (apt-get install mosquitto); CI installs it and fails without it.");

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((r) => {
      const c = createConnection({ port, host: "127.0.0.1" }, () => (c.destroy(), r(true)));
      c.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within 10 s:\n${log()}`);
}

describe.skipIf(!mosquitto && !inCi)("MQTT bridge on mosquitto (MQTT 5)", () => {
  let child: ChildProcess | undefined;
  let dir = "";
  let url = "";

  beforeAll(async () => {
    if (!mosquitto) throw new Error("CI=true but `mosquitto` is not installed: .ci/run installs it with apt-get");
    dir = mkdtempSync(join(tmpdir(), "tsense-mosquitto-"));
    const port = await freePort();
    const conf = join(dir, "mosquitto.conf");
    // Loopback only, no persistence files: nothing outlives the test.
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    let out = "";
    child = spawn(mosquitto, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    await waitForPort(port, child, () => out);
    url = `mqtt://127.0.0.1:${port}`;
  }, 20_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      const t = setTimeout(() => child!.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("publishes state, retained discovery and availability; re-announces for HA; last will on a dead connection", async () => {
    await coreScenario(url, 5, "tsense", "homeassistant");
  }, 30_000);

  it("speaks MQTT 5 to mosquitto and 3.1.1 too", async () => {
    const src = new FakeSource();
    const w = await Watcher.start(url, ["v4/+/state"], 4);
    const bridge = (await MqttBridge.connect({ mqttUrl: url, protocolVersion: 4, baseTopic: "v4" })).attach(src);
    try {
      src.emit(reading("p", "c1", 1, "pressure", 1013.25, "2026-11-22T12:00:00.000Z"));
      const s = await w.waitFor(() => true, "state over MQTT 3.1.1");
      expect(JSON.parse(s.payload)).toMatchObject({ pressure: 1013.25, units: { pressure: "hPa" } });
    } finally {
      await bridge.close();
      await w.close();
    }
  });
});
