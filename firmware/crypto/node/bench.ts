/**
 * `tsense bench crypto` (`npm run bench -- crypto`): throughput of every primitive on every
 * provider, measured in one run so the ratios are fair: portable, noble and native
 * (node:crypto) on Node, and the portable provider inside the Lua build (lua5.3 when on
 * PATH, else wasmoon; TSENSE_LUA forces one). Prints one table with each value's ratio
 * to node:crypto where Node has the primitive, then the goals and whether they are met.
 *
 * Options: --quick (short runs, for smoke tests), --only <name,…> (workload names or
 * families), --no-lua, --espruino (add a column for the portable provider on a real
 * Espruino named by TSENSE_ESPRUINO; minutes: curve operations take seconds there),
 * --json FILE, --update-doc (rewrite the "Crypto" section of docs/performance.md,
 * --doc FILE to write elsewhere).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchWorkloads, measure, type BenchOp, type Workload } from "../bench-workloads";
import { getProvider } from "./providers";
import { nativePrimitives } from "./native";
import { ensureLuaBundle } from "../../targets/lua/build";
import { ensureEspruinoBundle } from "../../targets/espruino/build";
import { realEspruinoBinary, runOnRealEspruino } from "../../targets/espruino/node/real-espruino";
import { chooseLuaRuntime, runLuaBundle } from "../../targets/lua/node/lua-runner";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const NODE_PROVIDERS = ["native", "noble", "portable"] as const;
const GOAL_PORTABLE_VS_NOBLE = 3;
const GOAL_X25519_LUA_MS = 80;
const ROUNDS = 3;

const USAGE = `usage: tsense bench crypto [--quick] [--only name,...] [--no-lua] [--espruino] [--json FILE] [--update-doc] [--doc FILE]`;

/** A measured rate (ops/s or bytes/s), or why there is none. */
export interface Cell {
  rate?: number;
  na?: string;
}

export interface Row {
  name: string;
  family: string;
  unit: "MB/s" | "op/s";
  /** node:crypto really does this primitive (else `native` is noble underneath and not shown). */
  nativeReal: boolean;
  cells: Record<string, Cell>;
}

export interface BenchResult {
  date: string;
  machine: string;
  node: string;
  luaRuntime: string;
  quick: boolean;
  columns: string[];
  rows: Row[];
  goals: { goal: string; met: boolean; detail: string }[];
}

function naReason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return /not implemented/i.test(m) ? "not implemented" : m.split("\n")[0].slice(0, 80);
}

function rateOf(w: Workload, iterations: number, seconds: number): number {
  const perSecond = iterations / seconds;
  return w.bytes > 0 ? (perSecond * w.bytes) / 1e6 : perSecond;
}

/** One timed run of w on a provider; the op is prepared once per provider (setup may throw). */
function measureNode(w: Workload, provider: string, budget: number, ops: Map<string, BenchOp | Cell>): Cell {
  let op = ops.get(provider);
  if (op === undefined) {
    try {
      op = w.setup(getProvider(provider));
    } catch (e) {
      op = { na: naReason(e) };
    }
    ops.set(provider, op);
  }
  if (typeof op !== "function") return op;
  try {
    const m = measure(op, budget, () => performance.now() / 1000);
    return { rate: rateOf(w, m.iterations, m.seconds) };
  } catch (e) {
    return { na: naReason(e) };
  }
}

/** Parses the `result`/`na` lines that the Lua and Espruino bench entries print. */
function parseBenchLines(lines: string[], workloads: Workload[], cells: Map<string, Cell>): void {
  for (const line of lines) {
    const ok = /^result (.+) (\d+) (\d+)$/.exec(line);
    const na = /^na (.+?): (.*)$/.exec(line);
    if (ok) {
      const w = workloads.find((x) => x.name === ok[1]);
      if (w) cells.set(w.name, { rate: rateOf(w, Number(ok[2]), Number(ok[3]) / 1e6) });
    } else if (na) {
      cells.set(na[1], { na: naReason(new Error(na[2])) });
    }
  }
}

async function measureEspruino(workloads: Workload[], budget: number): Promise<{ runtime: string; cells: Map<string, Cell> }> {
  const cells = new Map<string, Cell>();
  const binary = realEspruinoBinary();
  if (binary === undefined) throw new Error("--espruino needs TSENSE_ESPRUINO=/path/to/espruino (a Linux build)");
  const bundle = readFileSync(await ensureEspruinoBundle("bench"), "latin1");
  const names = workloads.map((w) => w.name).join(",");
  const run = await runOnRealEspruino(binary, `${bundle}\ntsenseBench(${Math.round(budget * 1000)}, ${JSON.stringify(names)});`, 3_600_000);
  parseBenchLines(run.lines, workloads, cells);
  for (const w of workloads) if (!cells.has(w.name)) cells.set(w.name, { na: run.lines.slice(-1)[0] ?? "no result" });
  return { runtime: run.runtime, cells };
}

async function measureLua(workloads: Workload[], budget: number): Promise<{ runtime: string; cells: Map<string, Cell> }> {
  const cells = new Map<string, Cell>();
  let runtimeName: string;
  try {
    const runtime = chooseLuaRuntime();
    const bundle = ensureLuaBundle("bench");
    const names = workloads.map((w) => w.name).join(",");
    const run = await runLuaBundle(bundle, { args: [String(Math.round(budget * 1000)), names] }, runtime);
    runtimeName = run.runtime;
    parseBenchLines(run.lines, workloads, cells);
  } catch (e) {
    runtimeName = "lua (failed)";
    for (const w of workloads) cells.set(w.name, { na: naReason(e) });
  }
  return { runtime: runtimeName, cells };
}

function fmt(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function cellText(row: Row, col: string): string {
  const c = row.cells[col];
  if (c === undefined) return "";
  if (c.rate === undefined) return `n/a (${c.na})`;
  const base = row.cells.native?.rate;
  const ratio = row.nativeReal && base !== undefined && col !== "native" ? ` (${fmt(c.rate / base)}×)` : "";
  return `${fmt(c.rate)}${ratio}`;
}

function table(result: BenchResult): string {
  const header = ["primitive", "unit", ...result.columns];
  const lines = [header, header.map(() => "---")];
  for (const row of result.rows) {
    lines.push([row.name, row.unit, ...result.columns.map((c) => (c === "native" && !row.nativeReal ? "— (no node:crypto)" : cellText(row, c)))]);
  }
  return lines.map((l) => `| ${l.join(" | ")} |`).join("\n");
}

function goals(rows: Row[], luaColumn: string | undefined, luaRuntime: string): BenchResult["goals"] {
  const slow: string[] = [];
  const missing: string[] = [];
  for (const r of rows) {
    const p = r.cells.portable?.rate;
    const n = r.cells.noble?.rate;
    if (p === undefined || n === undefined) missing.push(r.name);
    else if (n / p > GOAL_PORTABLE_VS_NOBLE) slow.push(`${r.name} ${fmt(n / p)}× slower`);
  }
  const out: BenchResult["goals"] = [
    {
      goal: `portable on node within ${GOAL_PORTABLE_VS_NOBLE}× of noble for every primitive`,
      met: slow.length === 0 && missing.length === 0,
      detail: [slow.length ? `too slow: ${slow.join(", ")}` : "", missing.length ? `not measured: ${missing.join(", ")}` : ""]
        .filter(Boolean)
        .join("; ") || "all within",
    },
  ];
  const x = rows.find((r) => r.family === "x25519");
  const rate = luaColumn === undefined ? undefined : x?.cells[luaColumn]?.rate;
  const ms = rate === undefined ? undefined : 1000 / rate;
  const onLua53 = luaRuntime.startsWith("lua5.3");
  out.push({
    goal: `X25519 on lua5.3 under ${GOAL_X25519_LUA_MS} ms`,
    met: onLua53 && ms !== undefined && ms < GOAL_X25519_LUA_MS,
    detail: ms === undefined ? "not measured" : `${fmt(ms)} ms on ${luaRuntime}${onLua53 ? "" : " (not lua5.3)"}`,
  });
  return out;
}

function machine(): string {
  const c = cpus();
  const load = loadavg()[0].toFixed(1);
  return `${c.length} cores (${c[0]?.model.trim() ?? "unknown CPU"}), load average ${load} at the start`;
}

function docSection(r: BenchResult): string {
  const espruino = r.columns.some((c) => c.includes("espruino"));
  const goalLines = r.goals.map((g) => `- ${g.met ? "met" : "**not met**"}: ${g.goal} (${g.detail})`).join("\n");
  return `## Crypto

\`npm run bench -- crypto --update-doc${espruino ? " --espruino" : ""}\` on ${r.date}: ${r.machine}, Node ${r.node}, Lua column on ${r.luaRuntime}.${espruino ? `
The Espruino column is a Linux build of Espruino on this same CPU (TSENSE_ESPRUINO); an
ESP32-S3 runs interpreter loops roughly 20× slower still.` : ""}
MB/s for 1 KiB messages, op/s otherwise, best of ${ROUNDS} alternating rounds per provider on
Node; in brackets the ratio to node:crypto measured in the same run (1 = as fast as
OpenSSL). "— (no node:crypto)" rows have no native implementation on Node 20 (the native
provider falls back to noble there). The machine is shared: single cells move by tens of
percent between runs; compare ratios within one table.

${table(r)}

Goals:
${goalLines}
`;
}

function updateDoc(path: string, r: BenchResult): void {
  const section = docSection(r);
  let text = existsSync(path)
    ? readFileSync(path, "utf8")
    : `# Performance\n\nMeasured numbers, each section written by its benchmark (\`npm run bench -- <name>\`).\nFirst written ${r.date} on ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${r.node}, ${r.luaRuntime}.\n\n`;
  const start = text.indexOf("## Crypto\n");
  if (start < 0) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    const next = text.indexOf("\n## ", start + 1);
    text = text.slice(0, start) + section + (next < 0 ? "" : text.slice(next));
  }
  writeFileSync(path, text);
}

export async function runCryptoBench(opts: { quick: boolean; only?: string[]; lua: boolean; espruino?: boolean; log?: (s: string) => void }): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const machineText = machine();
  const all = benchWorkloads();
  const workloads = opts.only ? all.filter((w) => opts.only?.includes(w.name) || opts.only?.includes(w.family)) : all;
  if (workloads.length === 0) {
    throw new Error(`no workload matches --only ${opts.only?.join(",")} (names: ${all.map((w) => w.name).join(", ")})`);
  }
  const budget = opts.quick ? 0.02 : 0.9;
  const rows: Row[] = workloads.map((w) => ({
    name: w.name,
    family: w.family,
    unit: w.bytes > 0 ? "MB/s" : "op/s",
    nativeReal: nativePrimitives.includes(w.family),
    cells: {},
  }));
  // Rounds alternate the providers and keep each one's best rate, so a burst of load from
  // elsewhere on the machine skews one round, not the ratios.
  const rounds = opts.quick ? 1 : ROUNDS;
  for (const [i, w] of workloads.entries()) {
    const ops = new Map<string, BenchOp | Cell>();
    for (let round = 0; round < rounds; round++) {
      for (const p of NODE_PROVIDERS) {
        const cell = measureNode(w, p, budget / rounds, ops);
        const best = rows[i].cells[p];
        if (best === undefined || (cell.rate ?? -1) > (best.rate ?? -1)) rows[i].cells[p] = cell;
      }
    }
    log(`  ${w.name}: done on node`);
  }
  const columns: string[] = [...NODE_PROVIDERS];
  let luaRuntime = "not run";
  if (opts.lua) {
    const lua = await measureLua(workloads, opts.quick ? 0.05 : 1);
    luaRuntime = lua.runtime;
    const col = `portable on ${lua.runtime}`;
    columns.push(col);
    rows.forEach((r) => (r.cells[col] = lua.cells.get(r.name) ?? { na: "no result" }));
  }
  const luaColumn = opts.lua ? columns[columns.length - 1] : undefined;
  if (opts.espruino) {
    log("  running on Espruino (slow)…");
    const esp = await measureEspruino(workloads, opts.quick ? 0.05 : 2);
    const col = `portable on ${esp.runtime}`;
    columns.push(col);
    rows.forEach((r) => (r.cells[col] = esp.cells.get(r.name) ?? { na: "no result" }));
  }
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: machineText,
    node: process.version,
    luaRuntime,
    quick: opts.quick,
    columns,
    rows,
    goals: goals(rows, luaColumn, luaRuntime),
  };
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        "no-lua": { type: "boolean", default: false },
        espruino: { type: "boolean", default: false },
        json: { type: "string" },
        "update-doc": { type: "boolean", default: false },
        doc: { type: "string", default: join(ROOT, "docs", "performance.md") },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    console.error(`tsense bench crypto: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let result: BenchResult;
  try {
    result = await runCryptoBench({
      quick: values.quick,
      only: values.only?.split(",").map((s) => s.trim()),
      lua: !values["no-lua"],
      espruino: values.espruino,
      log: (s) => console.error(s),
    });
  } catch (e) {
    console.error(`tsense bench crypto: ${(e as Error).message}`);
    return 2;
  }
  console.log(`crypto bench ${result.date}: ${result.machine}, node ${result.node}, lua ${result.luaRuntime}${result.quick ? " (quick)" : ""}\n`);
  console.log(table(result));
  console.log("");
  for (const g of result.goals) console.log(`${g.met ? "MET    " : "NOT MET"}  ${g.goal}: ${g.detail}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
  if (values["update-doc"]) {
    updateDoc(values.doc, result);
    console.log(`\nwrote the Crypto section of ${values.doc}`);
  }
  return 0;
}
