/**
 * `--assert 'delivery>=0.999,p99<250ms'`: comma-separated conditions on the summary; the
 * run's exit code is 1 when any fails. Metrics and their units:
 *   delivery                     ratio: 0.999 or 99.9%
 *   p50 p95 p99 max mean         latency; ms (default), s
 *   handshakeP99 handshakeMax    handshake time; ms, s
 *   maxGap                       longest delivery gap of a device; ms, s, m
 *   sent delivered lost duplicates outOfOrder unknown reconnects handshakes decryptFailures connectedAtEnd   counts
 *   memoryPerDevice rss          bytes; B, KB, MB, KiB, MiB (KB = 1000 B)
 *   cpu                          average cores busy
 * Operators: >= <= > < == !=
 */
import type { Summary } from "./collector";

type Unit = "ratio" | "ms" | "count" | "bytes" | "cores";

const METRICS: Record<string, { unit: Unit; get: (s: Summary) => number }> = {
  delivery: { unit: "ratio", get: (s) => s.deliveryRatio },
  p50: { unit: "ms", get: (s) => s.latencyMs.p50 },
  p95: { unit: "ms", get: (s) => s.latencyMs.p95 },
  p99: { unit: "ms", get: (s) => s.latencyMs.p99 },
  max: { unit: "ms", get: (s) => s.latencyMs.max },
  mean: { unit: "ms", get: (s) => s.latencyMs.mean },
  handshakeP99: { unit: "ms", get: (s) => s.handshakeMs.p99 },
  handshakeMax: { unit: "ms", get: (s) => s.handshakeMs.max },
  maxGap: { unit: "ms", get: (s) => s.maxDeliveryGapMs },
  sent: { unit: "count", get: (s) => s.sent },
  delivered: { unit: "count", get: (s) => s.delivered },
  lost: { unit: "count", get: (s) => s.lost },
  duplicates: { unit: "count", get: (s) => s.duplicates },
  outOfOrder: { unit: "count", get: (s) => s.outOfOrder },
  unknown: { unit: "count", get: (s) => s.unknown },
  reconnects: { unit: "count", get: (s) => s.reconnects },
  handshakes: { unit: "count", get: (s) => s.handshakes },
  decryptFailures: { unit: "count", get: (s) => s.decryptFailures },
  connectedAtEnd: { unit: "count", get: (s) => s.connectedAtEnd },
  memoryPerDevice: { unit: "bytes", get: (s) => s.memory.perDeviceBytes },
  rss: { unit: "bytes", get: (s) => s.memory.rssBytes },
  cpu: { unit: "cores", get: (s) => s.cpu.avgCores },
};

const SUFFIX: Record<Unit, Record<string, number>> = {
  ratio: { "": 1, "%": 0.01 },
  ms: { "": 1, ms: 1, s: 1000, m: 60_000 },
  count: { "": 1 },
  bytes: { "": 1, b: 1, kb: 1000, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 * 1024, gib: 1024 ** 3 },
  cores: { "": 1 },
};

type Op = ">=" | "<=" | "==" | "!=" | ">" | "<";

export interface Assertion {
  text: string;
  metric: string;
  op: Op;
  /** In the metric's base unit (ratio, ms, count, bytes, cores). */
  value: number;
}

export interface AssertionResult extends Assertion {
  actual: number;
  pass: boolean;
  /** e.g. "PASS p99<250ms (actual 41.2 ms)". */
  message: string;
}

/** Parses the --assert text. Throws one line per bad condition. */
export function parseAssertions(text: string): Assertion[] {
  const out: Assertion[] = [];
  const problems: string[] = [];
  for (const raw of text.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const m = /^([A-Za-z][A-Za-z0-9]*)\s*(>=|<=|==|!=|>|<|=)\s*(-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?)\s*([A-Za-z%]*)$/.exec(part);
    if (m === null) {
      problems.push(`--assert: cannot read ${JSON.stringify(part)}; expected <metric><op><value>, e.g. "p99<250ms"`);
      continue;
    }
    const metric = METRICS[m[1]];
    if (metric === undefined) {
      problems.push(`--assert: unknown metric ${JSON.stringify(m[1])} (known: ${Object.keys(METRICS).join(", ")})`);
      continue;
    }
    const factor = SUFFIX[metric.unit][m[4].toLowerCase()];
    if (factor === undefined) {
      const units = Object.keys(SUFFIX[metric.unit]).filter((u) => u !== "");
      problems.push(`--assert: ${m[1]} does not take unit ${JSON.stringify(m[4])}${units.length > 0 ? ` (use ${units.join(", ")} or none)` : " (it is a plain number)"}`);
      continue;
    }
    out.push({ text: part, metric: m[1], op: (m[2] === "=" ? "==" : m[2]) as Op, value: Number(m[3]) * factor });
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  if (out.length === 0) throw new Error("--assert: no conditions given");
  return out;
}

export function evaluateAssertions(assertions: Assertion[], summary: Summary): { ok: boolean; results: AssertionResult[] } {
  const results = assertions.map((a) => {
    const def = METRICS[a.metric];
    const actual = def.get(summary);
    const pass = compare(actual, a.op, a.value);
    return { ...a, actual, pass, message: `${pass ? "PASS" : "FAIL"} ${a.text} (actual ${formatValue(actual, def.unit)})` };
  });
  return { ok: results.every((r) => r.pass), results };
}

/** Exit code for a run: 0 when every assertion holds (or none were given), 1 otherwise. */
export function assertionExitCode(results: { ok: boolean } | undefined): number {
  return results === undefined || results.ok ? 0 : 1;
}

function compare(a: number, op: Op, b: number): boolean {
  // NaN (no samples) fails every comparison except !=.
  switch (op) {
    case ">=":
      return a >= b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case "<":
      return a < b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
}

function formatValue(v: number, unit: Unit): string {
  if (Number.isNaN(v)) return "none (no samples)";
  switch (unit) {
    case "ratio":
      return `${(v * 100).toFixed(3)}%`;
    case "ms":
      return `${v.toFixed(1)} ms`;
    case "bytes":
      return `${(v / 1024).toFixed(1)} KiB`;
    case "cores":
      return v.toFixed(2);
    default:
      return String(v);
  }
}
