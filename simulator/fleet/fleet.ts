/**
 * A fleet run: the relay (embedded unless given), a station, the MQTT bridge, and N
 * virtual devices running the real firmware, all in this process on one scheduler. After
 * the run's duration the devices keep running for a drain window; then every reading
 * taken before the cut-off is accounted for: delivered (once), or dropped by the device
 * with a reason, or lost.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getProvider } from "../../firmware/crypto/node/providers";
import { MemoryAgentStore } from "../../firmware/agent/node/stores";
import { Scheduler } from "../../firmware/targets/node/scheduler";
import { boardSensorConfigs } from "../../boards/board";
import { findBoard } from "../../boards/load";
import { startRelay, type RunningRelay } from "../../relay-conformance/relay-cli";
import { Station } from "../station/station";
import type { StationRecord } from "../station/records";
import { startBridge, type RunningBridge } from "../mqtt/bridge";
import { VirtualDevice } from "./virtual-device";
import { diurnalSources } from "./sources";

export interface FleetOptions {
  devices: number;
  durationS: number;
  intervalS: number;
  seed: string;
  board: string;
  /** smp:// address of an external relay for the station; embedded when undefined. */
  relay?: string;
  /** grp:// address the devices use with an external relay. */
  deviceRelay?: string;
  /** "embedded", "off", or an mqtt:// URL. */
  mqtt: string;
  /** Seconds after the cut-off for queued readings to arrive. */
  drainS: number;
  onProgress?: (p: FleetProgress) => void;
  log?: (line: string) => void;
}

export interface FleetProgress {
  elapsedS: number;
  devices: number;
  connected: number;
  sent: number;
  delivered: number;
  p99Ms: number;
}

export interface FleetResult {
  devices: number;
  connected: number;
  expected: number;
  delivered: number;
  duplicates: number;
  dropped: number;
  lost: number;
  deliveryRatio: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  linkLosses: number;
  errors: number;
  mqttStates: number;
  mqttDiscovery: number;
  memoryPerDeviceKb: number;
  cpuSeconds: number;
  wallSeconds: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFleet(o: FleetOptions): Promise<FleetResult> {
  const log = o.log ?? (() => undefined);
  const provider = getProvider("native");
  const startWall = Date.now();
  const cpu0 = process.cpuUsage();
  const heap0 = process.memoryUsage().heapUsed;
  let relay: RunningRelay | undefined;
  let stationRelay = o.relay;
  let deviceRelay = o.deviceRelay;
  if (stationRelay === undefined) {
    relay = await startRelay(["--port", "0", "--grp-port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-sim-relay-")), "--provider", "native"], () => undefined);
    stationRelay = relay.address;
    deviceRelay = relay.grpAddress;
    log(`relay: ${relay.address} and ${relay.grpAddress}`);
  }
  if (!deviceRelay) throw new Error("the devices need a grp:// relay address (--device-relay) when the relay is external");
  const station = await Station.start({ relay: stationRelay, provider, store: new MemoryAgentStore(), pumpMs: 100 });
  const records: StationRecord[] = [];
  station.onRecord((r) => records.push(r));
  let bridge: RunningBridge | undefined;
  if (o.mqtt !== "off") {
    bridge = await startBridge(o.mqtt === "embedded" ? { station, embedded: true } : { station, mqttUrl: o.mqtt });
    log(`mqtt: ${bridge.url}`);
  }

  const scheduler = new Scheduler({ mode: "real" });
  const epochMs = Date.now() - scheduler.now();
  const sensors = boardSensorConfigs(findBoard(o.board));
  const devices: VirtualDevice[] = [];
  const connIds = new Map<string, VirtualDevice>();
  let errors = 0;
  for (let i = 0; i < o.devices; i++) {
    const { connId, invitation } = await station.invite();
    const name = `sim-${String(i + 1).padStart(4, "0")}`;
    const d = new VirtualDevice({
      name, relay: deviceRelay, invitation, intervalS: o.intervalS, sensors, sources: diurnalSources(o.seed, i, () => epochMs + scheduler.now()), scheduler, provider, epochMs,
      onEvent: (_d, type) => {
        if (type === "error") errors++;
      },
    });
    devices.push(d);
    connIds.set(connId, d);
    // Stagger boots over one interval, so the fleet does not sample in lockstep.
    scheduler.setTimer(Math.floor((i * o.intervalS * 1000) / Math.max(1, o.devices)), () => d.start());
  }

  const latencies = () =>
    records
      .filter((r) => r.type === "reading")
      .map((r) => (r.type === "reading" ? Date.parse(r.received) - Date.parse(r.time) : 0))
      .sort((a, b) => a - b);
  const progress = (elapsedS: number): FleetProgress => ({
    elapsedS,
    devices: devices.length,
    connected: devices.filter((d) => d.app.isReady()).length,
    sent: devices.reduce((n, d) => n + d.app.counters.readingsSent, 0),
    delivered: records.filter((r) => r.type === "reading").length,
    p99Ms: percentile(latencies(), 99),
  });
  const t0 = Date.now();
  while (Date.now() - t0 < o.durationS * 1000) {
    await sleep(Math.min(1000, o.durationS * 1000 - (Date.now() - t0)));
    o.onProgress?.(progress((Date.now() - t0) / 1000));
  }
  // Cut-off: readings taken up to now must all be accounted for.
  const cutoff = Date.now();
  const journaledAtCutoff = devices.reduce((n, d) => n + d.app.counters.readingsJournaled, 0);
  const drainEnd = Date.now() + o.drainS * 1000;
  const deliveredBefore = () => {
    const seen = new Set<string>();
    for (const r of records) if (r.type === "reading" && Date.parse(r.time) <= cutoff) seen.add(`${r.device}/${r.time}/${r.kind}`);
    return seen.size;
  };
  while (Date.now() < drainEnd && deliveredBefore() + devices.reduce((n, d) => n + d.app.counters.readingsDropped, 0) < journaledAtCutoff) await sleep(200);

  const readings = records.filter((r) => r.type === "reading");
  const keys = new Set<string>();
  let duplicates = 0;
  let delivered = 0;
  for (const r of readings) {
    if (r.type !== "reading" || Date.parse(r.time) > cutoff) continue;
    const k = `${r.device}/${r.time}/${r.kind}`;
    if (keys.has(k)) duplicates++;
    else {
      keys.add(k);
      delivered++;
    }
  }
  const dropped = devices.reduce((n, d) => n + d.app.counters.readingsDropped, 0);
  const lat = latencies();
  const result: FleetResult = {
    devices: devices.length,
    connected: devices.filter((d) => d.app.isReady()).length,
    expected: journaledAtCutoff,
    delivered,
    duplicates,
    dropped,
    lost: Math.max(0, journaledAtCutoff - delivered - dropped),
    deliveryRatio: journaledAtCutoff === 0 ? 0 : delivered / journaledAtCutoff,
    latencyMs: { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), max: lat.length ? lat[lat.length - 1] : 0 },
    linkLosses: devices.reduce((n, d) => n + d.app.counters.linkLosses, 0),
    errors,
    mqttStates: bridge ? bridge.bridge.stats.states : 0,
    mqttDiscovery: bridge ? bridge.bridge.stats.discoveryConfigs : 0,
    memoryPerDeviceKb: Math.max(0, (process.memoryUsage().heapUsed - heap0) / 1024 / Math.max(1, devices.length)),
    cpuSeconds: (() => {
      const c = process.cpuUsage(cpu0);
      return (c.user + c.system) / 1e6;
    })(),
    wallSeconds: (Date.now() - startWall) / 1000,
  };
  for (const d of devices) d.stop();
  scheduler.close();
  station.close();
  if (bridge) await bridge.close();
  if (relay) await relay.close();
  return result;
}
