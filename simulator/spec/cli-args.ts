/**
 * `tsense simulate` flags. A spec file (--spec) is read first; the flags then override it:
 *   --devices N   total devices (one template: its count; several: scaled, largest remainder)
 *   --duration D  e.g. 60s, 10m
 *   --speed S     1 = realtime, >1 accelerated, "max" or "stepped" = stepped (as fast as possible)
 *   --clock M     realtime | stepped | accelerated (with --speed)
 *   --seed S      any string
 *   --relay R     embedded | smp://… | grp://…
 *   --mqtt M      embedded | off | mqtt://host:port
 *   --mix M       lua=5%,espruino=2%
 *   --assert A    delivery>=0.999,p99<250ms (evaluated by metrics/assertions.ts)
 *   --report DIR  write report.json and report.html there
 * Both `--flag value` and `--flag=value` work.
 */
import { parseDuration } from "./duration";
import { parseMix } from "./mix";
import { type FleetSpec, SpecError, type SpecOptions, checkSpec, defaultSpec, loadSpecFile, mqttOf, relayOf, totalDevices } from "./fleet-spec";

export interface SimulateArgs {
  spec?: string;
  devices?: number;
  durationMs?: number;
  /** "stepped" or a speed (1 = realtime). */
  speed?: number | "stepped";
  clock?: "realtime" | "stepped" | "accelerated";
  seed?: string;
  relay?: string;
  mqtt?: string;
  mix?: string;
  assert?: string;
  report?: string;
  help?: boolean;
  quiet?: boolean;
  json?: boolean;
  workers?: number | "auto";
}

const VALUE_FLAGS = ["spec", "devices", "duration", "speed", "clock", "seed", "relay", "mqtt", "mix", "assert", "report", "workers"] as const;
const BOOL_FLAGS = ["help", "quiet", "json"] as const;

export const SIMULATE_USAGE = `usage: tsense simulate [--spec fleet.yaml] [--devices N] [--duration 60s] [--speed 60|max]
                      [--clock realtime|accelerated|stepped] [--seed S] [--relay embedded|smp://…|grp://…]
                      [--mqtt embedded|off|mqtt://host:port] [--mix lua=5%,espruino=2%]
                      [--assert 'delivery>=0.999,p99<250ms'] [--report out/] [--quiet] [--json]
                      [--workers N|auto]`;

/** Parses argv (without the subcommand). Throws Error with one line per problem. */
export function parseSimulateArgs(argv: string[]): SimulateArgs {
  const out: SimulateArgs = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h") {
      out.help = true;
      continue;
    }
    if (!a.startsWith("--")) {
      problems.push(`unexpected argument ${JSON.stringify(a)}`);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if ((BOOL_FLAGS as readonly string[]).includes(name)) {
      if (eq >= 0) problems.push(`--${name} takes no value`);
      else out[name as (typeof BOOL_FLAGS)[number]] = true;
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
    if (value === undefined || value === "") {
      problems.push(`--${name}: needs a value`);
      continue;
    }
    const problem = setFlag(out, name as (typeof VALUE_FLAGS)[number], value);
    if (problem !== undefined) problems.push(`--${name}: ${problem}`);
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return out;
}

function setFlag(out: SimulateArgs, name: (typeof VALUE_FLAGS)[number], v: string): string | undefined {
  switch (name) {
    case "devices": {
      if (!/^[0-9]+$/.test(v) || Number(v) < 1) return `expected a whole number of devices >= 1, got ${JSON.stringify(v)}`;
      out.devices = Number(v);
      return;
    }
    case "duration": {
      const ms = parseDuration(v);
      if (ms === undefined || !(ms > 0)) return `expected a duration like "60s" or "10m", got ${JSON.stringify(v)}`;
      out.durationMs = ms;
      return;
    }
    case "speed": {
      if (v === "max" || v === "stepped") {
        out.speed = "stepped";
        return;
      }
      const s = Number(v.replace(/x$/, ""));
      if (!/^[0-9]+(\.[0-9]+)?x?$/.test(v) || !(s > 0)) return `expected a speed factor like 60, or "max", got ${JSON.stringify(v)}`;
      out.speed = s;
      return;
    }
    case "clock": {
      if (v !== "realtime" && v !== "stepped" && v !== "accelerated") return `expected realtime, accelerated or stepped, got ${JSON.stringify(v)}`;
      out.clock = v;
      return;
    }
    case "mix":
      try {
        parseMix(v);
      } catch (e) {
        return (e as Error).message.replace(/^mix: /, "");
      }
      out.mix = v;
      return;
    case "workers":
      if (v !== "auto" && !/^[0-9]+$/.test(v)) return `expected a whole number of worker threads or "auto", got ${JSON.stringify(v)}`;
      out.workers = v === "auto" ? "auto" : Number(v);
      return;
    case "relay":
      try {
        relayOf(v);
      } catch (e) {
        return (e as Error).message.replace(/^relay: /, "");
      }
      out.relay = v;
      return;
    case "mqtt":
      try {
        mqttOf(v);
      } catch (e) {
        return (e as Error).message.replace(/^mqtt: /, "");
      }
      out.mqtt = v;
      return;
    default:
      out[name] = v;
      return;
  }
}

/**
 * The spec to run: the --spec file (or the defaults) with the flags applied, checked again.
 * Throws SpecError (spec problems) or Error (flag problems).
 */
export function resolveSpec(args: SimulateArgs, options: SpecOptions = {}): FleetSpec {
  const spec = args.spec === undefined ? defaultSpec() : loadSpecFile(args.spec, options);
  applyOverrides(spec, args);
  const problems = checkSpec(spec, options);
  if (problems.length > 0) throw new SpecError(args.spec ?? "flags", problems);
  return spec;
}

/** Applies flag overrides in place. */
export function applyOverrides(spec: FleetSpec, args: SimulateArgs): FleetSpec {
  if (args.seed !== undefined) spec.seed = args.seed;
  if (args.durationMs !== undefined) spec.durationMs = args.durationMs;
  if (args.relay !== undefined) spec.relay = relayOf(args.relay);
  if (args.mqtt !== undefined) spec.mqtt = mqttOf(args.mqtt);
  if (args.mix !== undefined) spec.mix = parseMix(args.mix);
  if (args.devices !== undefined) scaleDevices(spec, args.devices);
  if (args.workers !== undefined) spec.workers = args.workers;
  const speed = args.speed;
  if (args.clock === "stepped" || speed === "stepped") {
    spec.clock = { mode: "stepped" };
  } else if (speed !== undefined) {
    spec.clock = speed === 1 && args.clock !== "accelerated" ? { mode: "realtime" } : { mode: "accelerated", speed };
  } else if (args.clock === "realtime") {
    spec.clock = { mode: "realtime" };
  } else if (args.clock === "accelerated") {
    if (spec.clock.mode !== "accelerated") throw new Error("--clock accelerated: give the factor with --speed, e.g. --speed 60");
  }
  return spec;
}

/** Sets the fleet's total; several templates keep their proportions (largest remainder). */
export function scaleDevices(spec: FleetSpec, total: number): void {
  const current = totalDevices(spec);
  if (spec.devices.length === 1 || current === 0) {
    spec.devices.forEach((t, i) => (t.count = i === 0 ? total : 0));
    return;
  }
  const exact = spec.devices.map((t) => (t.count * total) / current);
  const counts = exact.map((x) => Math.floor(x));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    counts[i]++;
    left--;
  }
  spec.devices.forEach((t, i) => (t.count = counts[i]));
}
