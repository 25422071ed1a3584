/**
 * `tsense simulate` (and `npm start`): a fleet of virtual sensors running the real
 * firmware against a relay, with a station receiving and an MQTT bridge publishing.
 */
import { parseArgs } from "node:util";
import { runFleet, type FleetProgress, type FleetResult } from "./fleet/fleet";

const USAGE = `usage: tsense simulate [--devices N] [--duration S] [--interval S] [--seed TEXT] [--board ID]
                       [--relay smp://… --device-relay grp://…] [--mqtt embedded|off|mqtt://host:port]
                       [--assert 'delivery>=0.999,p99<250ms'] [--json]
Runs N virtual devices (the real firmware on simulated hardware) against a relay (embedded
unless --relay), a station and an MQTT bridge (embedded aedes unless --mqtt), for S seconds,
then waits for queued readings and prints what was delivered. Exit 1 if an --assert fails.`;

interface Assertion {
  metric: string;
  op: string;
  value: number;
  text: string;
}

export function parseAssertions(s: string): Assertion[] {
  return s.split(",").map((part) => {
    const m = /^\s*(delivery|p50|p95|p99|lost|duplicates)\s*(>=|<=|<|>|==)\s*([\d.]+)\s*(ms)?\s*$/.exec(part);
    if (!m) throw new Error(`--assert: cannot read '${part.trim()}' (e.g. delivery>=0.999, p99<250ms, lost==0)`);
    return { metric: m[1], op: m[2], value: Number(m[3]), text: part.trim() };
  });
}

function metricOf(r: FleetResult, metric: string): number {
  switch (metric) {
    case "delivery": return r.deliveryRatio;
    case "p50": return r.latencyMs.p50;
    case "p95": return r.latencyMs.p95;
    case "p99": return r.latencyMs.p99;
    case "lost": return r.lost;
    default: return r.duplicates;
  }
}

function holds(v: number, op: string, limit: number): boolean {
  return op === ">=" ? v >= limit : op === "<=" ? v <= limit : op === "<" ? v < limit : op === ">" ? v > limit : v === limit;
}

function positive(name: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${v}'`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  let o;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        devices: { type: "string" }, duration: { type: "string" }, interval: { type: "string" }, seed: { type: "string", default: "tsense" },
        board: { type: "string", default: "seeed-xiao-esp32s3-sense" }, relay: { type: "string" }, "device-relay": { type: "string" },
        mqtt: { type: "string", default: "embedded" }, assert: { type: "string" }, json: { type: "boolean", default: false },
        drain: { type: "string" }, help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    o = {
      devices: Math.floor(positive("devices", values.devices, 100)),
      durationS: positive("duration", values.duration, 60),
      intervalS: positive("interval", values.interval, 5),
      drainS: positive("drain", values.drain, 20),
      seed: values.seed,
      board: values.board,
      relay: values.relay,
      deviceRelay: values["device-relay"],
      mqtt: values.mqtt,
      json: values.json,
      assertions: values.assert ? parseAssertions(values.assert) : [],
    };
  } catch (e) {
    console.error(`tsense simulate: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const tty = process.stderr.isTTY;
  const onProgress = (p: FleetProgress) => {
    const line = `[${p.elapsedS.toFixed(0).padStart(4)} s] devices ${p.connected}/${p.devices} connected · readings sent ${p.sent} · delivered ${p.delivered} · p99 ${p.p99Ms.toFixed(0)} ms`;
    if (tty) process.stderr.write(`\r${line}\x1b[K`);
    else process.stderr.write(line + "\n");
  };
  console.error(`tsense simulate: ${o.devices} devices, ${o.durationS} s, one reading round every ${o.intervalS} s, board ${o.board}`);
  let r: FleetResult;
  try {
    r = await runFleet({ ...o, onProgress, log: (l) => console.error(l) });
  } catch (e) {
    console.error(`\ntsense simulate: ${(e as Error).message}`);
    return 1;
  }
  if (tty) process.stderr.write("\n");
  if (o.json) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(
      [
        `devices         ${r.devices} (${r.connected} connected at the end)`,
        `readings        ${r.expected} taken before the cut-off; ${r.delivered} delivered, ${r.dropped} dropped by devices (journal full), ${r.lost} lost, ${r.duplicates} duplicates`,
        `delivery        ${(r.deliveryRatio * 100).toFixed(2)} %`,
        `latency         p50 ${r.latencyMs.p50} ms · p95 ${r.latencyMs.p95} ms · p99 ${r.latencyMs.p99} ms · max ${r.latencyMs.max} ms`,
        `links           ${r.linkLosses} link losses · ${r.errors} device errors`,
        `mqtt            ${r.mqttStates} state messages, ${r.mqttDiscovery} Home Assistant discovery configs`,
        `resources       ${r.memoryPerDeviceKb.toFixed(0)} KiB heap per device · ${r.cpuSeconds.toFixed(1)} s CPU in ${r.wallSeconds.toFixed(1)} s`,
      ].join("\n"),
    );
  }
  let failed = false;
  for (const a of o.assertions) {
    const v = metricOf(r, a.metric);
    const ok = holds(v, a.op, a.value);
    if (!ok) failed = true;
    console.log(`${ok ? "ok  " : "FAIL"} ${a.text} (${a.metric} = ${v})`);
  }
  return failed ? 1 : 0;
}
