/**
 * The core pieces together without the network: a stepped scheduler drives 200 fake
 * devices that read their sensor models on a skewed clock and "send" through a link whose
 * state comes from the fault plan; metrics account for every reading and the transcript
 * hash is the same on every run of one seed.
 */
import { describe, expect, it } from "vitest";
import { FaultPlan } from "../faults/fault-plan";
import { MetricsCollector } from "../metrics/collector";
import { DeviceModels } from "../models/device-models";
import { Rng } from "../models/rng";
import { expandDevices, parseSpecText } from "../spec/index";
import { DeviceClock, Scheduler, Transcript } from "./index";

const SPEC = `
duration: 10m
clock: stepped
devices: [{ name: "d{n:3}", count: 200, interval: 10s }]
faults:
  - { kind: link-loss, count: 2, for: 30s, devices: 10% }
  - { kind: latency, at: 3m, for: 1m, latency: 120ms, jitter: 60ms, devices: 50% }
  - { kind: clock-skew, devices: 5%, ppm: 200 }
  - { kind: sensor-stuck, sensor: temperature, at: 1m, for: 2m, devices: 3 }
`;

function rehearse(seed: string): { hash: string; summary: ReturnType<MetricsCollector["finish"]> } {
  const spec = parseSpecText(SPEC, "rehearsal.yaml");
  spec.seed = seed;
  const devices = expandDevices(spec);
  const plan = FaultPlan.fromSpec(spec, devices);
  const scheduler = new Scheduler({ mode: spec.clock });
  const metrics = new MetricsCollector({ deviceCount: devices.length, durationMs: spec.durationMs, deviceNames: devices.map((d) => d.name) });
  const transcript = new Transcript();
  const net = Rng.of(seed, "network");
  for (const d of devices) {
    const models = new DeviceModels(spec.seed, d.name, spec.timeOfDayMs);
    for (const f of plan.sensorFaults(d.index)) models.addFault(f.kind, f.fault);
    const clock = new DeviceClock(scheduler, plan.skewAt(d.index, 0));
    let seq = 0;
    const sample = (): void => {
      const s = seq++;
      const t = scheduler.now();
      const temp = models.valueAt("temperature", clock.now());
      metrics.sent(d.index, s, t);
      transcript.record(t, d.name, "sent", s, temp);
      const link = plan.linkAt(d.index, t);
      if (!link.up) {
        metrics.lost(d.index, s, "link loss");
        transcript.record(t, d.name, "lost", s);
      } else {
        const delay = 2 + link.latencyMs + link.jitterMs * net.next();
        scheduler.after(delay, () => {
          metrics.delivered(d.index, s, scheduler.now());
          transcript.record(scheduler.now(), d.name, "delivered", s);
        });
      }
      clock.after(d.intervalMs, sample);
    };
    metrics.connected(d.index);
    scheduler.at(d.phaseMs, sample);
  }
  scheduler.runSync(spec.durationMs);
  return { hash: transcript.digest(), summary: metrics.finish(spec.durationMs) };
}

describe("fleet rehearsal (stepped, no network)", () => {
  it("same seed, same transcript; every reading accounted for", () => {
    const a = rehearse("r1");
    const b = rehearse("r1");
    const c = rehearse("r2");
    expect(b.hash).toBe(a.hash);
    expect(c.hash).not.toBe(a.hash);
    const s = a.summary;
    expect(s.accounted).toBe(true);
    expect(s.sent).toBeGreaterThan(11_000);
    expect(s.lostByReason["link loss"]).toBeGreaterThan(0);
    expect(s.delivered + s.lost).toBe(s.sent);
    expect(s.latencyMs.max).toBeLessThanOrEqual(2 + 120 + 60);
    expect(s.latencyMs.p50).toBe(2);
  });
});
