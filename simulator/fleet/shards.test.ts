// Device shards (worker threads) and honest latency in accelerated time.
import { describe, expect, it } from "vitest";
import { runFleet } from "./fleet";
import { availableParallelism } from "node:os";
import { AUTO_DEVICES_PER_WORKER, AUTO_SHARD_MIN_DEVICES, autoWorkers } from "./shards";
import { parseSpecText } from "../spec/index";

function spec(text: string) {
  return parseSpecText(text, "test.yaml");
}

describe("--workers auto", () => {
  it("keeps small fleets in the main thread, gives one thread per core, and more for large fleets", () => {
    const cores = Math.max(1, availableParallelism());
    expect(autoWorkers(AUTO_SHARD_MIN_DEVICES - 1)).toBe(0);
    expect(autoWorkers(AUTO_SHARD_MIN_DEVICES)).toBe(cores);
    expect(autoWorkers(AUTO_DEVICES_PER_WORKER * (cores + 2))).toBe(cores + 2);
    expect(autoWorkers(AUTO_DEVICES_PER_WORKER * (cores + 2) + 1)).toBe(cores + 3);
  });
});

describe("fleet in worker threads", () => {
  it("accounts for every reading of devices in two shards through link loss, a relay restart, power-cut reboots and skew", async () => {
    const r = await runFleet({
      workers: 2,
      drainMs: 30_000,
      spec: spec(`
duration: 60s
clock: { mode: accelerated, speed: 10 }
seed: shards
mqtt: "off"
devices: [{ name: "w{n}", count: 4, interval: 5s }]
faults:
  - { kind: link-loss, at: 10s, for: 10s, devices: 1 }
  - { kind: relay-restart, at: 25s, for: 3s }
  - { kind: device-reboot, at: 35s, devices: 2, powerCut: true }
  - { kind: clock-skew, at: 5s, devices: [w1], ppm: 150, offset: 2s }
`),
    });
    const s = r.summary;
    expect(r.workers).toBe(2);
    expect(r.relayRestarts).toBe(1);
    expect(r.powerCuts).toBe(2);
    expect(s.sent).toBeGreaterThan(150);
    expect(s.accounted).toBe(true);
    expect(s.delivered + s.lost).toBe(s.sent);
    expect(s.unknown).toBe(0);
    expect(s.duplicates).toBe(0);
    expect(s.reconnects).toBeGreaterThan(0);
    expect(s.connectedAtEnd).toBe(4);
    expect(s.memory.perDeviceBytes).toBeGreaterThan(0);
  }, 120_000);
});

describe("latency in accelerated time", () => {
  it("is close to a real-time run's for the same fleet, not inflated by the speed", async () => {
    // The same devices; the accelerated run reads every 10 s so its wall-time load stays
    // light (3 devices at x20: 6 rounds per wall second), the real-time one every 2 s.
    const fleet = (clock: string, duration: string, interval: string) =>
      spec(`duration: ${duration}\n${clock}\nseed: latency\nmqtt: "off"\ndevices: [{ name: "l{n}", count: 3, interval: ${interval} }]`);
    const real = await runFleet({ spec: fleet("clock: realtime", "10s", "2s"), warmupMs: 3000, drainMs: 5000 });
    const fast = await runFleet({ spec: fleet("clock: { mode: accelerated, speed: 20 }", "200s", "10s"), warmupMs: 40_000, drainMs: 30_000 });
    expect(real.summary.delivered).toBeGreaterThan(20);
    expect(fast.summary.delivered).toBeGreaterThan(20);
    const p50Real = real.summary.latencyMs.p50;
    const p50Fast = fast.summary.latencyMs.p50;
    // Measured in virtual ms this would be about 20x the real-time figure.
    expect(p50Fast).toBeLessThan(4 * p50Real + 40);
    expect(fast.summary.handshakeMs.p50).toBeLessThan(4 * real.summary.handshakeMs.p50 + 200);
  }, 120_000);
});
