/** `tsense build --board <id> --target lua|espruino`: firmware artifacts and their manifest. */
import { parseArgs } from "node:util";
import { BUILD_TARGETS, BudgetError, buildFirmware, type BuildTarget } from "./build";

const USAGE = `usage: tsense build --board <id> --target lua|espruino [--json]
Writes build/firmware/<board>/<target>/app.{lua,js} and manifest.json (version, size, SHA-256).
Also states the board's RAM budget (Lua heap or Espruino JsVars) next to the app's last measured
need (boards/measured.json) and, for Lua with lua5.3 installed, probes the heap the compiled code takes.
Exit 3 when the artifact or its measured RAM need exceeds the board's budget or the board
excludes the runtime (the reason is printed), 2 on bad usage. Boards: tsense boards.`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options: { board: { type: "string" }, target: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } } }).values;
  } catch (e) {
    console.error(`tsense build: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) return console.log(USAGE), 0;
  if (!values.board || !values.target || !(BUILD_TARGETS as readonly string[]).includes(values.target)) {
    console.error(`tsense build: needs --board and --target (${BUILD_TARGETS.join(" or ")})\n${USAGE}`);
    return 2;
  }
  try {
    const m = await buildFirmware(values.board, values.target as BuildTarget);
    if (values.json) console.log(JSON.stringify(m, null, 2));
    else {
      console.log(`${m.artifact}: ${m.bytes} bytes (budget ${m.budget.appBytes}), sha256 ${m.sha256}, version ${m.version}`);
      const r = m.ram;
      const probe = r.codeProbe ? `; compiled code alone ${r.codeProbe.codeHeapBytes} bytes of heap on ${r.codeProbe.runtime}` : "";
      console.log(`RAM: needs ${r.needed} of ${r.budget} ${r.unit} (${r.how}, measured ${r.measuredAt})${probe}`);
    }
    return 0;
  } catch (e) {
    console.error(`tsense build: ${(e as Error).message}`);
    return e instanceof BudgetError ? 3 : 1;
  }
}
