// End to end: a device agent joins a real Station over our relay (in-process, loopback), sends
// a readings batch and a status report; the bridge on embedded aedes publishes them for HA.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { startRelay, type RunningRelay } from "../../relay-conformance/relay-cli";
import { NodeAgent } from "../../firmware/agent/node/node-agent";
import { MemoryAgentStore } from "../../firmware/agent/node/stores";
import type { AgentClientEvent } from "../../firmware/agent/agent-client";
import { DeviceStatus, KIND_BATTERY, KIND_HUMIDITY, KIND_TEMPERATURE, Reading, STATUS_OK, encodeReadings, encodeStatus } from "../../firmware/app/app-protocol";
import { Station } from "../station/station";
import { startBridge } from "./bridge";
import { Watcher } from "./testing";

const provider = getProvider("native");

describe("station → MQTT bridge", () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay(["--port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-mqtt-relay-")), "--provider", "native"], () => {});
  });
  afterAll(async () => relay.close());

  it("publishes a device's readings from the station as HA state", async () => {
    const station = await Station.start({ relay: relay.address, provider, store: new MemoryAgentStore(), pumpMs: 50 });
    const run = await startBridge({ station, embedded: true });
    const w = await Watcher.start(run.url, ["tsense/#", "homeassistant/#"]);
    const deviceEvents: AgentClientEvent[] = [];
    const device = await NodeAgent.start({ provider, relay: relay.address, store: new MemoryAgentStore(), onEvent: (e) => deviceEvents.push(e), pumpMs: 50 });
    try {
      const { invitation } = await station.invite();
      const conn = await device.join(invitation, "greenhouse 1", new Uint8Array(0));
      for (let i = 0; i < 300 && !deviceEvents.some((e) => e.type === "ready"); i++) await new Promise((r) => setTimeout(r, 20));
      expect(deviceEvents.some((e) => e.type === "ready")).toBe(true);

      const t = Date.UTC(2026, 10, 22, 12, 0, 0);
      expect(device.send(conn, encodeStatus(new DeviceStatus(t, 60, 123456, 30, 0, 0, "tsense-0.1.0", "power-on")))).toBe("");
      expect(device.send(conn, encodeReadings([
        new Reading(t, KIND_TEMPERATURE, STATUS_OK, 2153), new Reading(t, KIND_HUMIDITY, STATUS_OK, 4512), new Reading(t, KIND_BATTERY, STATUS_OK, 3712),
      ]))).toBe("");

      const state = await w.waitFor((s) => s.topic === "tsense/greenhouse_1/state", "state from the station", 15_000);
      const body = JSON.parse(state.payload);
      expect(body).toMatchObject({
        temperature: 21.53, humidity: 45.12, battery: 3.712, time: "2026-11-22T12:00:00.000Z",
        units: { temperature: "°C", humidity: "%", battery: "V" },
      });
      expect(typeof body.seq).toBe("number");
      expect(w.on("tsense/greenhouse_1/state")).toHaveLength(1);
      expect(w.on("tsense/greenhouse_1/availability").map((s) => s.payload)).toEqual(["online"]);
      const cfg = await w.waitFor((s) => s.topic === "homeassistant/sensor/greenhouse_1/humidity/config", "humidity config");
      expect(JSON.parse(cfg.payload)).toMatchObject({
        device_class: "humidity", unit_of_measurement: "%", state_topic: "tsense/greenhouse_1/state",
        device: { name: "greenhouse 1", sw_version: "tsense-0.1.0" },
      });
      expect(run.bridge.deviceId(station.connections()[0].connection)).toBe("greenhouse_1");
    } finally {
      device.close();
      await w.close();
      await run.close();
      station.close();
    }
  }, 60_000);
});
