// Small fleets through the whole product: embedded relay, station, MQTT bridge, and
// virtual devices running the real firmware; every reading accounted for.
import { describe, expect, it } from "vitest";
import { runFleet } from "./fleet";
import { main } from "../cli";
import { parseSpecText } from "../spec/index";

function spec(text: string) {
  return parseSpecText(text, "test.yaml");
}

describe("fleet", () => {
  it("delivers every reading of a small real-time fleet once, and publishes to MQTT", async () => {
    const r = await runFleet({ spec: spec(`duration: 6s\ndevices: [{ name: "t{n}", count: 4, interval: 1s }]`), drainMs: 20_000 });
    const s = r.summary;
    expect(s.devices).toBe(4);
    expect(s.connectedAtEnd).toBe(4);
    expect(s.sent).toBeGreaterThan(20);
    expect(s.delivered).toBe(s.sent);
    expect(s.lost).toBe(0);
    expect(s.duplicates).toBe(0);
    expect(s.unknown).toBe(0);
    expect(s.accounted).toBe(true);
    expect(r.mqtt.states).toBeGreaterThan(0);
    expect(r.mqtt.discovery).toBeGreaterThan(0);
  }, 90_000);

  it("rejects bad flags with exit code 2", async () => {
    expect(await main(["--devices", "-3"])).toBe(2);
    expect(await main(["--speed", "fast"])).toBe(2);
  });
});

describe("fleet in stepped time", () => {
  const small = (seed: string) => spec(`duration: 30s\nclock: stepped\nseed: ${seed}\nmqtt: "off"\ndevices: [{ name: "s{n}", count: 2, interval: 5s }]`);

  it("gives the same transcript hash for the same seed, another for another seed", async () => {
    const a = await runFleet({ spec: small("same") });
    const b = await runFleet({ spec: small("same") });
    const c = await runFleet({ spec: small("other") });
    expect(a.summary.sent).toBeGreaterThan(20);
    expect(a.transcriptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.transcriptHash).toBe(a.transcriptHash);
    expect(c.transcriptHash).not.toBe(a.transcriptHash);
  }, 120_000);

  it("accounts for every reading through link loss, a relay restart, power-cut reboots, skew and drain", async () => {
    const r = await runFleet({
      spec: spec(`
duration: 60s
clock: stepped
seed: faults
mqtt: "off"
devices: [{ name: "f{n}", count: 4, interval: 5s }]
faults:
  - { kind: link-loss, at: 10s, for: 10s, devices: 1 }
  - { kind: latency, at: 5s, for: 10s, latency: 80ms, jitter: 40ms, devices: 1 }
  - { kind: relay-restart, at: 25s, for: 3s }
  - { kind: device-reboot, at: 35s, devices: 2, powerCut: true }
  - { kind: clock-skew, devices: [f1], ppm: 150, offset: 2s }
  - { kind: battery-drain, devices: 1, drainPerHour: 0.5 }
`),
    });
    const s = r.summary;
    expect(r.relayRestarts).toBe(1);
    expect(r.powerCuts).toBe(2);
    expect(r.faults).toMatchObject({ "link-loss": 1, "relay-restart": 1, "device-reboot": 2, "clock-skew": 1, "battery-drain": 1 });
    expect(s.sent).toBeGreaterThan(100);
    expect(s.accounted).toBe(true);
    expect(s.delivered + s.lost).toBe(s.sent);
    expect(Object.values(s.lostByReason).reduce((a, b) => a + b, 0)).toBe(s.lost);
    expect(s.unknown).toBe(0);
    expect(s.reconnects).toBeGreaterThan(0);
    expect(s.connectedAtEnd).toBe(4);
  }, 120_000);
});

describe("tsense simulate flags", () => {
  it("reads a bare --duration as seconds, as npm start passes it", async () => {
    expect(await main(["--devices", "2", "--duration", "2", "--clock", "stepped", "--mqtt", "off", "--quiet", "--assert", "delivery>=0"])).toBe(0);
  }, 60_000);
});
