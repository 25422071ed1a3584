/**
 * A fleet run: the relay (embedded unless given), a station, the MQTT bridge, and the
 * spec's virtual devices running the real firmware, all in this process on the
 * simulator's scheduler (real time, accelerated or stepped), with the spec's faults.
 *
 * Accounting: every reading a device journals is `sent` (device-local sequence), each
 * station record of it `delivered`; after the run the devices keep going for a drain
 * window, then what is still missing is lost with a reason: dropped by the device
 * (journal full), cut by a power loss, or still in flight at the end. A relay restart
 * keeps its in-memory queues (see relay-host.ts), so it delays readings but loses none.
 */
import { getProvider } from "../../firmware/crypto/node/providers";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import { MemoryAgentStore } from "../../firmware/agent/node/stores";
import { RelayHost } from "./relay-host";
import { Station } from "../station/station";
import { startBridge, type RunningBridge } from "../mqtt/bridge";
import { DeviceClock, HalTimers, Scheduler, Transcript } from "../clock/index";
import { DeviceModels } from "../models/device-models";
import { FaultPlan, LinkProxy, type FaultEvent } from "../faults/index";
import { MetricsCollector, LOST_IN_FLIGHT_AT_END, type LiveSnapshot, type Series, type Summary } from "../metrics/index";
import { expandDevices, type FleetSpec, type DevicePlan } from "../spec/index";
import { createFleetDevice, type FleetDevice } from "./fleet-device";

/** Stepped mode: wall ms without socket activity before virtual time may jump (relay replies are not overtaken). */
const STEPPED_QUIET_MS = 15;
/**
 * Stepped mode: a reading sent while the device is connected holds virtual time until the
 * station has it, at most this much wall time (the station and relay run on wall time, so
 * without the hold virtual time would race past deliveries).
 */
const STEPPED_DELIVERY_HOLD_WALL_MS = 300;
/** Stepped mode: from link up until the station's handshake completed (join → ready), at most this much wall time. */
const STEPPED_CONNECT_HOLD_WALL_MS = 3000;

/**
 * The station's receipts, at most once per this many ms per device: each one turns the
 * ratchet around (a DH + ML-KEM step on both sides), so a receipt per reading round doubled
 * a fleet's CPU. Devices keep journal and outbox on relay OKs, not on receipts.
 */
const STATION_RECEIPT_MS = 60_000;

/** A scheduler hold that lets go by itself after `wallMs`; the returned release is idempotent. */
function cappedHold(scheduler: Scheduler, wallMs: number): () => void {
  const release = scheduler.hold();
  const guard = setTimeout(release, wallMs);
  return () => {
    clearTimeout(guard);
    release();
  };
}

export const LOST_DROPPED = "dropped by the device (journal full)";
export const LOST_POWER_CUT = "power cut";

export interface FleetOptions {
  spec: FleetSpec;
  /** grp:// address for the devices when spec.relay is an external smp:// relay. */
  deviceRelay?: string;
  /** Readings journalled before this virtual time are not counted (fleet start-up: boots and handshakes). */
  warmupMs?: number;
  /**
   * Count only a window of this many virtual ms that starts once every device is connected
   * (and warmupMs has passed); the run ends with it (spec.durationMs is then a cap).
   */
  judgeMs?: number;
  /** Virtual ms after the run's duration for queued readings to arrive (default 20 s). */
  drainMs?: number;
  onProgress?: (s: LiveSnapshot) => void;
  log?: (line: string) => void;
}

export interface FleetResult {
  summary: Summary;
  series: Series;
  /** Hash of the transcript (what each device sampled and when, and the faults); stepped runs repeat it. */
  transcriptHash: string;
  faults: Record<string, number>;
  mqtt: { states: number; discovery: number };
  relayRestarts: number;
  powerCuts: number;
  /** Per relay restart: virtual ms from the relay being back until every device was connected again (NaN if never). */
  reconnectStormMs: number[];
  /** With judgeMs: virtual time the counted window began (every device connected), or NaN if never. */
  judgedFromMs: number;
}

interface Tracking {
  next: number;
  /** `${timeMs}/${kind}` → seqs of that key, in journal order, and how many were delivered. */
  keys: Map<string, { seqs: number[]; delivered: number }>;
  /** Virtual time of the last power cut. */
  lastCutMs: number;
  /** seq → virtual send time, for readings not delivered yet. */
  sentAt: Map<number, number>;
  resolved: Set<number>;
  /** Stepped mode: releases of the holds taken for readings in flight. */
  holds: Map<number, () => void>;
  /** Readings journalled in the warm-up or after the run's duration: matched, not counted. */
  ignored: Set<number>;
}

function providerFor(name: DevicePlan["crypto"], cache: Map<string, CryptoProvider>): CryptoProvider {
  let p = cache.get(name);
  if (p === undefined) {
    p = getProvider(name);
    cache.set(name, p);
  }
  return p;
}

export async function runFleet(o: FleetOptions): Promise<FleetResult> {
  const spec = o.spec;
  const log = o.log ?? (() => undefined);
  const plans = expandDevices(spec);
  const plan = FaultPlan.fromSpec(spec, plans);
  const subset = plans.filter((p) => p.sensors !== undefined).length;
  if (subset > 0) log(`note: ${subset} devices list sensors; the fleet runs each board's full sensor set`);
  const stepped = spec.clock.mode === "stepped";
  const warmupMs = o.warmupMs ?? 0;
  const speed = spec.clock.mode === "accelerated" ? spec.clock.speed : 1;
  let taskErrors = 0;
  const scheduler = new Scheduler({
    mode: spec.clock,
    quietMs: stepped ? STEPPED_QUIET_MS : 0,
    onTaskError: (e) => {
      taskErrors++;
      if (taskErrors <= 5) log(`device task failed: ${(e as Error).message}`);
    },
  });
  const transcript = new Transcript();
  const metrics = new MetricsCollector({ deviceCount: plans.length, durationMs: spec.durationMs, deviceNames: plans.map((p) => p.name) });
  const cleanups: (() => Promise<void> | void)[] = [];

  // Relay: embedded (restartable on the same ports and data dir) or external.
  let relay: RelayHost | undefined;
  let stationRelay: string;
  let deviceRelay: string | undefined = o.deviceRelay;
  if (spec.relay.kind === "embedded") {
    relay = await RelayHost.start();
    stationRelay = relay.address;
    deviceRelay = relay.grpAddress;
    log(`relay: ${relay.address} and ${relay.grpAddress}`);
  } else if (spec.relay.scheme === "smp") {
    stationRelay = spec.relay.url;
  } else {
    throw new Error("--relay grp://…: the station needs the relay's smp:// address; give --relay smp://… and --device-relay grp://…");
  }
  if (deviceRelay === undefined) throw new Error("the devices need a grp:// relay address (--device-relay) when the relay is external");

  try {
    const station = await Station.start({ relay: stationRelay, provider: getProvider("native"), store: new MemoryAgentStore(), pumpMs: 100, receiptIntervalMs: STATION_RECEIPT_MS });
    cleanups.push(() => station.close());
    let bridge: RunningBridge | undefined;
    if (spec.mqtt.kind !== "off") {
      bridge = await startBridge(spec.mqtt.kind === "embedded" ? { station, embedded: true } : { station, mqttUrl: spec.mqtt.url });
      const b = bridge;
      cleanups.push(() => b.close());
      log(`mqtt: ${bridge.url}`);
    }

    // Link faults: devices that have any get their own proxy in front of the relay's GRP port (SMP port for SMP devices).
    const proxies = new Map<number, LinkProxy>();
    const proxyUrls = new Map<number, string>();
    for (const p of plans) {
      if (!plan.forDevice(p.index).some((e) => e.kind === "link-loss" || e.kind === "latency")) continue;
      const address = p.protocol === "smp" ? stationRelay : deviceRelay;
      const target = new URL(address);
      const proxy = new LinkProxy({ targetHost: target.hostname, targetPort: Number(target.port), speed });
      const at = await proxy.start();
      proxies.set(p.index, proxy);
      proxyUrls.set(p.index, address.replace(`${target.hostname}:${target.port}`, `${at.host}:${at.port}`));
      cleanups.push(() => proxy.close());
    }

    metrics.markMemoryBaseline();
    const epochMs = Date.now();
    const providers = new Map<string, CryptoProvider>();
    const devices: FleetDevice[] = [];
    const byName = new Map<string, number>();
    const tracking: Tracking[] = [];
    const clocks: DeviceClock[] = [];
    const linkUpAt = new Map<number, number>();
    /** Readings journalled after the run's duration are not counted (only matched, so they are not "unknown"). */
    let counting = true;
    for (const p of plans) {
      const { invitation } = await station.invite();
      const clock = new DeviceClock(scheduler, plan.skewAt(p.index, 0));
      clocks.push(clock);
      const timers = new HalTimers(scheduler, clock);
      const models = new DeviceModels(spec.seed, p.name, spec.timeOfDayMs);
      for (const f of plan.sensorFaults(p.index)) models.addFault(f.kind, f.fault);
      const relayUrl = proxyUrls.get(p.index) ?? (p.protocol === "smp" ? stationRelay : deviceRelay);
      const t: Tracking = { next: 0, keys: new Map(), lastCutMs: -1, sentAt: new Map(), resolved: new Set(), holds: new Map(), ignored: new Set() };
      tracking.push(t);
      let connectHold: (() => void) | undefined;
      const d = createFleetDevice({
        plan: p,
        relay: relayUrl,
        invitation,
        timers,
        models,
        now: () => clock.now(),
        provider: providerFor(p.crypto, providers),
        epochMs,
        onReading: (timeMs, kind, value) => {
          const seq = t.next++;
          const key = `${timeMs}/${kind}`;
          let k = t.keys.get(key);
          if (k === undefined) t.keys.set(key, (k = { seqs: [], delivered: 0 }));
          k.seqs.push(seq);
          const now = scheduler.now();
          if (!counting || now < warmupMs || (o.judgeMs !== undefined && (judgeFrom === undefined || now < judgeFrom))) {
            t.ignored.add(seq);
            return;
          }
          t.sentAt.set(seq, now);
          if (stepped && d.isReady()) t.holds.set(seq, cappedHold(scheduler, STEPPED_DELIVERY_HOLD_WALL_MS));
          metrics.sent(p.index, seq, now);
          transcript.record(now, p.name, kind, value.toFixed(3));
        },
        onEvent: (type, detail) => {
          if (process.env.TSENSE_FLEET_DEBUG) log(`${Math.round(scheduler.now())} ${p.name} ${type} ${detail}`);
          if (type === "link" && detail === "up") {
            if (relayBackAt !== undefined && metrics.snapshot(0).connected + (d.isReady() ? 1 : 0) >= plans.length) {
              reconnectStormMs.push(scheduler.now() - relayBackAt);
              relayBackAt = undefined;
            }
            linkUpAt.set(p.index, scheduler.now());
            // Reconnects after the station handshake: the link is all there is to wait for.
            if (d.isReady()) metrics.connected(p.index);
            allConnected();
            if (stepped) {
              connectHold?.();
              connectHold = cappedHold(scheduler, STEPPED_CONNECT_HOLD_WALL_MS);
            }
          } else if (type === "link") {
            connectHold?.();
            metrics.disconnected(p.index, detail.replace(/^down: /, "") || "closed");
          } else if (type === "ready") {
            connectHold?.();
            metrics.connected(p.index);
            allConnected();
            const up = linkUpAt.get(p.index);
            if (up !== undefined) metrics.handshake(scheduler.now() - up);
          }
        },
      });
      devices.push(d);
      byName.set(p.name, p.index);
      scheduler.at(p.phaseMs, () => d.start());
    }

    station.onRecord((r) => {
      if (r.type !== "reading") return;
      const i = byName.get(r.device);
      if (i === undefined) return;
      const now = scheduler.now();
      const k = tracking[i].keys.get(`${Date.parse(r.time)}/${r.kind}`);
      if (k === undefined) {
        metrics.delivered(i, -1, now);
        return;
      }
      // The n-th record of a key is its n-th reading; more are duplicates.
      const seq = k.delivered < k.seqs.length ? k.seqs[k.delivered++] : k.seqs[0];
      if (tracking[i].ignored.has(seq)) return;
      const outcome = metrics.delivered(i, seq, now);
      if (outcome === "delivered" || outcome === "late") {
        tracking[i].sentAt.delete(seq);
        tracking[i].holds.get(seq)?.();
        tracking[i].holds.delete(seq);
        tracking[i].resolved.add(seq);
      }
    });

    // Faults.
    // --judge: counting starts once the whole fleet is connected (and warmupMs has passed),
    // and the run ends judgeMs later.
    let judgeFrom: number | undefined;
    function allConnected(): void {
      if (o.judgeMs === undefined || judgeFrom !== undefined || metrics.snapshot(0).connected < plans.length) return;
      judgeFrom = Math.max(scheduler.now(), warmupMs);
      scheduler.at(judgeFrom + o.judgeMs, () => scheduler.stop());
    }
    let relayRestarts = 0;
    let relayBackAt: number | undefined;
    const reconnectStormMs: number[] = [];
    let powerCuts = 0;
    let relayChange: Promise<void> = Promise.resolve();
    const onFault = (e: FaultEvent, phase: "start" | "end") => {
      transcript.record(scheduler.now(), "fault", e.kind, phase, e.device === undefined ? "fleet" : plans[e.device].name);
      if (process.env.TSENSE_FLEET_DEBUG) log(`${Math.round(scheduler.now())} fault ${e.kind} ${phase} ${e.device === undefined ? "fleet" : plans[e.device].name}`);
      const d = e.device === undefined ? undefined : devices[e.device];
      switch (e.kind) {
        case "link-loss":
        case "latency": {
          const proxy = proxies.get(e.device as number);
          proxy?.setDefaultLink(plan.linkAt(e.device as number, phase === "start" ? e.startMs : e.endMs));
          break;
        }
        case "relay-restart": {
          if (relay === undefined) break;
          if (phase === "start") {
            relayRestarts++;
            const r = relay;
            relayChange = relayChange.then(() => r.stop());
          } else {
            const r = relay;
            relayChange = relayChange.then(async () => {
              await r.resume();
              if (relayBackAt !== undefined) reconnectStormMs.push(NaN);
              relayBackAt = scheduler.now();
            });
          }
          break;
        }
        case "device-reboot":
          if (d === undefined) break;
          if (phase === "start") {
            if (e.powerCut) {
              powerCuts++;
              tracking[e.device as number].lastCutMs = scheduler.now();
              // Power fails: the SD card takes this many more units (the write that crosses
              // them throws and the device dies there), and it is off by half the window.
              d.cutPowerAfter(e.cutAfterUnits);
              scheduler.after((e.endMs - e.startMs) / 2, () => {
                tracking[e.device as number].lastCutMs = scheduler.now();
                d.powerOff();
              });
            } else d.powerOff();
          } else d.powerOn();
          break;
        case "clock-skew":
          if (phase === "start" && e.startMs > 0) {
            clocks[e.device as number].setPpm(e.ppm);
            clocks[e.device as number].step(e.offsetMs);
          }
          break;
        default:
          // Sensor faults and battery drain live in the device's models.
          break;
      }
    };
    plan.scheduleOn(scheduler, { onStart: (e) => onFault(e, "start"), onEnd: (e) => onFault(e, "end") });

    const progress = setInterval(() => o.onProgress?.(metrics.snapshot(scheduler.now())), 250);
    cleanups.push(() => clearInterval(progress));
    metrics.sampleResources();
    const sampler = setInterval(() => metrics.sampleResources(), 1000);
    cleanups.push(() => clearInterval(sampler));
    const maxWallMs = stepped ? undefined : (spec.durationMs + (o.drainMs ?? 20_000)) / speed + 60_000;
    await scheduler.run(spec.durationMs, { maxWallMs });
    o.onProgress?.(metrics.snapshot(scheduler.now()));
    await relayChange;

    // Drain: devices keep running (later readings are not counted) until everything sent
    // before the cut-off is delivered or known dropped, or the drain window ends.
    counting = false;
    let t = Math.ceil(scheduler.now());
    const drainEnd = t + (o.drainMs ?? 20_000);
    const settled = () => plans.every((p) => tracking[p.index].sentAt.size <= devices[p.index].dropped());
    while (t < drainEnd && !settled()) {
      t = Math.min(drainEnd, t + 1000);
      await scheduler.run(t, { maxWallMs: stepped ? undefined : 60_000 });
      if (stepped) await new Promise((r) => setTimeout(r, 20));
    }
    await relayChange;
    const endMs = scheduler.now();

    // Whatever is still missing gets its reason (the oldest missing ones are the dropped ones).
    for (const p of plans) {
      const tr = tracking[p.index];
      let dropped = devices[p.index].dropped();
      for (const [seq, at] of [...tr.sentAt.entries()].sort((a, b) => a[0] - b[0])) {
        if (dropped > 0) {
          metrics.lost(p.index, seq, LOST_DROPPED);
          dropped--;
        } else if (at <= tr.lastCutMs) metrics.lost(p.index, seq, LOST_POWER_CUT);
      }
    }
    const summary = metrics.finish(endMs, LOST_IN_FLIGHT_AT_END);
    for (const d of devices) d.stop();
    const result: FleetResult = {
      summary,
      series: metrics.series(),
      transcriptHash: transcript.digest(),
      faults: plan.counts(),
      mqtt: { states: bridge ? bridge.bridge.stats.states : 0, discovery: bridge ? bridge.bridge.stats.discoveryConfigs : 0 },
      relayRestarts,
      powerCuts,
      judgedFromMs: judgeFrom ?? NaN,
      reconnectStormMs: relayBackAt === undefined ? reconnectStormMs : [...reconnectStormMs, NaN],
    };
    if (taskErrors > 0) log(`${taskErrors} device tasks failed`);
    return result;
  } finally {
    scheduler.stop();
    for (const c of cleanups.reverse()) await c();
    if (relay) await relay.close();
  }
}

