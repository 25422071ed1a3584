/**
 * The sensor models of one device: one SensorModel per reading kind, with per-device
 * variety (base offsets, drift, amplitude) drawn from (seed, device), and the adapters the
 * simulated chips need.
 */
import type { PhysicalSources } from "../../firmware/app/sensors/sim/sim-rig";
import type { ReadingKindName } from "../spec/fleet-spec";
import { Rng } from "./rng";
import { type ModelParams, type SensorFault, SensorModel } from "./sensor-model";

/** Typical indoor values; each device draws its own variation around them. */
export const KIND_DEFAULTS: Record<ReadingKindName, ModelParams> = {
  // °C: warmest mid-afternoon, ±2.5 °C over a day, 0.01 °C resolution (BME280/SHT31 reports finer).
  temperature: { base: 21, amplitude: 2.5, peakHour: 15, periodHours: 24, shape: "cosine", phi: 0.95, sigma: 0.03, stepMs: 10_000, driftPerHour: 0, quantum: 0.01, min: -40, max: 85 },
  // %RH: highest before dawn (anti-phase to temperature).
  humidity: { base: 45, amplitude: 6, peakHour: 5, periodHours: 24, shape: "cosine", phi: 0.97, sigma: 0.1, stepMs: 10_000, driftPerHour: 0, quantum: 0.01, min: 0, max: 100 },
  // hPa: the semi-diurnal atmospheric tide (maxima near 10:00 and 22:00), weather as drift.
  pressure: { base: 1013.25, amplitude: 0.6, peakHour: 10, periodHours: 12, shape: "cosine", phi: 0.99, sigma: 0.01, stepMs: 10_000, driftPerHour: 0, quantum: 0.01, min: 300, max: 1100 },
  // lx: daylight arch through a window, clouds as multiplicative noise, ~1 lx resolution (BH1750 H-mode 0.83 lx).
  illuminance: { base: 0, amplitude: 500, peakHour: 12, periodHours: 24, shape: "daylight", phi: 0.9, sigma: 0.05, stepMs: 10_000, driftPerHour: 0, quantum: 1, min: 0, max: 65535 },
  // V: a Li-ion cell slowly draining, ADC noise.
  battery: { base: 4.1, amplitude: 0, peakHour: 0, periodHours: 24, shape: "cosine", phi: 0.5, sigma: 0.003, stepMs: 10_000, driftPerHour: -0.002, quantum: 0.001, min: 0, max: 4.25 },
};

/** How much devices differ from each other (standard deviations). */
const VARIETY: Record<ReadingKindName, { base: number; amplitude: number; drift: number }> = {
  temperature: { base: 1.5, amplitude: 0.5, drift: 0.02 },
  humidity: { base: 5, amplitude: 1.5, drift: 0.05 },
  pressure: { base: 3, amplitude: 0.1, drift: 0.05 },
  illuminance: { base: 0, amplitude: 150, drift: 0 },
  battery: { base: 0.05, amplitude: 0, drift: 0.0005 },
};

export const KINDS: ReadingKindName[] = ["temperature", "humidity", "pressure", "illuminance", "battery"];

export class DeviceModels {
  readonly models: Record<ReadingKindName, SensorModel>;

  /**
   * @param seed the run's seed
   * @param device the device's stable identity (its name)
   * @param timeOfDayMs time of day at virtual time 0
   */
  constructor(seed: string, device: string, timeOfDayMs: number, overrides: Partial<Record<ReadingKindName, Partial<ModelParams>>> = {}) {
    const variety = Rng.of(seed, device, "variety");
    const models = {} as Record<ReadingKindName, SensorModel>;
    for (const kind of KINDS) {
      const d = KIND_DEFAULTS[kind];
      const v = VARIETY[kind];
      const params: ModelParams = {
        ...d,
        base: d.base + v.base * variety.gaussian(),
        amplitude: Math.max(0, d.amplitude + v.amplitude * variety.gaussian()),
        driftPerHour: d.driftPerHour + v.drift * variety.gaussian(),
        ...overrides[kind],
      };
      models[kind] = new SensorModel([seed, device, kind].join("/"), params, timeOfDayMs);
    }
    this.models = models;
  }

  valueAt(kind: ReadingKindName, timeMs: number): number {
    return this.models[kind].valueAt(timeMs);
  }

  addFault(kind: ReadingKindName, fault: SensorFault): void {
    this.models[kind].addFault(fault);
  }

  /** `(timeMs) => value` per kind. */
  source(kind: ReadingKindName): (timeMs: number) => number {
    return this.models[kind].source();
  }

  /** What createSimRig takes: zero-argument sources reading the given clock (virtual ms). */
  physicalSources(clock: () => number): PhysicalSources {
    const m = this.models;
    return {
      temperature: () => m.temperature.valueAt(clock()),
      humidity: () => m.humidity.valueAt(clock()),
      pressure: () => m.pressure.valueAt(clock()),
      illuminance: () => m.illuminance.valueAt(clock()),
      battery: () => m.battery.valueAt(clock()),
    };
  }
}
