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
import { RelayHost, type EmbeddedRelay } from "./relay-host";
import { RelayThread } from "./relay-thread";
import { Station } from "../station/station";
import { startBridge, type RunningBridge } from "../mqtt/bridge";
import { DeviceClock, HalTimers, Scheduler, Transcript, sharedWallClock } from "../clock/index";
import { DeviceModels } from "../models/device-models";
import { FaultPlan, LinkProxy, type FaultEvent } from "../faults/index";
import { MetricsCollector, LOST_IN_FLIGHT_AT_END, type LiveSnapshot, type Series, type Summary } from "../metrics/index";
import { expandDevices, type FleetSpec, type DevicePlan } from "../spec/index";
import { createFleetDevice, loadArtifactSupport, type FleetDevice } from "./fleet-device";
import { DeviceShards, ShardDevice, autoWorkers } from "./shards";
import type { ShardDeviceInit } from "./shard-protocol";
import { growHeapForThroughput } from "../../relay-conformance/relay/heap-growth";

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
  /**
   * Boots spread over this many more virtual ms (device i of N boots i/N of it later than
   * its phase): a large fleet booting within one interval is a handshake storm of its own.
   */
  bootSpreadMs?: number;
  onProgress?: (s: LiveSnapshot) => void;
  log?: (line: string) => void;
  /**
   * Worker threads running the devices (0: all in this thread); "auto" (default): one per
   * core for fleets of 500 devices or more. Stepped runs stay in one thread (their
   * determinism needs one event order).
   */
  workers?: number | "auto";
  /** The embedded relay in a worker thread of its own; default: when the devices run in workers. */
  relayThread?: boolean;
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
  /** With judgeMs: the process's CPU (all threads) over the counted window, in cores (NaN if it never began). */
  judgedCores: number;
  /** Worker threads that ran devices (0: all in the main thread). */
  workers: number;
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
  /**
   * Shards: station records that arrived before their reading's report (the relay can be
   * faster than the worker's message), by key, with their arrival times.
   */
  early: Map<string, number[]>;
  /** The link is up (since the last boot); it has been up at least once. */
  linkUp: boolean;
  everUp: boolean;
  /**
   * seq → when its reading stopped waiting for a link (journalled while the link was up, or
   * the link coming up after it; handshakes after that are wall-time work): virtual ms, and
   * wall ms (stepped mode).
   */
  handoff: Map<number, { v: number; w: number }>;
  /** Readings journalled while the device was not connected: handed off at the next connect. */
  waiting: number[];
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
  growHeapForThroughput();
  const spec = o.spec;
  const log = o.log ?? (() => undefined);
  const plans = expandDevices(spec);
  const plan = FaultPlan.fromSpec(spec, plans);
  const mixed = plans.some((p) => p.artifact !== "node");
  if (mixed) await loadArtifactSupport();
  if (mixed && spec.faults.some((f) => f.kind === "device-reboot" && f.powerCut)) {
    log("note: artifact devices keep their SD card in a host directory: a power-cut reboot is a clean power-off for them (no torn write)");
  }
  const stepped = spec.clock.mode === "stepped";
  const warmupMs = o.warmupMs ?? 0;
  const speed = spec.clock.mode === "accelerated" ? spec.clock.speed : 1;
  const nodeDevices = plans.filter((p) => p.artifact === "node").length;
  const asked = o.workers ?? spec.workers ?? "auto";
  if (asked !== "auto" && !(Number.isInteger(asked) && asked >= 0)) throw new Error(`--workers: expected a whole number or "auto", got ${String(asked)}`);
  let workers = asked === "auto" ? autoWorkers(nodeDevices) : Math.min(asked, nodeDevices);
  if (stepped && workers > 0) {
    log(`note: a stepped clock runs every device in the main thread (one event order keeps it deterministic)${asked === "auto" ? "" : "; --workers ignored"}`);
    workers = 0;
  }
  let taskErrors = 0;
  const scheduler = new Scheduler({
    mode: spec.clock,
    wallClock: stepped ? undefined : sharedWallClock,
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
  let relay: EmbeddedRelay | undefined;
  let stationRelay: string;
  let deviceRelay: string | undefined = o.deviceRelay;
  if (spec.relay.kind === "embedded") {
    // With device shards the relay gets a thread of its own too (relay-thread.ts); small and
    // stepped fleets keep it here (one thread: stepped runs stay deterministic).
    relay = (o.relayThread ?? workers > 0) && !stepped ? await RelayThread.start() : await RelayHost.start();
    stationRelay = relay.address;
    deviceRelay = relay.grpAddress;
    log(`relay: ${relay.address} and ${relay.grpAddress}${relay instanceof RelayThread ? " (own thread)" : ""}`);
  } else if (spec.relay.scheme === "smp") {
    stationRelay = spec.relay.url;
  } else {
    throw new Error("--relay grp://…: the station needs the relay's smp:// address; give --relay smp://… and --device-relay grp://…");
  }
  if (deviceRelay === undefined) throw new Error("the devices need a grp:// relay address (--device-relay) when the relay is external");

  try {
    const station = await Station.start({ relay: stationRelay, provider: getProvider("native"), store: new MemoryAgentStore(), pumpMs: 100, receiptIntervalMs: STATION_RECEIPT_MS, recipientAuthAlg: "x25519" });
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
    const clocks: (DeviceClock | undefined)[] = [];
    const groups: ShardDeviceInit[][] = Array.from({ length: workers }, () => []);
    const handlers: { onReading: (timeMs: number, kind: string, value: number, at: number) => void; onEvent: (type: string, detail: string, at: number) => void }[] = [];
    const linkUpAt = new Map<number, { v: number; w: number }>();
    /** Readings journalled after the run's duration are not counted (only matched, so they are not "unknown"). */
    let counting = true;
    let sharded = 0;
    for (const p of plans) {
      const { invitation } = await station.invite();
      const relayUrl = proxyUrls.get(p.index) ?? (p.protocol === "smp" ? stationRelay : deviceRelay);
      const t: Tracking = { next: 0, keys: new Map(), lastCutMs: -1, sentAt: new Map(), resolved: new Set(), holds: new Map(), ignored: new Set(), early: new Map(), linkUp: false, everUp: false, handoff: new Map(), waiting: [] };
      tracking.push(t);
      let connectHold: (() => void) | undefined;
      const d = (): FleetDevice => devices[p.index];
      // `at`: the virtual time it happened (a shard's report arrives a little later).
      const onReading = (timeMs: number, kind: string, value: number, at: number): void => {
        const seq = t.next++;
        const key = `${timeMs}/${kind}`;
        let k = t.keys.get(key);
        if (k === undefined) t.keys.set(key, (k = { seqs: [], delivered: 0 }));
        k.seqs.push(seq);
        if (!counting || at < warmupMs || (o.judgeMs !== undefined && (judgeFrom === undefined || at < judgeFrom))) {
          t.ignored.add(seq);
        } else {
          t.sentAt.set(seq, at);
          // Before its first link the device is connecting (wall work), not offline.
          if (t.linkUp || !t.everUp) t.handoff.set(seq, { v: at, w: sharedWallClock() });
          else t.waiting.push(seq);
          if (stepped && d().isReady()) t.holds.set(seq, cappedHold(scheduler, STEPPED_DELIVERY_HOLD_WALL_MS));
          metrics.sent(p.index, seq, at);
          transcript.record(at, p.name, kind, value.toFixed(3));
        }
        if (t.early.size > 0) lateReport(p.index, key);
      };
      const onEvent = (type: string, detail: string, at: number): void => {
        if (process.env.TSENSE_FLEET_DEBUG) log(`${Math.round(at)} ${p.name} ${type} ${detail}`);
        const handOff = (): void => {
          const w = sharedWallClock();
          for (const seq of t.waiting) t.handoff.set(seq, { v: at, w });
          t.waiting = [];
        };
        if (type === "boot") t.linkUp = false;
        if (type === "link" && detail === "up") {
          t.linkUp = true;
          t.everUp = true;
          handOff();
          if (relayBackAt !== undefined && metrics.snapshot(0).connected + (d().isReady() ? 1 : 0) >= plans.length) {
            reconnectStormMs.push(at - relayBackAt);
            relayBackAt = undefined;
          }
          linkUpAt.set(p.index, { v: at, w: sharedWallClock() });
          // Reconnects after the station handshake: the link is all there is to wait for.
          if (d().isReady()) metrics.connected(p.index);
          allConnected();
          if (stepped) {
            connectHold?.();
            connectHold = cappedHold(scheduler, STEPPED_CONNECT_HOLD_WALL_MS);
          }
        } else if (type === "link") {
          t.linkUp = false;
          connectHold?.();
          metrics.disconnected(p.index, detail.replace(/^down: /, "") || "closed");
        } else if (type === "ready") {
          handOff();
          connectHold?.();
          metrics.connected(p.index);
          allConnected();
          const up = linkUpAt.get(p.index);
          // Handshakes are wall-time work: wall ms in accelerated and stepped runs too.
          if (up !== undefined) metrics.handshake(stepped ? sharedWallClock() - up.w : (at - up.v) / speed);
        }
      };
      handlers.push({ onReading, onEvent });
      byName.set(p.name, p.index);
      if (workers > 0 && p.artifact === "node") {
        // A shard builds it; the ShardDevice is filled in below.
        groups[sharded++ % workers].push({ index: p.index, relay: relayUrl, invitation });
        devices.push(undefined as unknown as FleetDevice);
        clocks.push(undefined);
        continue;
      }
      const clock = new DeviceClock(scheduler, plan.skewAt(p.index, 0));
      clocks.push(clock);
      const timers = new HalTimers(scheduler, clock);
      const models = new DeviceModels(spec.seed, p.name, spec.timeOfDayMs);
      for (const f of plan.sensorFaults(p.index)) models.addFault(f.kind, f.fault);
      devices.push(
        createFleetDevice({
          plan: p,
          relay: relayUrl,
          invitation,
          timers,
          models,
          now: () => clock.now(),
          provider: providerFor(p.crypto, providers),
          epochMs,
          onReading: (timeMs, kind, value) => onReading(timeMs, kind, value, scheduler.now()),
          onEvent: (type, detail) => onEvent(type, detail, scheduler.now()),
        }),
      );
    }
    let shards: DeviceShards | undefined;
    if (workers > 0) {
      log(`devices: ${sharded} in ${workers} worker thread${workers === 1 ? "" : "s"}, ${plans.length - sharded} in the main thread`);
      const s = await DeviceShards.start({ spec, epochMs }, groups, {
        onReading: (i, at, timeMs, kind, value) => handlers[i].onReading(timeMs, kind, value, at),
        onEvent: (i, at, type, detail) => handlers[i].onEvent(type, detail, at),
      });
      shards = s;
      cleanups.push(() => s.close());
      for (const [i, sd] of s.byIndex) devices[i] = sd;
    }
    const spread = o.bootSpreadMs ?? 0;
    for (const p of plans) scheduler.at(p.phaseMs + Math.floor((p.index * spread) / plans.length), () => devices[p.index].start());

    /**
     * Journalled → station record: the time the reading waited on the device for a link
     * (link loss, relay down, reconnect backoff: virtual timers) in virtual ms, plus the
     * time from then to the record, which is handshake, relay, station and socket work done
     * in wall time: in wall ms (accelerated: virtual / speed; stepped: measured), so an
     * accelerated or stepped run does not inflate it. Real time: both are the same.
     */
    function honestLatency(tr: Tracking, seq: number, now: number): number | undefined {
      const sentAt = tr.sentAt.get(seq);
      if (sentAt === undefined) return undefined;
      const h = tr.handoff.get(seq) ?? { v: sentAt, w: NaN };
      tr.handoff.delete(seq);
      const waited = Math.max(0, h.v - sentAt);
      if (stepped) return Number.isNaN(h.w) ? undefined : waited + Math.max(0, sharedWallClock() - h.w);
      return waited + Math.max(0, now - Math.max(h.v, sentAt)) / speed;
    }
    /** A station record of device i's reading `key`, arrived at `now`. */
    function record(i: number, key: string, now: number): void {
      const tr = tracking[i];
      const k = tr.keys.get(key);
      if (shards !== undefined && (k === undefined || k.delivered >= k.seqs.length)) {
        // Its reading may still be on its way from the shard: matched when it comes (or at the end).
        const e = tr.early.get(key);
        if (e === undefined) tr.early.set(key, [now]);
        else e.push(now);
        return;
      }
      if (k === undefined) {
        metrics.delivered(i, -1, now);
        return;
      }
      // The n-th record of a key is its n-th reading; more are duplicates.
      const seq = k.delivered < k.seqs.length ? k.seqs[k.delivered++] : k.seqs[0];
      if (tr.ignored.has(seq)) return;
      const outcome = metrics.delivered(i, seq, now, honestLatency(tr, seq, now));
      if (outcome === "delivered" || outcome === "late") {
        tr.sentAt.delete(seq);
        tr.holds.get(seq)?.();
        tr.holds.delete(seq);
        tr.resolved.add(seq);
      }
    }
    /** A reading reported by a shard: a record that overtook it is matched now. */
    function lateReport(i: number, key: string): void {
      const e = tracking[i].early.get(key);
      const at = e?.shift();
      if (e === undefined || at === undefined) return;
      if (e.length === 0) tracking[i].early.delete(key);
      record(i, key, at);
    }
    station.onRecord((r) => {
      if (r.type !== "reading") return;
      const i = byName.get(r.device);
      if (i === undefined) return;
      record(i, `${Date.parse(r.time)}/${r.kind}`, scheduler.now());
    });

    // Faults.
    // --judge: counting starts once the whole fleet is connected (and warmupMs has passed),
    // and the run ends judgeMs later.
    let judgeFrom: number | undefined;
    let judgedCores = NaN;
    function allConnected(): void {
      if (o.judgeMs === undefined || judgeFrom !== undefined || metrics.snapshot(0).connected < plans.length) return;
      judgeFrom = Math.max(scheduler.now(), warmupMs);
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      scheduler.at(judgeFrom + o.judgeMs, () => {
        const cpu = process.cpuUsage(cpu0);
        judgedCores = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
        scheduler.stop();
      });
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
            const c = clocks[e.device as number];
            if (c !== undefined) {
              c.setPpm(e.ppm);
              c.step(e.offsetMs);
            } else if (d instanceof ShardDevice) d.skew(e.ppm, e.offsetMs);
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
    const sample = (): void => {
      metrics.setWorkerHeap((shards?.heapBytes() ?? 0) + (relay?.heapBytes() ?? 0));
      metrics.sampleResources();
    };
    sample();
    const sampler = setInterval(sample, 1000);
    cleanups.push(() => clearInterval(sampler));
    const maxWallMs = stepped ? undefined : (spec.durationMs + (o.drainMs ?? 20_000)) / speed + 60_000;
    if (shards !== undefined) {
      // One virtual time for every thread: the same anchor on the same wall clock.
      const wall = sharedWallClock();
      const virtual = scheduler.now();
      scheduler.anchorAt(wall, virtual);
      shards.go(wall, virtual);
    }
    await scheduler.run(spec.durationMs, { maxWallMs });
    o.onProgress?.(metrics.snapshot(scheduler.now()));
    await relayChange;

    // Drain: devices keep running (later readings are not counted) until everything sent
    // before the cut-off is delivered or known dropped, or the drain window ends.
    counting = false;
    let t = Math.ceil(scheduler.now());
    const drainEnd = t + (o.drainMs ?? 20_000);
    const settled = () => plans.every((p) => tracking[p.index].sentAt.size <= devices[p.index].dropped());
    await shards?.sync();
    while (!settled()) {
      // With shards, virtual time flows between runs too (one anchor for every thread).
      const from = Math.max(t, Math.ceil(scheduler.now()));
      if (from >= drainEnd) break;
      t = Math.min(drainEnd, from + 1000);
      await scheduler.run(t, { maxWallMs: stepped ? undefined : 60_000 });
      if (stepped) await new Promise((r) => setTimeout(r, 20));
      await shards?.sync();
    }
    await relayChange;
    await shards?.sync();
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
    // Records whose reading never was reported: duplicates of a known key, or unknown.
    for (const p of plans) {
      const tr = tracking[p.index];
      for (const [key, ats] of tr.early) {
        const k = tr.keys.get(key);
        for (const at of ats) metrics.delivered(p.index, k === undefined ? -1 : k.seqs[0], at);
      }
      tr.early.clear();
    }
    metrics.setWorkerHeap((shards?.heapBytes() ?? 0) + (relay?.heapBytes() ?? 0));
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
      judgedCores,
      reconnectStormMs: relayBackAt === undefined ? reconnectStormMs : [...reconnectStormMs, NaN],
      workers,
    };
    if (shards !== undefined) {
      const e = shards.taskErrors();
      for (const m of e.first) log(`device task failed (shard): ${m}`);
      taskErrors += e.count;
    }
    if (taskErrors > 0) log(`${taskErrors} device tasks failed`);
    return result;
  } finally {
    scheduler.stop();
    for (const c of cleanups.reverse()) await c();
    if (relay) await relay.close();
  }
}

