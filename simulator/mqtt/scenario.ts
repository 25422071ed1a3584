/**
 * The bridge's main behaviour against any broker (run on embedded aedes with MQTT 3.1.1 and on
 * mosquitto with MQTT 5): state JSON, retained discovery configs, availability, re-publishing
 * when Home Assistant comes online, and the Last Will when the bridge's connection dies.
 */
import type { Socket } from "node:net";
import { expect } from "vitest";
import { MqttBridge } from "./bridge";
import { FakeSource, reading, statusReport, Watcher } from "./testing";

const T = "2026-11-22T12:00:00.000Z";

export async function coreScenario(url: string, protocolVersion: 4 | 5, base: string, prefix: string): Promise<void> {
  const watcher = await Watcher.start(url, [`${base}/#`, `${prefix}/#`], protocolVersion);
  const source = new FakeSource();
  const bridge = (await MqttBridge.connect({ mqttUrl: url, protocolVersion, baseTopic: base, discoveryPrefix: prefix, reconnectPeriodMs: 200 })).attach(source);
  const late: Watcher[] = [];
  try {
    expect(bridge.client.options.protocolVersion).toBe(protocolVersion);
    await watcher.waitFor((s) => s.topic === `${base}/bridge/availability` && s.payload === "online", "bridge online");

    source.emit(
      statusReport("greenhouse-1", "c1", 1, 30, "tsense-0.1.0"),
      reading("greenhouse-1", "c1", 2, "temperature", 21.53, T),
      reading("greenhouse-1", "c1", 2, "battery", 3.712, T),
    );
    const state = await watcher.waitFor((s) => s.topic === `${base}/greenhouse-1/state`, "state");
    expect(JSON.parse(state.payload)).toEqual({ temperature: 21.53, battery: 3.712, time: T, seq: 2, units: { temperature: "°C", battery: "V" } });
    const avail = await watcher.waitFor((s) => s.topic === `${base}/greenhouse-1/availability`, "device availability");
    expect(avail.payload).toBe("online");

    // Discovery configs are retained: a client subscribing now still gets them, flagged retained.
    const ha = await Watcher.start(url, [`${prefix}/sensor/#`], protocolVersion);
    late.push(ha);
    await ha.waitFor((s) => s.topic.endsWith("/battery/config"), "retained battery config");
    await ha.waitFor((s) => s.topic.endsWith("/temperature/config"), "retained temperature config");
    expect(ha.seen.every((s) => s.retain)).toBe(true);
    const temp = JSON.parse(ha.on(`${prefix}/sensor/greenhouse-1/temperature/config`)[0].payload);
    expect(temp).toEqual({
      name: "Temperature",
      unique_id: `${base}_greenhouse-1_temperature`,
      state_topic: `${base}/greenhouse-1/state`,
      value_template: "{{ value_json['temperature'] }}",
      device_class: "temperature",
      unit_of_measurement: "°C",
      state_class: "measurement",
      availability: [{ topic: `${base}/bridge/availability` }, { topic: `${base}/greenhouse-1/availability` }],
      availability_mode: "all",
      device: { identifiers: [`${base}_greenhouse-1`], name: "greenhouse-1", manufacturer: "tsense", model: "tsense sensor", sw_version: "tsense-0.1.0" },
    });
    const batt = JSON.parse(ha.on(`${prefix}/sensor/greenhouse-1/battery/config`)[0].payload);
    expect(batt).toMatchObject({ device_class: "voltage", unit_of_measurement: "V", value_template: "{{ value_json['battery'] }}", state_class: "measurement" });
    // The retained state and availability are there for late subscribers too.
    const ha2 = await Watcher.start(url, [`${base}/greenhouse-1/+`], protocolVersion);
    late.push(ha2);
    await ha2.waitFor((s) => s.topic.endsWith("/state") && s.retain, "retained state");
    await ha2.waitFor((s) => s.topic.endsWith("/availability") && s.retain && s.payload === "online", "retained availability");
    expect(watcher.on(`${base}/greenhouse-1/state`)).toHaveLength(1);

    // Home Assistant restarts: its birth message makes the bridge publish every config again.
    const configs = () => watcher.seen.filter((s) => s.topic.startsWith(`${prefix}/sensor/`)).length;
    expect(configs()).toBe(2);
    await watcher.client.publishAsync(`${prefix}/status`, "offline");
    await watcher.client.publishAsync(`${prefix}/status`, "online");
    await watcher.waitFor(() => configs() === 4, "configs published again after homeassistant/status online");

    // The bridge's connection dies without DISCONNECT: the broker publishes its will.
    const bridgeMsgs = () => watcher.on(`${base}/bridge/availability`).map((s) => s.payload);
    const n = bridgeMsgs().length;
    (bridge.client.stream as Socket).destroy();
    await watcher.waitFor(() => bridgeMsgs().slice(n).includes("offline"), "last will: bridge offline");
    // mqtt.js reconnects by itself and the bridge says it is back.
    await watcher.waitFor(() => bridgeMsgs().slice(n).join(",").startsWith("offline,online"), "bridge online again");
    await watcher.waitFor(() => bridge.stats.reconnects === 1, "reconnect counted");

    // A clean close leaves the device and the bridge offline (retained).
    await bridge.close();
    const after = await Watcher.start(url, [`${base}/+/availability`], protocolVersion);
    late.push(after);
    await after.waitFor((s) => s.topic === `${base}/greenhouse-1/availability` && s.payload === "offline" && s.retain, "device offline after close");
    await after.waitFor((s) => s.topic === `${base}/bridge/availability` && s.payload === "offline" && s.retain, "bridge offline after close");
  } finally {
    await bridge.close();
    for (const w of late) await w.close();
    await watcher.close();
  }
}
