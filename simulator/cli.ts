/**
 * `tsense simulate` (and `npm start`): a fleet of virtual sensors running the real
 * firmware against a relay, with a station receiving and an MQTT bridge publishing.
 * The fleet comes from a spec file (--spec) and/or flags (simulator/spec); metrics,
 * assertions and the report from simulator/metrics and simulator/report.
 */
import { SIMULATE_USAGE, SpecError, formatMix, parseSimulateArgs, resolveSpec, totalDevices, type FleetSpec, type SimulateArgs } from "./spec/index";
import { ProgressLine, assertionExitCode, evaluateAssertions, formatSummary, parseAssertions, type Assertion } from "./metrics/index";
import { reportData, writeReport } from "./report/index";
import { runFleet, type FleetResult } from "./fleet/fleet";

const USAGE = `${SIMULATE_USAGE}
                      [--device-relay grp://…] (with an external smp:// relay)
Runs the fleet (default: 100 devices, 60 s, real time) against a relay (embedded unless
--relay), a station and an MQTT bridge (embedded aedes unless --mqtt), then waits for
queued readings and prints what was delivered and what was lost, and why. Exit 1 if an
--assert fails; --report DIR writes report.json and report.html; stepped runs print the
transcript hash (the same seed gives the same hash). Stepped runs keep every device in
the main thread (one event order); realtime and accelerated runs shard large fleets over
worker threads that share the fleet's virtual time.`;

function clockText(spec: FleetSpec): string {
  return spec.clock.mode === "accelerated" ? `accelerated ×${spec.clock.speed}` : spec.clock.mode;
}

/** Takes `--device-relay X` / `--device-relay=X` out of argv (the spec parser does not know it); `--duration 60` means 60 s. */
function takeDeviceRelay(argv: string[]): { rest: string[]; deviceRelay?: string } {
  const rest: string[] = [];
  let deviceRelay: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--device-relay") deviceRelay = argv[++i];
    else if (a.startsWith("--device-relay=")) deviceRelay = a.slice("--device-relay=".length);
    else if (a === "--duration" && /^[0-9]+(\.[0-9]+)?$/.test(argv[i + 1] ?? "")) {
      // A bare number is seconds (what `npm start` and the first version of this command pass).
      rest.push(a, `${argv[++i]}s`);
    } else if (/^--duration=[0-9]+(\.[0-9]+)?$/.test(a)) rest.push(`${a}s`);
    else rest.push(a);
  }
  if (deviceRelay !== undefined && !/^grp:\/\//.test(deviceRelay)) throw new Error(`--device-relay: expected grp://…, got ${JSON.stringify(deviceRelay)}`);
  return { rest, deviceRelay };
}

export async function main(argv: string[]): Promise<number> {
  let args: SimulateArgs;
  let spec: FleetSpec;
  let assertions: Assertion[] = [];
  let deviceRelay: string | undefined;
  try {
    const taken = takeDeviceRelay(argv);
    deviceRelay = taken.deviceRelay;
    args = parseSimulateArgs(taken.rest);
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    spec = resolveSpec(args);
    if (args.assert !== undefined) assertions = parseAssertions(args.assert);
  } catch (e) {
    const msg = e instanceof SpecError ? e.message : (e as Error).message;
    console.error(`tsense simulate: ${msg}\n${USAGE}`);
    return 2;
  }
  const quiet = args.quiet === true;
  const line = new ProgressLine(process.stderr);
  const startedAt = new Date().toISOString();
  if (!quiet) {
    console.error(
      `tsense simulate: ${totalDevices(spec)} devices, ${spec.durationMs / 1000} s, clock ${clockText(spec)}, seed ${JSON.stringify(spec.seed)}, ${spec.faults.length} fault rules`,
    );
  }
  let r: FleetResult;
  try {
    r = await runFleet({
      spec,
      deviceRelay,
      onProgress: quiet ? undefined : (s) => line.update(s),
      log: quiet ? undefined : (l) => console.error(l),
    });
  } catch (e) {
    line.done();
    console.error(`tsense simulate: ${(e as Error).message}`);
    return 1;
  }
  line.done();
  const evaluated = assertions.length > 0 ? evaluateAssertions(assertions, r.summary) : undefined;
  if (args.json) console.log(JSON.stringify({ summary: r.summary, transcriptHash: r.transcriptHash, faults: r.faults, mqtt: r.mqtt, assertions: evaluated }, null, 2));
  else {
    console.log(formatSummary(r.summary));
    console.log(`mqtt         ${r.mqtt.states} state messages, ${r.mqtt.discovery} Home Assistant discovery configs`);
    const faults = Object.entries(r.faults).map(([k, n]) => `${k} ${n}`).join(", ");
    if (faults) console.log(`faults       ${faults}`);
    if (spec.clock.mode === "stepped") console.log(`transcript   ${r.transcriptHash}`);
    for (const a of evaluated?.results ?? []) console.log(a.message);
  }
  if (args.report !== undefined) {
    const run = {
      seed: spec.seed,
      clock: clockText(spec),
      relay: spec.relay.kind === "embedded" ? "embedded" : spec.relay.url,
      mqtt: spec.mqtt.kind === "external" ? spec.mqtt.url : spec.mqtt.kind,
      mix: formatMix(spec.mix),
      transcriptHash: spec.clock.mode === "stepped" ? r.transcriptHash : undefined,
      startedAt,
      command: `tsense simulate ${argv.join(" ")}`.trim(),
    };
    const out = writeReport(args.report, reportData(run, r.summary, r.series, { assertions: evaluated, faults: r.faults }));
    if (!quiet) console.error(`report: ${out.html}`);
  }
  return assertionExitCode(evaluated);
}
