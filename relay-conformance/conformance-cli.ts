/** `tsense conformance <smp://address>`: runs the catalogue against any relay. */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { getProvider } from "../firmware/crypto/node/providers";
import { CATALOGUE } from "./conformance/cases";
import { json, junit, summaryLine, totals } from "./conformance/report";
import { runCases } from "./conformance/runner";
import { SmpTransport } from "./conformance/smp-transport";
import { GrpTransport } from "./conformance/grp/grp-transport";
import { GRP_CASES } from "./conformance/grp/grp-cases";

const USAGE = `usage: tsense conformance <smp://keyHash@host[:port] | grp://staticKey@host:port> [options]

  --only IDS        comma-separated case ids or prefixes (e.g. syntax.*,cmd.new)
  --skip IDS        comma-separated case ids or prefixes to skip
  --junit FILE      write JUnit XML
  --json FILE       write JSON
  --list            list the cases and exit
  --quota-limit N   give up looking for ERR QUOTA after N messages (default 1000)
  --timeout MS      per-case timeout (default 30000)
  --provider NAME   crypto provider (default native)`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true,
      options: { only: { type: "string" }, skip: { type: "string" }, junit: { type: "string" }, json: { type: "string" }, list: { type: "boolean" },
        "quota-limit": { type: "string" }, timeout: { type: "string" }, provider: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (e) {
    console.error(`tsense conformance: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) return console.log(USAGE), 0;
  if (values.list) {
    for (const c of [...GRP_CASES, ...CATALOGUE]) console.log(`${c.id.padEnd(44)} ${c.ref}\n${"".padEnd(44)} ${c.title}`);
    return 0;
  }
  const address = positionals[0];
  if (!address || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const provider = getProvider(values.provider ?? "native");
  const split = (s?: string) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : undefined);
  console.log(`tsense conformance: ${address}`);
  const transports = [new SmpTransport(provider), new GrpTransport(provider)];
  // one connection first: an unreachable relay or a wrong keyHash is a setup error, not 67 failures
  const transport = transports.find((t) => address.startsWith(t.scheme + "://"));
  if (!transport) {
    console.error(`tsense conformance: no transport for ${address.split("://")[0]}:// (have: ${transports.map((t) => t.scheme).join(", ")})`);
    return 2;
  }
  try {
    const c = await transport.connect(address);
    console.log(`connected: ${c.description}`);
    c.close();
  } catch (e) {
    console.error(`tsense conformance: cannot connect to ${address}: ${(e as Error).message}`);
    return 2;
  }
  let results;
  try {
    results = await runCases({
      address, provider, transports, cases: [...GRP_CASES, ...CATALOGUE], only: split(values.only), skip: split(values.skip),
      quotaLimit: values["quota-limit"] ? Number(values["quota-limit"]) : undefined, caseTimeoutMs: values.timeout ? Number(values.timeout) : undefined,
      onResult: (r) => console.log(summaryLine(r)),
    });
  } catch (e) {
    console.error(`tsense conformance: ${(e as Error).message}`);
    return 2;
  }
  const t = totals(results);
  console.log(`\n${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped (${results.length} cases)`);
  if (values.junit) writeFileSync(values.junit, junit(address, results));
  if (values.json) writeFileSync(values.json, json(address, results));
  return t.failed > 0 ? 1 : 0;
}
