/**
 * `npm run bench -- fleet`: the largest fleet this machine sustains in real time at one
 * reading round per 10 s per device, with delivery >= 99.9 % and p99 <= 250 ms, stepping
 * the size up until a step fails or the time budget runs out; memory per device; and the
 * reconnect storm: the relay restarts mid-run (every device's link drops at once) and the
 * time until every device is connected again. Boots are spread over 20 ms per device and
 * start-up is not judged; large fleets run their devices in worker threads (--workers).
 *
 *   --max-minutes M   wall-time budget for the whole bench (default 4)
 *   --sizes a,b,c     fleet sizes to try (default 100,250,500,1000,2000,5000,10000)
 *   --step-seconds S  seconds judged per step, from the moment every device is connected (default 40)
 *   --workers N|auto  device threads per step (default auto: one per core, at least one per 1,250 devices, from 500 devices)
 *   --relay-thread on|off  the embedded relay in its own thread (default: on when devices run in workers)
 *   --json            machine-readable result
 */
import { defaultSpec, type FleetSpec } from "./spec/index";
import { runFleet, type FleetResult } from "./fleet/fleet";

const DELIVERY_MIN = 0.999;
const P99_MAX_MS = 250;
const INTERVAL_MS = 10_000;
/** Boots are spread over this much per device (1,000 devices: 20 s), so start-up is not one handshake storm. */
const BOOT_SPREAD_PER_DEVICE_MS = 20;
/** Longest the whole fleet may take to connect before a step fails (plus this per device). */
const CONNECT_CAP_MS = 30_000;
const CONNECT_CAP_PER_DEVICE_MS = 100;
/** The storm run goes on at least this long after the relay restart ... */
const STORM_TAIL_MS = 20_000;
/** ... and at least this much per device (every device makes a new GRP handshake: 2,000 took 10 s). */
const STORM_TAIL_PER_DEVICE_MS = 15;
const stormTailMs = (devices: number): number => Math.max(STORM_TAIL_MS, devices * STORM_TAIL_PER_DEVICE_MS);

interface Step {
  devices: number;
  ok: boolean;
  why: string;
  deliveryRatio: number;
  p99Ms: number;
  perDeviceKiB: number;
  avgCores: number;
  /** CPU over the judged window (every device connected), all threads. */
  steadyCores: number;
  wallS: number;
  workers: number;
}

function num(argv: string[], name: string, def: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(argv[i + 1]);
  if (!(v > 0)) throw new Error(`--${name}: expected a positive number, got ${JSON.stringify(argv[i + 1])}`);
  return v;
}

function specFor(devices: number, durationMs: number, stormAtMs: number | undefined): FleetSpec {
  const spec = defaultSpec();
  spec.seed = "bench";
  spec.durationMs = durationMs;
  spec.mqtt = { kind: "off" };
  spec.devices[0].count = devices;
  spec.devices[0].intervalMs = INTERVAL_MS;
  if (stormAtMs === undefined) return spec;
  // The storm: the relay goes away for 1 s; every link drops at once.
  spec.faults = [
    {
      kind: "relay-restart", atMs: stormAtMs, forMs: 1000, count: 1, devices: { all: true },
      latencyMs: 0, jitterMs: 0, ppm: 0, offsetMs: 0, drainPerHour: 0, powerCut: false, sensor: undefined, magnitude: 0,
    },
  ];
  return spec;
}

function judge(r: FleetResult, devices: number, wallS: number): Step & { connectedAtMs: number } {
  const s = r.summary;
  const p99 = s.latencyMs.p99;
  const problems: string[] = [];
  if (!(s.deliveryRatio >= DELIVERY_MIN)) problems.push(`delivery ${(s.deliveryRatio * 100).toFixed(2)} % < 99.9 %`);
  if (!(p99 <= P99_MAX_MS)) problems.push(`p99 ${p99.toFixed(0)} ms > ${P99_MAX_MS} ms`);
  if (s.connectedAtEnd < devices) problems.push(`${devices - s.connectedAtEnd} devices not connected at the end`);
  if (Number.isNaN(r.judgedFromMs)) problems.push("the fleet never was connected all at once");
  return {
    devices,
    ok: problems.length === 0,
    why: problems.join("; "),
    deliveryRatio: s.deliveryRatio,
    p99Ms: p99,
    perDeviceKiB: s.memory.perDeviceBytes / 1024,
    avgCores: s.cpu.avgCores,
    steadyCores: r.judgedCores,
    wallS,
    workers: r.workers,
    connectedAtMs: r.judgedFromMs,
  };
}

export async function main(argv: string[]): Promise<number> {
  let maxMinutes: number;
  let stepMs: number;
  let sizes: number[];
  let workers: number | "auto" = "auto";
  let relayThread: boolean | undefined;
  try {
    const ri = argv.indexOf("--relay-thread");
    if (ri >= 0) {
      const v = argv[ri + 1];
      if (v !== "on" && v !== "off") throw new Error(`--relay-thread: expected on or off, got ${JSON.stringify(v)}`);
      relayThread = v === "on";
    }
    const wi = argv.indexOf("--workers");
    if (wi >= 0) {
      const v = argv[wi + 1];
      if (v !== "auto" && !/^[0-9]+$/.test(v ?? "")) throw new Error(`--workers: expected a whole number or "auto", got ${JSON.stringify(v)}`);
      workers = v === "auto" ? "auto" : Number(v);
    }
    maxMinutes = num(argv, "max-minutes", 4);
    stepMs = num(argv, "step-seconds", 40) * 1000;
    const si = argv.indexOf("--sizes");
    sizes = si < 0 ? [100, 250, 500, 1000, 2000, 5000, 10000] : argv[si + 1].split(",").map(Number);
    if (sizes.some((n) => !(Number.isInteger(n) && n > 0))) throw new Error("--sizes: expected whole numbers like 100,500,1000");
  } catch (e) {
    console.error(`bench fleet: ${(e as Error).message}`);
    return 2;
  }
  const json = argv.includes("--json");
  const deadline = Date.now() + maxMinutes * 60_000;
  const steps: Step[] = [];
  console.error(`bench fleet: one reading round per ${INTERVAL_MS / 1000} s per device, real time, ${stepMs / 1000} s per step, budget ${maxMinutes} min; pass = delivery >= 99.9 %, p99 <= ${P99_MAX_MS} ms`);
  for (const n of sizes) {
    // A step costs its duration plus set-up (invitations) and the drain; stop when it cannot fit.
    const capMs = CONNECT_CAP_MS + n * CONNECT_CAP_PER_DEVICE_MS + stepMs;
    const estimateMs = capMs / 2 + 20_000;
    if (Date.now() + estimateMs > deadline) {
      console.error(`bench fleet: ${n} devices would not finish within --max-minutes ${maxMinutes}; stopping`);
      break;
    }
    const t0 = Date.now();
    let step: Step & { connectedAtMs?: number };
    try {
      const r = await runFleet({ spec: specFor(n, capMs, undefined), drainMs: 20_000, judgeMs: stepMs, workers, relayThread, bootSpreadMs: n * BOOT_SPREAD_PER_DEVICE_MS });
      step = judge(r, n, (Date.now() - t0) / 1000);
    } catch (e) {
      step = { devices: n, ok: false, why: (e as Error).message, deliveryRatio: NaN, p99Ms: NaN, perDeviceKiB: NaN, avgCores: NaN, steadyCores: NaN, wallS: (Date.now() - t0) / 1000, workers: NaN };
    }
    steps.push(step);
    console.error(
      `${String(n).padStart(6)} devices: ${step.ok ? "PASS" : "FAIL"}  delivery ${(step.deliveryRatio * 100).toFixed(3)} %  p99 ${step.p99Ms.toFixed(1)} ms  ` +
        `${step.perDeviceKiB.toFixed(0)} KiB/device  ${step.avgCores.toFixed(2)} cores (steady ${step.steadyCores.toFixed(2)}: ${((step.steadyCores * INTERVAL_MS) / n).toFixed(2)} ms CPU per device round)  ${step.workers} workers  all connected after ${((step.connectedAtMs ?? NaN) / 1000).toFixed(1)} s  (${step.wallS.toFixed(0)} s)${step.ok ? "" : `  — ${step.why}`}`,
    );
    if (!step.ok) break;
  }
  const best = steps.filter((s) => s.ok).pop() as (Step & { connectedAtMs: number }) | undefined;
  // The reconnect storm, in its own run at the largest passing size.
  let stormMs = NaN;
  if (best !== undefined) {
    try {
      const r = await runFleet({
        spec: specFor(best.devices, best.connectedAtMs + 10_000 + stormTailMs(best.devices), best.connectedAtMs + 10_000),
        drainMs: 20_000,
        workers,
        bootSpreadMs: best.devices * BOOT_SPREAD_PER_DEVICE_MS,
      });
      stormMs = r.reconnectStormMs[0] ?? NaN;
      const how = Number.isNaN(stormMs)
        ? `not all connected again by the end of the run, ${stormTailMs(best.devices) / 1000} s after the restart (${r.summary.connectedAtEnd} at the end)`
        : `connected again ${stormMs.toFixed(0)} ms after the relay came back`;
      console.error(`reconnect storm: ${best.devices} devices ${how} (delivery ${(r.summary.deliveryRatio * 100).toFixed(3)} %, lost ${r.summary.lost}; readings still journalled when the run ends count as lost here)`);
    } catch (e) {
      console.error(`reconnect storm: ${(e as Error).message}`);
    }
  }
  if (json) console.log(JSON.stringify({ steps, largestPassing: best?.devices ?? 0, reconnectStormMs: stormMs }, null, 2));
  else {
    console.log(best === undefined ? "no fleet size passed" : `largest fleet sustained: ${best.devices} devices (${best.perDeviceKiB.toFixed(0)} KiB heap per device; reconnect storm of all ${best.devices} devices ${Number.isNaN(stormMs) ? `not done within ${stormTailMs(best.devices) / 1000} s` : `${stormMs.toFixed(0)} ms`})`);
  }
  return 0;
}
