/**
 * Physical values for one virtual device until the full sensor models (simulator/models)
 * are wired in: a diurnal cycle per quantity with a per-device phase and offset, and a
 * small deterministic wobble, all from (seed, device index) so runs repeat.
 */
import { createHash } from "node:crypto";
import type { PhysicalSources } from "../../firmware/app/sensors/sim/sim-rig";

const DAY_MS = 86_400_000;

function unit(seed: string, i: number, what: string): number {
  return createHash("sha256").update(`${seed}/${i}/${what}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** `nowMs` is the device's wall clock (the fleet's scheduler time plus its epoch). */
export function diurnalSources(seed: string, i: number, nowMs: () => number): PhysicalSources {
  const phase = unit(seed, i, "phase") * 2 * Math.PI;
  const off = (unit(seed, i, "offset") - 0.5) * 4;
  const day = () => Math.sin((2 * Math.PI * nowMs()) / DAY_MS + phase);
  const wobble = (k: number) => Math.sin(nowMs() / (7_000 + k * 1_300) + phase) * 0.05;
  return {
    temperature: () => 20 + off + 4 * day() + wobble(1),
    humidity: () => 50 - 10 * day() + wobble(2) * 10,
    pressure: () => 1013 + off + wobble(3) * 4,
    illuminance: () => Math.max(0, 400 * day() + 200 + wobble(4) * 100),
    battery: () => 3.9 - unit(seed, i, "battery") * 0.3,
  };
}
