import { type AddressInfo, type Server, type Socket, connect, createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Scheduler } from "../clock/scheduler";
import { DeviceModels } from "../models/device-models";
import { expandDevices, parseSpecText } from "../spec/index";
import { FaultPlan, LinkProxy, MAX_CUT_UNITS } from "./index";

const SPEC = `
seed: plan
duration: 10m
devices:
  - { name: "d{n:2}", count: 20, interval: 10s }
faults:
  - { kind: link-loss, count: 3, for: 20s, devices: 10% }
  - { kind: latency, at: 2m, for: 1m, latency: 80ms, jitter: 40ms, devices: all }
  - { kind: relay-restart, at: 5m, for: 3s }
  - { kind: device-reboot, count: 2, devices: 2 }
  - { kind: clock-skew, devices: [d03], ppm: 150, offset: 2s }
  - { kind: clock-skew, at: 4m, devices: [d03], ppm: -20, offset: -500ms }
  - { kind: battery-drain, at: 1m, devices: [d04], drainPerHour: 0.6 }
  - { kind: sensor-stuck, sensor: temperature, at: 1m, for: 2m, devices: [d05] }
  - { kind: sensor-spike, sensor: humidity, count: 2, magnitude: 30, devices: [d06] }
`;

function plan(seed = "plan"): { plan: FaultPlan; n: number } {
  const spec = parseSpecText(SPEC, "plan.yaml");
  spec.seed = seed;
  const devices = expandDevices(spec);
  return { plan: FaultPlan.fromSpec(spec, devices), n: devices.length };
}

describe("FaultPlan", () => {
  it("is deterministic per seed and has the right shape", () => {
    const a = plan().plan;
    expect(plan().plan.events).toEqual(a.events);
    expect(plan("other").plan.events).not.toEqual(a.events);
    expect(a.counts()).toEqual({
      "link-loss": 6, // 2 devices × 3
      latency: 20,
      "relay-restart": 1,
      "device-reboot": 4, // 2 devices × 2
      "clock-skew": 2,
      "battery-drain": 1,
      "sensor-stuck": 1,
      "sensor-spike": 2,
    });
    for (let i = 1; i < a.events.length; i++) expect(a.events[i].startMs).toBeGreaterThanOrEqual(a.events[i - 1].startMs);
    for (const e of a.events) {
      if (e.kind === "device-reboot") {
        expect(e.cutAfterUnits).toBeGreaterThanOrEqual(0);
        expect(e.cutAfterUnits).toBeLessThan(MAX_CUT_UNITS);
        expect(e.endMs - e.startMs).toBe(1000);
      } else expect(e.cutAfterUnits).toBe(-1);
      expect(e.startMs).toBeGreaterThanOrEqual(0);
      if (Number.isFinite(e.endMs)) expect(e.endMs).toBeLessThanOrEqual(600_000);
    }
  });

  it("answers link, relay and skew queries by time", () => {
    const { plan: p } = plan();
    const loss = p.events.filter((e) => e.kind === "link-loss");
    const e = loss[0];
    const d = e.device as number;
    expect(p.linkAt(d, e.startMs).up).toBe(false);
    expect(p.linkAt(d, e.endMs - 1).up).toBe(false);
    const other = loss.filter((x) => x.device === d && x !== e);
    if (!other.some((x) => x.startMs <= e.endMs && e.endMs < x.endMs)) expect(p.linkAt(d, e.endMs).up).toBe(true);
    expect(p.linkAt(0, 150_000)).toMatchObject({ latencyMs: 80, jitterMs: 40 });
    expect(p.linkAt(0, 180_000).latencyMs).toBe(0);
    expect(p.relayDownAt(300_000)).toBe(true);
    expect(p.relayDownAt(303_000)).toBe(false);
    expect(p.skewAt(2, 1000)).toEqual({ offsetMs: 2000, ppm: 150 });
    expect(p.skewAt(2, 240_000)).toEqual({ offsetMs: 1500, ppm: -20 });
    expect(p.between(300_000, 300_001).map((x) => x.kind)).toEqual(["relay-restart"]);
    expect(p.activeAt(undefined, 301_000).length).toBe(1);
  });

  it("turns sensor faults into model faults", () => {
    const { plan: p } = plan();
    expect(p.sensorFaults(4)).toEqual([{ kind: "temperature", fault: { kind: "stuck", fromMs: 60_000, toMs: 180_000 } }]);
    expect(p.sensorFaults(3)).toEqual([{ kind: "battery", fault: { kind: "drain", fromMs: 60_000, perHour: 0.6 } }]);
    const spikes = p.sensorFaults(5);
    expect(spikes.length).toBe(2);
    expect(spikes[0].fault).toMatchObject({ kind: "spike", durationMs: 10_000, magnitude: 30 });
    const m = new DeviceModels("plan", "d06", 0);
    const clean = new DeviceModels("plan", "d06", 0);
    for (const s of spikes) m.addFault(s.kind, s.fault);
    const at = (spikes[0].fault as { atMs: number }).atMs;
    expect(m.valueAt("humidity", at)).toBe(Math.min(100, Number((clean.valueAt("humidity", at) + 30).toFixed(3))));
  });

  it("fires start and end callbacks on the scheduler in order", () => {
    const { plan: p } = plan();
    const s = new Scheduler({ mode: { mode: "stepped" } });
    const log: string[] = [];
    p.scheduleOn(s, { onStart: (e) => log.push(`+${e.kind}@${s.now()}`), onEnd: (e) => log.push(`-${e.kind}@${s.now()}`) });
    s.runSync(600_000);
    expect(log).toContain("+relay-restart@300000");
    expect(log).toContain("-relay-restart@303000");
    expect(log.filter((l) => l.startsWith("+")).length).toBe(p.events.length);
    expect(log.some((l) => l.startsWith("-clock-skew"))).toBe(false);
  });
});

describe("LinkProxy", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function echoServer(): Promise<number> {
    const sockets = new Set<Socket>();
    const server: Server = createServer((s) => {
      sockets.add(s);
      s.on("data", (d) => s.write(d));
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }));
    return (server.address() as AddressInfo).port;
  }

  async function proxyTo(port: number, opts: Partial<ConstructorParameters<typeof LinkProxy>[0]> = {}): Promise<{ proxy: LinkProxy; port: number }> {
    const proxy = new LinkProxy({ targetPort: port, ...opts });
    const addr = await proxy.start();
    cleanup.push(() => proxy.close());
    return { proxy, port: addr.port };
  }

  function client(port: number, proxy: LinkProxy, key: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => {
        proxy.assign(s.localPort as number, key);
        resolve(s);
      });
      s.on("error", reject);
      cleanup.push(() => void s.destroy());
    });
  }

  function collect(s: Socket, bytes: number, timeoutMs = 3000): Promise<{ data: Buffer; ms: number }> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let n = 0;
      const timer = setTimeout(() => reject(new Error(`timeout after ${n} of ${bytes} bytes`)), timeoutMs);
      s.on("data", (d) => {
        parts.push(d);
        n += d.length;
        if (n >= bytes) {
          clearTimeout(timer);
          resolve({ data: Buffer.concat(parts), ms: performance.now() - t0 });
        }
      });
    });
  }

  it("forwards bytes both ways", async () => {
    const { proxy, port } = await proxyTo(await echoServer());
    const s = await client(port, proxy, "dev-1");
    const got = collect(s, 5);
    s.write("hello");
    expect((await got).data.toString()).toBe("hello");
    expect(proxy.stats.bytesUp).toBe(5);
    expect(proxy.stats.bytesDown).toBe(5);
  });

  it("delays by latency + jitter, keeping order", async () => {
    const { proxy, port } = await proxyTo(await echoServer());
    proxy.setLink("slow", { up: true, latencyMs: 30, jitterMs: 20 });
    const s = await client(port, proxy, "slow");
    const msg = Buffer.from(Array.from({ length: 200 }, (_, i) => i));
    const got = collect(s, msg.length);
    for (let i = 0; i < 200; i += 10) s.write(msg.subarray(i, i + 10));
    const r = await got;
    expect(r.data.equals(msg)).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(55); // 2 × 30 ms at least, each way
    expect(r.ms).toBeLessThan(1000);
  });

  it("speed scales virtual latency down", async () => {
    const { proxy, port } = await proxyTo(await echoServer(), { speed: 100 });
    proxy.setLink("fast", { up: true, latencyMs: 3000, jitterMs: 0 });
    const s = await client(port, proxy, "fast");
    const got = collect(s, 1);
    s.write("x");
    const r = await got;
    expect(r.ms).toBeGreaterThanOrEqual(55);
    expect(r.ms).toBeLessThan(1000);
  });

  it("a link going down cuts the device's connections, and new ones while down", async () => {
    const { proxy, port } = await proxyTo(await echoServer());
    const a = await client(port, proxy, "a");
    const b = await client(port, proxy, "b");
    const closedA = new Promise((r) => a.on("close", r));
    await new Promise((r) => setTimeout(r, 20));
    expect(proxy.openConnections).toBe(2);
    proxy.setLink("a", { up: false, latencyMs: 0, jitterMs: 0 });
    await closedA;
    const gotB = collect(b, 2);
    b.write("ok");
    expect((await gotB).data.toString()).toBe("ok");
    const again = await client(port, proxy, "a");
    await new Promise((r) => again.on("close", r));
    expect(proxy.stats.cut).toBe(2);
    proxy.setLink("a", { up: true, latencyMs: 0, jitterMs: 0 });
    const back = await client(port, proxy, "a");
    const gotBack = collect(back, 4);
    back.write("back");
    expect((await gotBack).data.toString()).toBe("back");
  });

  it("bounds buffering: pauses a sender and refuses past maxConnections", async () => {
    const { proxy, port } = await proxyTo(await echoServer(), { maxBufferedBytes: 4096, maxConnections: 1 });
    proxy.setLink("big", { up: true, latencyMs: 20, jitterMs: 0 });
    const s = await client(port, proxy, "big");
    const total = 256 * 1024;
    const got = collect(s, total, 5000);
    s.write(Buffer.alloc(total, 7));
    const r = await got;
    expect(r.data.length).toBe(total);
    expect(proxy.stats.paused).toBeGreaterThan(0);
    const refused = connect(port, "127.0.0.1");
    refused.on("error", () => undefined);
    await new Promise((r) => refused.on("close", r));
    expect(proxy.stats.refused).toBe(1);
  });
});
