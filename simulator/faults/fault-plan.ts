/**
 * The fault plan of a run: the spec's fault list turned into concrete, timed events per
 * device, from the seed alone (same seed, same plan). Which devices a fault hits is drawn
 * once per fault entry; a fault without `at` gets `count` random start times per hit
 * device (so "10% of devices lose their link 3 times" means exactly that).
 *
 * Queried by time (linkAt, relayDownAt, activeAt, between) and handed to a scheduler
 * (scheduleOn) so the glue gets a callback when each event starts and ends.
 */
import type { Scheduler, Timer } from "../clock/scheduler";
import { Rng } from "../models/rng";
import type { SensorFault } from "../models/sensor-model";
import type { DevicePlan, FaultKind, FaultSpec, FleetSpec, ReadingKindName } from "../spec/fleet-spec";

/** Defaults for lengths the spec leaves out. */
export const DEFAULT_RELAY_DOWNTIME_MS = 2000;
export const DEFAULT_REBOOT_OFF_MS = 1000;

export interface FaultEvent {
  /** Position in `FaultPlan.events` (sorted by start time, then spec order). */
  id: number;
  kind: FaultKind;
  /** Index into the spec's fault list. */
  source: number;
  /** Device index, or undefined for a fleet-wide event (relay restart). */
  device: number | undefined;
  startMs: number;
  /** Exclusive end; Infinity for faults that last (clock skew, battery drain). */
  endMs: number;
  latencyMs: number;
  jitterMs: number;
  ppm: number;
  offsetMs: number;
  drainPerHour: number;
  powerCut: boolean;
  /**
   * device-reboot with powerCut: storage units (bytes written + metadata operations) the
   * virtual SD card still accepts after the event starts, in [0, MAX_CUT_UNITS): set
   * `MemoryFs.budget` to it, so the cut can land inside a journal write.
   */
  cutAfterUnits: number;
  sensor: ReadingKindName | undefined;
  magnitude: number;
}

/** Upper bound (exclusive) of FaultEvent.cutAfterUnits: about one journal record. */
export const MAX_CUT_UNITS = 512;

export interface LinkState {
  up: boolean;
  latencyMs: number;
  jitterMs: number;
}

export interface FaultHandlers {
  onStart?: (event: FaultEvent) => void;
  onEnd?: (event: FaultEvent) => void;
}

export class FaultPlan {
  readonly events: FaultEvent[];
  private readonly byDevice: FaultEvent[][];
  private readonly fleetWide: FaultEvent[];

  constructor(events: FaultEvent[], deviceCount: number) {
    const sorted = [...events].sort((a, b) => a.startMs - b.startMs || a.source - b.source || (a.device ?? -1) - (b.device ?? -1));
    sorted.forEach((e, i) => (e.id = i));
    this.events = sorted;
    this.byDevice = Array.from({ length: deviceCount }, () => []);
    this.fleetWide = [];
    for (const e of sorted) {
      if (e.device === undefined) this.fleetWide.push(e);
      else this.byDevice[e.device].push(e);
    }
  }

  /** Builds the plan for a spec and its expanded devices. */
  static fromSpec(spec: FleetSpec, devices: DevicePlan[]): FaultPlan {
    const events: FaultEvent[] = [];
    const byName = new Map(devices.map((d) => [d.name, d.index]));
    spec.faults.forEach((f, source) => {
      const rng = Rng.of(spec.seed, "fault", source);
      if (f.kind === "relay-restart") {
        const length = f.forMs ?? DEFAULT_RELAY_DOWNTIME_MS;
        for (const start of startTimes(f, spec.durationMs, length, rng)) events.push(eventOf(f, source, undefined, start, start + length));
        return;
      }
      for (const device of selectDevices(f, devices.length, byName, rng)) {
        const length = lengthOf(f, devices[device]);
        for (const start of startTimes(f, spec.durationMs, Number.isFinite(length) ? length : 0, rng)) {
          const e = eventOf(f, source, device, start, start + length);
          if (f.kind === "device-reboot" && f.powerCut) e.cutAfterUnits = rng.below(MAX_CUT_UNITS);
          events.push(e);
        }
      }
    });
    return new FaultPlan(events, devices.length);
  }

  forDevice(device: number): readonly FaultEvent[] {
    return this.byDevice[device] ?? [];
  }

  /** Events of one device (and fleet-wide ones) active at time t. */
  activeAt(device: number | undefined, t: number): FaultEvent[] {
    const list = device === undefined ? this.fleetWide : this.forDevice(device);
    return list.filter((e) => e.startMs <= t && (t < e.endMs || (e.startMs === e.endMs && t === e.startMs)));
  }

  /** The device's link to the relay at time t: down in a link-loss window, slowed in a latency window. */
  linkAt(device: number, t: number): LinkState {
    const state: LinkState = { up: true, latencyMs: 0, jitterMs: 0 };
    for (const e of this.forDevice(device)) {
      if (e.startMs > t) break;
      if (t >= e.endMs) continue;
      if (e.kind === "link-loss") state.up = false;
      else if (e.kind === "latency") {
        state.latencyMs = Math.max(state.latencyMs, e.latencyMs);
        state.jitterMs = Math.max(state.jitterMs, e.jitterMs);
      }
    }
    return state;
  }

  /** True while the relay is down for a restart. */
  relayDownAt(t: number): boolean {
    return this.fleetWide.some((e) => e.kind === "relay-restart" && e.startMs <= t && t < e.endMs);
  }

  /** Events starting in [fromMs, toMs). */
  between(fromMs: number, toMs: number): FaultEvent[] {
    return this.events.filter((e) => e.startMs >= fromMs && e.startMs < toMs);
  }

  /** Clock skew of a device at time t: offsets add up, the latest ppm wins. */
  skewAt(device: number, t: number): { offsetMs: number; ppm: number } {
    let offsetMs = 0;
    let ppm = 0;
    for (const e of this.forDevice(device)) {
      if (e.kind !== "clock-skew" || e.startMs > t) continue;
      offsetMs += e.offsetMs;
      ppm = e.ppm;
    }
    return { offsetMs, ppm };
  }

  /** The sensor-model faults of a device (stuck, spike, battery drain), for DeviceModels.addFault. */
  sensorFaults(device: number): { kind: ReadingKindName; fault: SensorFault }[] {
    const out: { kind: ReadingKindName; fault: SensorFault }[] = [];
    for (const e of this.forDevice(device)) {
      if (e.kind === "sensor-stuck" && e.sensor !== undefined) out.push({ kind: e.sensor, fault: { kind: "stuck", fromMs: e.startMs, toMs: e.endMs } });
      else if (e.kind === "sensor-spike" && e.sensor !== undefined) out.push({ kind: e.sensor, fault: { kind: "spike", atMs: e.startMs, durationMs: e.endMs - e.startMs, magnitude: e.magnitude } });
      else if (e.kind === "battery-drain") out.push({ kind: "battery", fault: { kind: "drain", fromMs: e.startMs, perHour: e.drainPerHour } });
    }
    return out;
  }

  /** Calls the handlers at each event's start and (finite) end, in plan order. Returns a cancel function. */
  scheduleOn(scheduler: Scheduler, handlers: FaultHandlers): () => void {
    const timers: Timer[] = [];
    for (const e of this.events) {
      if (handlers.onStart !== undefined) {
        const onStart = handlers.onStart;
        timers.push(scheduler.at(e.startMs, () => onStart(e)));
      }
      if (handlers.onEnd !== undefined && Number.isFinite(e.endMs)) {
        const onEnd = handlers.onEnd;
        timers.push(scheduler.at(e.endMs, () => onEnd(e)));
      }
    }
    return () => timers.forEach((t) => t.cancel());
  }

  /** Counts per kind, for summaries. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.events) out[e.kind] = (out[e.kind] ?? 0) + 1;
    return out;
  }
}

function lengthOf(f: FaultSpec, device: DevicePlan): number {
  switch (f.kind) {
    case "clock-skew":
    case "battery-drain":
      return Infinity;
    case "device-reboot":
      return f.forMs ?? DEFAULT_REBOOT_OFF_MS;
    case "sensor-spike":
      // One sampling interval: exactly one reading falls inside.
      return f.forMs ?? device.intervalMs;
    default:
      return f.forMs ?? 0;
  }
}

/** Start times: the fixed `at`, or `count` uniform times that leave room for the fault's length. */
function startTimes(f: FaultSpec, durationMs: number, lengthMs: number, rng: Rng): number[] {
  if (f.atMs !== undefined) return [f.atMs];
  if (f.kind === "clock-skew" || f.kind === "battery-drain") {
    if (f.count === 1) return [0];
  }
  const room = Math.max(1, durationMs - lengthMs);
  const out: number[] = [];
  for (let i = 0; i < f.count; i++) out.push(Math.floor(rng.next() * room));
  return out.sort((a, b) => a - b);
}

function selectDevices(f: FaultSpec, n: number, byName: Map<string, number>, rng: Rng): number[] {
  const sel = f.devices;
  if ("all" in sel) return Array.from({ length: n }, (_, i) => i);
  if ("names" in sel) {
    return sel.names.map((name) => {
      const i = byName.get(name);
      if (i === undefined) throw new Error(`fault plan: no device named ${JSON.stringify(name)}`);
      return i;
    });
  }
  const k = "share" in sel ? Math.round(sel.share * n) : Math.min(sel.count, n);
  return rng
    .shuffle(Array.from({ length: n }, (_, i) => i))
    .slice(0, k)
    .sort((a, b) => a - b);
}

function eventOf(f: FaultSpec, source: number, device: number | undefined, startMs: number, endMs: number): FaultEvent {
  return {
    id: 0,
    kind: f.kind,
    source,
    device,
    startMs,
    endMs,
    latencyMs: f.latencyMs,
    jitterMs: f.jitterMs,
    ppm: f.ppm,
    offsetMs: f.offsetMs,
    drainPerHour: f.drainPerHour,
    powerCut: f.powerCut,
    cutAfterUnits: -1,
    sensor: f.sensor,
    magnitude: f.magnitude,
  };
}
