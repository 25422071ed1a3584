import { describe, expect, it } from "vitest";
import { createSensors } from "../../firmware/app/sensors/sensor-config";
import { createSimRig } from "../../firmware/app/sensors/sim/sim-rig";
import { QUANTITY_HUMIDITY, QUANTITY_TEMPERATURE, SENSOR_OK } from "../../firmware/app/sensors/reading";
import { VirtualClock, measure } from "../../firmware/app/sensors/sim/virtual-clock";
import { DeviceModels, KIND_DEFAULTS, KINDS, Rng, SensorModel } from "./index";

const HOUR = 3_600_000;

describe("Rng", () => {
  it("is deterministic per key and independent across keys", () => {
    const a = Rng.of("s", "dev-1", "temperature");
    const b = Rng.of("s", "dev-1", "temperature");
    const c = Rng.of("s", "dev-2", "temperature");
    const xa = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(xa);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(xa);
  });

  it("gives uniform and normal numbers with the right moments", () => {
    const r = new Rng("moments");
    let sum = 0;
    let sq = 0;
    let u = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const g = r.gaussian();
      sum += g;
      sq += g * g;
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      u += x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
    expect(Math.abs(u / n - 0.5)).toBeLessThan(0.01);
    expect(() => r.below(0)).toThrow(/positive integer/);
  });
});

describe("SensorModel", () => {
  const flat = { ...KIND_DEFAULTS.temperature, amplitude: 0, sigma: 0, driftPerHour: 0 };

  it("follows the diurnal cycle", () => {
    const m = new SensorModel("k", { ...flat, amplitude: 3 }, 0); // t=0 is midnight
    expect(m.valueAt(15 * HOUR)).toBeCloseTo(24, 6);
    expect(m.valueAt(3 * HOUR)).toBeCloseTo(18, 6);
    expect(m.valueAt(9 * HOUR)).toBeCloseTo(21, 6);
    expect(m.valueAt(39 * HOUR)).toBeCloseTo(24, 6); // next day
  });

  it("drifts and quantises", () => {
    const m = new SensorModel("k", { ...flat, driftPerHour: 0.5, quantum: 0.25 }, 0);
    expect(m.valueAt(0)).toBe(21);
    expect(m.valueAt(2 * HOUR)).toBe(22);
    expect(m.valueAt(HOUR / 5)).toBe(21.0); // 21.1 → 21
    expect(m.valueAt(HOUR / 3.5)).toBe(21.25); // 21.142… → 21.25
  });

  it("AR(1) noise has the configured autocorrelation and spread", () => {
    const p = { ...flat, phi: 0.8, sigma: 0.6, stepMs: 1000, quantum: 0 };
    const m = new SensorModel("ar", p, 0);
    const xs: number[] = [];
    for (let k = 0; k < 20000; k++) xs.push(m.valueAt(k * 1000) - 21);
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    let v = 0;
    let c = 0;
    for (let i = 0; i < xs.length; i++) {
      v += (xs[i] - mean) ** 2;
      if (i > 0) c += (xs[i] - mean) * (xs[i - 1] - mean);
    }
    expect(c / v).toBeGreaterThan(0.76);
    expect(c / v).toBeLessThan(0.84);
    const sd = Math.sqrt(v / xs.length);
    expect(sd).toBeGreaterThan(0.9); // stationary sd = 0.6 / sqrt(1 - 0.64) = 1
    expect(sd).toBeLessThan(1.1);
  });

  it("answers queries back in time with the same values", () => {
    const m = new SensorModel("back", KIND_DEFAULTS.humidity, 0);
    const forward = [5000, 60_000, 3_000_000].map((t) => m.valueAt(t));
    expect([5000, 60_000, 3_000_000].map((t) => m.valueAt(t))).toEqual(forward);
    const fresh = new SensorModel("back", KIND_DEFAULTS.humidity, 0);
    expect(fresh.valueAt(60_000)).toBe(forward[1]);
  });

  it("stuck, spike and drain faults", () => {
    const m = new SensorModel("f", { ...flat, amplitude: 3, quantum: 0 }, 0);
    const at1 = m.valueAt(HOUR);
    m.addFault({ kind: "stuck", fromMs: HOUR, toMs: 3 * HOUR });
    m.addFault({ kind: "spike", atMs: 5 * HOUR, durationMs: 1000, magnitude: 40 });
    expect(m.valueAt(2 * HOUR)).toBe(at1);
    expect(m.valueAt(3 * HOUR)).not.toBe(at1);
    const clean = new SensorModel("f", { ...flat, amplitude: 3, quantum: 0 }, 0);
    expect(m.valueAt(5 * HOUR + 500)).toBeCloseTo(clean.valueAt(5 * HOUR + 500) + 40, 9);
    expect(m.valueAt(5 * HOUR + 1000)).toBeCloseTo(clean.valueAt(5 * HOUR + 1000), 9);
    const b = new SensorModel("b", { ...KIND_DEFAULTS.battery, sigma: 0, driftPerHour: 0 }, 0);
    b.addFault({ kind: "drain", fromMs: HOUR, perHour: 0.5 });
    expect(b.valueAt(HOUR)).toBe(4.1);
    expect(b.valueAt(2 * HOUR)).toBe(3.6);
    expect(b.valueAt(100 * HOUR)).toBe(0); // clamped at min
  });

  it("rejects bad parameters", () => {
    expect(() => new SensorModel("x", { ...flat, phi: 1 }, 0)).toThrow(/phi/);
  });
});

describe("DeviceModels", () => {
  it("is deterministic from (seed, device, kind) and differs between devices", () => {
    const a = new DeviceModels("seed", "dev-001", 12 * HOUR);
    const b = new DeviceModels("seed", "dev-001", 12 * HOUR);
    const c = new DeviceModels("seed", "dev-002", 12 * HOUR);
    for (const k of KINDS) {
      const ta = [0, 10_000, 600_000].map((t) => a.valueAt(k, t));
      expect([0, 10_000, 600_000].map((t) => b.valueAt(k, t))).toEqual(ta);
      if (k !== "illuminance" || ta[0] > 0) expect([0, 10_000, 600_000].map((t) => c.valueAt(k, t))).not.toEqual(ta);
    }
  });

  it("stays in physical ranges over two days for 50 devices", () => {
    let tempDay = 0;
    let tempNight = 0;
    for (let d = 0; d < 50; d++) {
      const m = new DeviceModels("range", `d${d}`, 0);
      for (let t = 0; t < 48 * HOUR; t += 20 * 60_000) {
        const temp = m.valueAt("temperature", t);
        expect(temp).toBeGreaterThan(5);
        expect(temp).toBeLessThan(35);
        const h = m.valueAt("humidity", t);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(100);
        const p = m.valueAt("pressure", t);
        expect(p).toBeGreaterThan(980);
        expect(p).toBeLessThan(1050);
        const lx = m.valueAt("illuminance", t);
        const hour = (t / HOUR) % 24;
        if (hour < 6 || hour > 18) expect(lx).toBe(0);
        else expect(lx).toBeGreaterThanOrEqual(0);
        const v = m.valueAt("battery", t);
        expect(v).toBeGreaterThan(3.5);
        expect(v).toBeLessThanOrEqual(4.25);
      }
      tempDay += m.valueAt("temperature", 15 * HOUR);
      tempNight += m.valueAt("temperature", 3 * HOUR);
    }
    expect(tempDay / 50 - tempNight / 50).toBeGreaterThan(3);
  });

  it("feeds the simulated chips so the real drivers read the modelled values", () => {
    const clock = new VirtualClock();
    clock.now = 15 * HOUR;
    const models = new DeviceModels("rig", "dev-1", 0);
    const configs = [
      { type: "sht31", address: 0x44 },
      { type: "bh1750", address: 0x23 },
    ];
    const rig = createSimRig(configs, models.physicalSources(clock.source()), clock.source());
    const sensors = createSensors(configs, rig.bus, rig.adc);
    const t0 = clock.now;
    const sht = measure(sensors[0], clock).readings;
    const lux = measure(sensors[1], clock).readings;
    const temp = sht.find((r) => r.quantity === QUANTITY_TEMPERATURE);
    const rh = sht.find((r) => r.quantity === QUANTITY_HUMIDITY);
    expect(temp?.status).toBe(SENSOR_OK);
    expect(temp?.value).toBeCloseTo(models.valueAt("temperature", t0), 1);
    expect(rh?.value).toBeCloseTo(models.valueAt("humidity", t0), 0);
    expect(Math.abs((lux[0]?.value ?? -1) - models.valueAt("illuminance", t0 + 200))).toBeLessThan(5);
  });
});
