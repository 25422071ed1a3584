/**
 * One physical quantity of one device over virtual time, in physical units:
 *
 *   value(t) = base + amplitude·cycle(time of day) + drift·hours + AR(1) noise (+ faults), quantised
 *
 * The AR(1) noise lives on a grid of `stepMs` (x[k] = φ·x[k−1] + σ·ε[k]) and is linearly
 * interpolated between grid points, so any time can be asked for; the state is cached for
 * forward queries (the usual case) and recomputed from the start for a query back in time.
 * Everything comes from one Rng stream keyed by (seed, device, kind): the same key gives
 * the same values whatever else the simulation does.
 */
import { Rng } from "./rng";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type CycleShape = "cosine" | "daylight";

export interface ModelParams {
  /** Mean value. */
  base: number;
  /** Half the peak-to-peak daily swing (for daylight: the noon value). */
  amplitude: number;
  /** cosine: hour of the maximum; daylight: ignored. */
  peakHour: number;
  /** Cycle period in hours (24 diurnal, 12 for the atmospheric tide). */
  periodHours: number;
  shape: CycleShape;
  /** AR(1) coefficient per step, in [0, 1). */
  phi: number;
  /** AR(1) innovation standard deviation per step (daylight: relative). */
  sigma: number;
  /** Grid step of the noise, ms. */
  stepMs: number;
  /** Drift in units per hour. */
  driftPerHour: number;
  /** Resolution of the output (0 = none). */
  quantum: number;
  min: number;
  max: number;
}

export type SensorFault =
  /** The value freezes at what it was at `fromMs`. */
  | { kind: "stuck"; fromMs: number; toMs: number }
  /** `magnitude` is added during [atMs, atMs + durationMs). */
  | { kind: "spike"; atMs: number; durationMs: number; magnitude: number }
  /** From `fromMs` on, the value falls by `perHour` units per hour more (battery drain). */
  | { kind: "drain"; fromMs: number; perHour: number };

export class SensorModel {
  private readonly faults: SensorFault[] = [];
  private rng!: Rng;
  private k = 0;
  private xk = 0;
  private xk1 = 0;

  /**
   * @param key stream key, e.g. "seed/device-7/temperature"
   * @param timeOfDayMs time of day at virtual time 0
   */
  constructor(
    readonly key: string,
    readonly params: ModelParams,
    readonly timeOfDayMs: number,
  ) {
    if (!(params.phi >= 0 && params.phi < 1)) throw new Error(`sensor model ${key}: phi must be in [0, 1), got ${params.phi}`);
    if (!(params.stepMs > 0)) throw new Error(`sensor model ${key}: stepMs must be > 0`);
    this.restart();
  }

  addFault(fault: SensorFault): void {
    this.faults.push(fault);
  }

  /** The value a perfect reader would see at virtual time `timeMs` (faults applied, quantised). */
  valueAt(timeMs: number): number {
    let t = timeMs;
    for (const f of this.faults) if (f.kind === "stuck" && t >= f.fromMs && t < f.toMs) t = f.fromMs;
    let v = this.clean(t);
    for (const f of this.faults) {
      if (f.kind === "spike" && timeMs >= f.atMs && timeMs < f.atMs + f.durationMs) v += f.magnitude;
      else if (f.kind === "drain" && t > f.fromMs) v -= (f.perHour * (t - f.fromMs)) / HOUR_MS;
    }
    return this.quantise(Math.min(this.params.max, Math.max(this.params.min, v)));
  }

  /** `(timeMs) => value`, the form the glue hands to simulated chips (with a clock). */
  source(): (timeMs: number) => number {
    return (timeMs: number) => this.valueAt(timeMs);
  }

  private clean(t: number): number {
    const p = this.params;
    const tod = (((this.timeOfDayMs + t) % DAY_MS) + DAY_MS) % DAY_MS;
    const noise = this.noiseAt(t);
    const drift = (p.driftPerHour * t) / HOUR_MS;
    if (p.shape === "daylight") {
      // Sunrise 06:00, sunset 18:00, a sine arch between; multiplicative noise (clouds).
      const h = tod / HOUR_MS;
      const arch = h > 6 && h < 18 ? Math.sin((Math.PI * (h - 6)) / 12) : 0;
      return p.base + drift + p.amplitude * arch * Math.max(0, 1 + noise);
    }
    const phase = (2 * Math.PI * (tod - p.peakHour * HOUR_MS)) / (p.periodHours * HOUR_MS);
    return p.base + p.amplitude * Math.cos(phase) + drift + noise;
  }

  private restart(): void {
    const p = this.params;
    this.rng = new Rng(this.key);
    this.k = 0;
    // Start from the stationary distribution so there is no warm-up.
    this.xk = (p.sigma / Math.sqrt(1 - p.phi * p.phi)) * this.rng.gaussian();
    this.xk1 = p.phi * this.xk + p.sigma * this.rng.gaussian();
  }

  private noiseAt(t: number): number {
    const p = this.params;
    const pos = Math.max(0, t) / p.stepMs;
    const k = Math.floor(pos);
    if (k < this.k) this.restart();
    while (this.k < k) {
      this.xk = this.xk1;
      this.xk1 = p.phi * this.xk1 + p.sigma * this.rng.gaussian();
      this.k++;
    }
    const f = pos - k;
    return this.xk + (this.xk1 - this.xk) * f;
  }

  private quantise(v: number): number {
    const q = this.params.quantum;
    if (!(q > 0)) return v;
    const decimals = Math.max(0, Math.ceil(-Math.log10(q)) + 1);
    return Number((Math.round(v / q) * q).toFixed(decimals));
  }
}
