// The device app on the Node HAL with simulated chips: it joins a station through our
// relay over GRP, delivers journalled readings, survives an offline period (a cuttable
// proxy between device and relay), reports drops, and obeys station commands.
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { startRelay, type RunningRelay } from "../../relay-conformance/relay-cli";
import { Station } from "../station/station";
import type { StationRecord } from "../station/records";
import { MemoryAgentStore } from "../../firmware/agent/node/stores";
import { Scheduler } from "../../firmware/targets/node/scheduler";
import { createNodeHal } from "../../firmware/targets/node/node-hal";
import { createSimRig } from "../../firmware/app/sensors/sim/sim-rig";
import { createSensors } from "../../firmware/app/sensors/sensor-config";
import { boardSensorConfigs } from "../../boards/board";
import { findBoard } from "../../boards/load";
import { DeviceApp, DeviceConfig } from "../../firmware/app/device-app";
import { OP_SET_GPIO, OP_SET_INTERVAL } from "../../firmware/app/app-protocol";
import { SettableGpio } from "../../firmware/targets/node/settable-io";

const provider = getProvider("native");

/** A TCP proxy we can cut (drops every connection and refuses new ones) and restore. */
function cuttableProxy(targetPort: number): Promise<{ port: number; cut(): void; restore(): void; close(): void }> {
  let up = true;
  const socks = new Set<net.Socket>();
  const server = net.createServer((c) => {
    if (!up) return c.destroy();
    const t = net.connect(targetPort, "127.0.0.1");
    socks.add(c).add(t);
    c.pipe(t).pipe(c);
    const end = () => (c.destroy(), t.destroy());
    c.on("error", end).on("close", end);
    t.on("error", end).on("close", end);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        cut: () => {
          up = false;
          for (const s of socks) s.destroy();
          socks.clear();
        },
        restore: () => (up = true),
        close: () => (server.close(), [...socks].forEach((s) => s.destroy())),
      }),
    ),
  );
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("device app on the Node HAL", () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay(["--port", "0", "--grp-port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-dev-relay-")), "--provider", "native"], () => {});
  });
  afterAll(async () => relay.close());

  it("joins, delivers readings, rides out an offline period and obeys commands", async () => {
    const station = await Station.start({ relay: relay.address, provider, store: new MemoryAgentStore(), pumpMs: 50 });
    const records: StationRecord[] = [];
    station.onRecord((r) => records.push(r));
    const { connId, invitation } = await station.invite();

    const grp = new URL(relay.grpAddress!.replace("grp://", "http://"));
    const proxy = await cuttableProxy(Number(grp.port));
    const relayViaProxy = relay.grpAddress!.replace(`:${grp.port}`, `:${proxy.port}`);

    const scheduler = new Scheduler({ mode: "real" });
    const board = findBoard("seeed-xiao-esp32s3-sense");
    const configs = boardSensorConfigs(board);
    const rig = createSimRig(configs, { temperature: () => 21.5, humidity: () => 40, pressure: () => 1013.25, illuminance: () => 300, battery: () => 3.9 }, () => scheduler.now());
    const gpio = new SettableGpio();
    const hal = createNodeHal({ scheduler, sdDir: mkdtempSync(join(tmpdir(), "sd-")), flashDir: mkdtempSync(join(tmpdir(), "flash-")), i2c: rig.bus, gpio });
    hal.adc = rig.adc;
    const config = new DeviceConfig("xiao-1", relayViaProxy, invitation, 1);
    config.timeOffsetMs = Date.now();
    const events: string[] = [];
    const app = new DeviceApp(hal, provider, config, createSensors(configs, hal.i2c, hal.adc), (t, d) => events.push(`${t} ${d}`));
    app.start();

    const readings = () => records.filter((r) => r.type === "reading");
    await until(() => readings().length >= 6, 30_000, "first readings at the station");
    const r0 = readings()[0];
    expect(r0).toMatchObject({ device: "xiao-1", status: "ok" });
    const temps = readings().filter((r) => r.type === "reading" && r.kind === "temperature");
    expect(temps.length).toBeGreaterThan(0);
    for (const t of temps) expect(t.type === "reading" && Math.abs(t.value - 21.5)).toBeLessThan(0.05);

    // Offline: readings stay in the journal and arrive, in order, once the link returns.
    proxy.cut();
    await until(() => events.some((e) => e.startsWith("link down")), 10_000, "link loss");
    const before = readings().length;
    await new Promise((r) => setTimeout(r, 3000));
    expect(app.queued()).toBeGreaterThan(0);
    proxy.restore();
    await until(() => app.queued() === 0 && readings().length > before + 2, 30_000, "journal drained after the link returned");
    expect(app.counters.linkLosses).toBeGreaterThanOrEqual(1);
    expect(app.counters.readingsDropped).toBe(0);

    // Commands from the station.
    station.command(connId, OP_SET_GPIO, 21 * 2 + 1);
    station.command(connId, OP_SET_INTERVAL, 2);
    await until(() => records.filter((r) => r.type === "result").length >= 2, 20_000, "command results");
    expect(gpio.read(21)).toBe(1);
    expect(records.filter((r) => r.type === "result").every((r) => r.type === "result" && r.ok)).toBe(true);
    // Every reading arrived once: (time, kind) pairs are unique at the station.
    const keys = readings().map((r) => (r.type === "reading" ? `${r.time}/${r.kind}` : ""));
    expect(new Set(keys).size).toBe(keys.length);

    app.stop();
    station.close();
    proxy.close();
    scheduler.close();
  }, 120_000);
});
