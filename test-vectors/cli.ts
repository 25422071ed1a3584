/**
 * `tsense vectors <file…> --target node|lua|espruino [--provider …] [--verbose] [--json]`:
 * runs any vector file of the tsense-vectors/1 format and prints `N passed, N failed`.
 */
import { parseArgs } from "node:util";
import { loadVectorFile, toWire, VectorFileError } from "./runner/node/vector-file";
import { runOnTarget, TARGETS, type Target } from "./runner/node/targets";
import { PROVIDER_NAMES } from "../firmware/crypto/node/providers";

const USAGE = `usage: tsense vectors <file.json…> [--target node|lua|espruino] [--provider portable|noble|native|all]
                      [--verbose] [--json]
Runs known-answer vector files; exits 1 when any case fails, 2 on bad usage or a bad file.`;

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        target: { type: "string", default: "node" },
        provider: { type: "string", default: "portable" },
        verbose: { type: "boolean", short: "v", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    console.error(`tsense vectors: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    console.error(`tsense vectors: no vector file given\n${USAGE}`);
    return 2;
  }
  const target = values.target as Target;
  if (!TARGETS.includes(target)) {
    console.error(`tsense vectors: unknown target '${values.target}' (choose one of: ${TARGETS.join(", ")})`);
    return 2;
  }
  const providers = values.provider === "all" ? [...PROVIDER_NAMES] : [values.provider];
  for (const p of providers) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(p)) {
      console.error(`tsense vectors: unknown provider '${p}' (choose one of: ${PROVIDER_NAMES.join(", ")}, all)`);
      return 2;
    }
    if (target !== "node" && p !== "portable") {
      console.error(`tsense vectors: target ${target} has only the portable provider`);
      return 2;
    }
  }
  let passed = 0;
  let failed = 0;
  const report: { file: string; provider: string; runtime: string; cases: { id: string; ok: boolean; why?: string }[] }[] = [];
  for (const path of positionals) {
    let wire: string;
    try {
      wire = toWire(loadVectorFile(path));
    } catch (e) {
      if (e instanceof VectorFileError) {
        console.error(`tsense vectors: ${e.message}`);
        return 2;
      }
      throw e;
    }
    for (const provider of providers) {
      const run = await runOnTarget(target, provider, wire);
      const entry = { file: path, provider, runtime: run.runtime, cases: [] as { id: string; ok: boolean; why?: string }[] };
      let fp = 0;
      let ff = 0;
      for (const line of run.lines) {
        if (line.startsWith("pass ")) {
          fp++;
          entry.cases.push({ id: line.slice(5), ok: true });
          if (values.verbose && !values.json) console.log(`  ok    ${line.slice(5)}`);
        } else if (line.startsWith("fail ")) {
          ff++;
          const rest = line.slice(5);
          const colon = rest.indexOf(": ");
          entry.cases.push({ id: rest.slice(0, colon), ok: false, why: rest.slice(colon + 2) });
          if (!values.json) console.log(`  FAIL  ${rest}`);
        }
      }
      if (!values.json) console.log(`${path} [${target}/${provider}, ${run.runtime}]: ${fp} passed, ${ff} failed`);
      passed += fp;
      failed += ff;
      report.push(entry);
    }
  }
  if (values.json) {
    console.log(JSON.stringify({ passed, failed, runs: report }, null, 2));
  } else {
    console.log(`${passed} passed, ${failed} failed`);
  }
  return failed === 0 && passed > 0 ? 0 : 1;
}
