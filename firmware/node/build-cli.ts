/** `tsense build --board <id> --target lua|espruino`: firmware artifacts and their manifest. */
import { parseArgs } from "node:util";
import { BUILD_TARGETS, BudgetError, buildFirmware, type BuildTarget } from "./build";

const USAGE = `usage: tsense build --board <id> --target lua|espruino [--json]
Writes build/firmware/<board>/<target>/app.{lua,js} and manifest.json (version, size, SHA-256).
Exit 3 when the artifact exceeds the board's app budget, 2 on bad usage. Boards: tsense boards.`;

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
    else console.log(`${m.artifact}: ${m.bytes} bytes (budget ${m.budget.appBytes}), sha256 ${m.sha256}, version ${m.version}`);
    return 0;
  } catch (e) {
    console.error(`tsense build: ${(e as Error).message}`);
    return e instanceof BudgetError ? 3 : 1;
  }
}
