// The MQTT bridge against the embedded aedes broker (MQTT 3.1.1), loopback only.
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MqttBridge, startBridge } from "./bridge";
import { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker";
import { coreScenario } from "./scenario";
import { FakeSource, reading, sleep, statusReport, Watcher } from "./testing";
import { DeviceIds, sanitizeId, topics } from "./topics";

const T1 = "2026-11-22T12:00:00.000Z";
const T2 = "2026-11-22T12:00:30.000Z";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function broker(port = 0): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ port });
  cleanups.push(() => b.close());
  return b;
}

async function bridgeOn(url: string, source: FakeSource, o: Partial<Parameters<typeof MqttBridge.connect>[0]> = {}): Promise<MqttBridge> {
  const b = (await MqttBridge.connect({ mqttUrl: url, reconnectPeriodMs: 100, ...o })).attach(source);
  cleanups.push(() => b.close());
  return b;
}

async function watch(url: string, filters: string[]): Promise<Watcher> {
  const w = await Watcher.start(url, filters);
  cleanups.push(() => w.close());
  return w;
}

const states = (w: Watcher, device: string) => w.on(`tsense/${device}/state`).map((s) => JSON.parse(s.payload));

describe("MQTT bridge on embedded aedes", () => {
  it("publishes state, retained discovery and availability; re-announces for HA; last will on a dead connection", async () => {
    const b = await broker();
    expect(b.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    await coreScenario(b.url, 4, "tsense", "homeassistant");
  }, 30_000);

  it("makes one message per reading batch and round, keeps every known kind in it, nulls failed readings", async () => {
    const b = await broker();
    const w = await watch(b.url, ["tsense/#"]);
    const src = new FakeSource();
    await bridgeOn(b.url, src);
    // One device message with two rounds (a device catching up), then one with a failed sensor.
    src.emit(
      reading("d", "c1", 5, "temperature", 20.5, T1), reading("d", "c1", 5, "humidity", 40.25, T1),
      reading("d", "c1", 5, "temperature", 20.75, T2), reading("d", "c1", 5, "humidity", 41, T2),
    );
    src.emit(reading("d", "c1", 6, "temperature", 21, T2), reading("d", "c1", 6, "humidity", 0, T2, "crc"));
    await w.waitFor(() => states(w, "d").length === 3, "three state messages");
    await sleep(100);
    expect(states(w, "d")).toEqual([
      { temperature: 20.5, humidity: 40.25, time: T1, seq: 5, units: { temperature: "°C", humidity: "%" } },
      { temperature: 20.75, humidity: 41, time: T2, seq: 5, units: { temperature: "°C", humidity: "%" } },
      { temperature: 21, humidity: null, time: T2, seq: 6, units: { temperature: "°C", humidity: "%" }, status: { humidity: "crc" } },
    ]);
    // A batch with only the battery still carries the last temperature and humidity.
    src.emit(reading("d", "c1", 7, "battery", 3.7, T2));
    await w.waitFor(() => states(w, "d").length === 4, "battery-only state");
    expect(states(w, "d")[3]).toEqual({ temperature: 21, humidity: null, battery: 3.7, time: T2, seq: 7, units: { temperature: "°C", humidity: "%", battery: "V" } });
  });

  it("goes offline after 3 reporting intervals of silence (interval from status reports) and online again", async () => {
    const b = await broker();
    const w = await watch(b.url, ["tsense/+/availability"]);
    const src = new FakeSource();
    // The device reports every 10 virtual seconds on a 100x clock: offline after 300 ms.
    await bridgeOn(b.url, src, { speed: 100 });
    src.emit(statusReport("slow", "c9", 1, 10, "v1"), reading("slow", "c9", 2, "temperature", 19, T1));
    const last = Date.now();
    await w.waitFor((s) => s.topic === "tsense/slow/availability" && s.payload === "online", "online");
    const off = await w.waitFor((s) => s.topic === "tsense/slow/availability" && s.payload === "offline", "offline after silence", 3000);
    expect(off.at - last).toBeGreaterThanOrEqual(280);
    expect(off.at - last).toBeLessThan(2000);
    src.emit(reading("slow", "c9", 3, "temperature", 19.5, T2));
    await w.waitFor((s) => s.topic === "tsense/slow/availability" && s.payload === "online" && w.seen.indexOf(s) > w.seen.indexOf(off), "online again");
  });

  it("uses the default interval until a status report arrives, or a fixed silence", async () => {
    const b = await broker();
    const w = await watch(b.url, ["tsense/+/availability"]);
    const src = new FakeSource();
    await bridgeOn(b.url, src, { defaultIntervalS: 0.05, offlineAfterIntervals: 4 });
    src.emit(reading("a", "c1", 1, "temperature", 1, T1));
    await w.waitFor((s) => s.topic === "tsense/a/availability" && s.payload === "offline", "offline after 4 x 50 ms");
    await expect(MqttBridge.connect({ mqttUrl: b.url, offlineAfterMs: -1 })).rejects.toThrow(/offlineAfterMs must be a positive number/);
  });

  it("takes devices left online by a dead earlier run offline unless they speak", async () => {
    const b = await broker();
    const w = await watch(b.url, ["tsense/+/availability"]);
    await w.client.publishAsync("tsense/ghost/availability", "online", { retain: true, qos: 1 });
    await w.client.publishAsync("tsense/back/availability", "online", { retain: true, qos: 1 });
    const src = new FakeSource();
    await bridgeOn(b.url, src, { defaultIntervalS: 0.1 });
    // "back" keeps reporting; "ghost" stays silent.
    let seq = 1;
    src.emit(reading("back", "c1", seq, "temperature", 1, T1));
    const keepAlive = setInterval(() => src.emit(reading("back", "c1", ++seq, "temperature", 1, T1)), 50);
    try {
      await w.waitFor((s) => s.topic === "tsense/ghost/availability" && s.payload === "offline", "ghost offline", 3000);
      await sleep(400);
    } finally {
      clearInterval(keepAlive);
    }
    expect(w.on("tsense/back/availability").map((s) => s.payload)).toEqual(["online", "online"]);
    expect(w.on("tsense/bridge/availability").map((s) => s.payload)).toEqual(["online"]);
  });

  it("gives devices topic-safe, unique ids", async () => {
    const b = await broker();
    const w = await watch(b.url, ["tsense/+/state", "homeassistant/sensor/#"]);
    const src = new FakeSource();
    const bridge = await bridgeOn(b.url, src);
    src.emit(reading("Green house/1 #", "c1", 1, "temperature", 1, T1));
    src.emit(reading("Green house/1 #", "c2", 1, "temperature", 2, T1));
    src.emit(reading("bridge", "c3", 1, "temperature", 3, T1));
    await w.waitFor(() => w.seen.filter((s) => s.topic.endsWith("/state")).length === 3, "three devices");
    expect(w.seen.filter((s) => s.topic.endsWith("/state")).map((s) => s.topic).sort()).toEqual(["tsense/Green_house_1/state", "tsense/Green_house_1_c2/state", "tsense/bridge_c3/state"]);
    expect(bridge.deviceId("c2")).toBe("Green_house_1_c2");
    const cfg = await w.waitFor((s) => s.topic === "homeassistant/sensor/Green_house_1/temperature/config", "config");
    expect(JSON.parse(cfg.payload).device.name).toBe("Green house/1 #");
  });

  it("queues states (bounded, counting drops) while the broker is gone, and re-announces everything after reconnecting", async () => {
    const first = await startEmbeddedBroker({ port: 0 });
    const src = new FakeSource();
    const bridge = await bridgeOn(first.url, src, { maxQueue: 2 });
    src.emit(reading("q", "c1", 1, "temperature", 1, T1));
    await sleep(50);
    await first.close();
    await new Promise<void>((r) => (bridge.client.connected ? bridge.client.once("close", () => r()) : r()));
    src.emit(reading("q", "c1", 2, "temperature", 2, T1));
    src.emit(reading("q", "c1", 3, "temperature", 3, T1));
    src.emit(reading("q", "c1", 4, "temperature", 4, T1));
    await sleep(10);
    expect(bridge.stats).toMatchObject({ queued: 2, dropped: 1 });
    // A new, empty broker on the same port: mqtt.js reconnects, the bridge re-announces and flushes.
    const second = await broker(first.port);
    const w = await watch(second.url, ["tsense/#", "homeassistant/#"]);
    await w.waitFor(() => states(w, "q").length === 2, "queued states after reconnect", 8000);
    expect(states(w, "q").map((s) => s.seq)).toEqual([3, 4]);
    expect(bridge.stats).toMatchObject({ queued: 0, dropped: 1, reconnects: 1 });
    expect(w.on("homeassistant/sensor/q/temperature/config")).toHaveLength(1);
    expect(w.on("tsense/q/availability").map((s) => s.payload)).toEqual(["online"]);
    expect(w.on("tsense/bridge/availability").map((s) => s.payload)).toEqual(["online"]);
  }, 20_000);

  it("says clearly when the broker cannot be reached", async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    await expect(MqttBridge.connect({ mqttUrl: `mqtt://127.0.0.1:${port}`, connectTimeoutMs: 3000 })).rejects.toThrow(
      `mqtt bridge: cannot reach the broker at mqtt://127.0.0.1:${port}: connection refused (is the broker running?)`,
    );
    await expect(MqttBridge.connect({ mqttUrl: "127.0.0.1:1883" })).rejects.toThrow(/must look like mqtt:\/\/host:port/);
    // aedes refuses MQTT 5.
    const b = await broker();
    await expect(MqttBridge.connect({ mqttUrl: b.url, protocolVersion: 5 })).rejects.toThrow(
      `mqtt bridge: cannot reach the broker at ${b.url}: Connection refused: Unacceptable protocol version (if it only speaks MQTT 3.1.1, use protocolVersion 4)`,
    );
    // A server that accepts but never answers CONNECT.
    const mute = createServer(() => undefined);
    await new Promise<void>((r) => mute.listen(0, "127.0.0.1", () => r()));
    const mutePort = (mute.address() as { port: number }).port;
    try {
      await expect(MqttBridge.connect({ mqttUrl: `mqtt://127.0.0.1:${mutePort}`, connectTimeoutMs: 300 })).rejects.toThrow(/cannot reach the broker.*300 ms/);
    } finally {
      mute.close();
    }
  });

  it("startBridge runs an embedded broker for a station and closes it", async () => {
    const src = new FakeSource();
    const run = await startBridge({ station: src, embedded: true });
    const w = await Watcher.start(run.url, ["tsense/+/state"]);
    src.emit(reading("s", "c1", 1, "illuminance", 120.5, T1));
    const s = await w.waitFor(() => true, "state");
    expect(JSON.parse(s.payload)).toMatchObject({ illuminance: 120.5, units: { illuminance: "lx" } });
    await w.close();
    await run.close();
    await expect(Watcher.start(run.url, ["x"])).rejects.toThrow();
    await expect(startBridge({ station: src })).rejects.toThrow(/either mqttUrl or embedded/);
    await expect(startBridge({ station: src, embedded: true, protocolVersion: 5 })).rejects.toThrow(/MQTT 3.1.1 only/);
  });
});

describe("topic names", () => {
  it("sanitises names to HA node_id characters", () => {
    expect(sanitizeId("greenhouse-1")).toBe("greenhouse-1");
    expect(sanitizeId("Küche / 2 + #")).toBe("K_che_2");
    expect(sanitizeId("///")).toBe("device");
    expect(sanitizeId("x".repeat(100))).toHaveLength(64);
  });
  it("keeps ids stable per connection and unique", () => {
    const ids = new DeviceIds();
    expect(ids.idFor("c1", "a")).toBe("a");
    expect(ids.idFor("c2", "a")).toBe("a_c2");
    expect(ids.idFor("c1", "renamed")).toBe("a");
    expect(ids.idFor("c3", "")).toBe("c3");
  });
  it("rejects wildcards in the base topic", () => {
    expect(() => topics("a/#", "homeassistant")).toThrow(/bad base topic/);
    const t = topics("tsense", "homeassistant");
    expect(t.availabilityDevice("tsense/x_1/availability")).toBe("x_1");
    expect(t.availabilityDevice("tsense/a/b/availability")).toBeUndefined();
    expect(t.availabilityDevice("tsense//availability")).toBeUndefined();
    expect(t.availabilityDevice("other/x/availability")).toBeUndefined();
  });
});
