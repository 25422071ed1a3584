// What every flash/ command shares: option parsing, port choice, progress on stderr, --json
// output, and turning errors into one line plus a distinct exit code.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ExitCode, exitCodeName, ToolError } from "../errors.js";
import { EMU_PREFIX } from "../serial/emulator-binding.js";
import { listPorts, type PortCandidate } from "../serial/ports.js";
import { ensureDemoBoard, powerOffDemoBoards, saveDemoBoards } from "../emulator/demo.js";
import { resetKindFor } from "../boards.js";
import type { ResetKind } from "../esp/reset.js";

export interface Output {
  json: boolean;
  quiet: boolean;
  /** A progress/status line on stderr (suppressed by --quiet). */
  info(line: string): void;
  progress(label: string): (done: number, total: number) => void;
}

export function makeOutput(json: boolean, quiet: boolean): Output {
  const tty = process.stderr.isTTY === true;
  return {
    json, quiet,
    info: (line) => { if (!quiet) process.stderr.write(`${line}\n`); },
    progress: (label) => {
      let lastPct = -1;
      return (done, total) => {
        if (quiet) return;
        const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
        if (pct === lastPct) return;
        lastPct = pct;
        if (tty) {
          const width = 30;
          const fill = Math.round((pct / 100) * width);
          process.stderr.write(`\r${label} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${String(pct).padStart(3)}%${pct === 100 ? "\n" : ""}`);
        } else if (pct % 25 === 0) {
          process.stderr.write(`${label} ${pct}%\n`);
        }
      };
    },
  };
}

export const COMMON_OPTIONS = {
  port: { type: "string", short: "p" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

export function parse<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O, positionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new ToolError(ExitCode.USAGE, `${e instanceof Error ? e.message : e}; see --help`);
  }
}

/** Run a command body: errors become one stderr line (and a JSON object with --json). */
export async function runCommand(name: string, argv: string[], body: (json: boolean) => Promise<number>): Promise<number> {
  const json = argv.includes("--json");
  let code: number;
  try {
    code = await body(json);
  } catch (e) {
    const err = e instanceof ToolError ? e : new ToolError(ExitCode.FAILED, `${e instanceof Error ? e.message : String(e)}`);
    process.stderr.write(`tsense ${name}: ${err.message}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: err.code, name: exitCodeName(err.code), message: err.message } })}\n`);
    code = err.code;
  }
  saveDemoBoards();
  powerOffDemoBoards();
  return code;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export interface ChosenPort {
  path: string;
  candidate?: PortCandidate;
  reset: ResetKind;
}

/** --port if given; otherwise the one USB serial port there is. */
export async function choosePort(port: string | undefined, resetOpt?: string): Promise<ChosenPort> {
  if (port?.startsWith(EMU_PREFIX)) ensureDemoBoard(port);
  const candidates = await listPorts({ includeEmulated: port !== undefined });
  let candidate: PortCandidate | undefined;
  let path: string;
  if (port) {
    path = port;
    candidate = candidates.find((c) => c.path === port || c.byId === port);
  } else {
    const real = candidates.filter((c) => c.source !== "emulator");
    if (real.length === 0) throw new ToolError(ExitCode.NO_DEVICE, "no USB serial port found: plug the board in with a data-capable cable, or pass --port");
    if (real.length > 1) throw new ToolError(ExitCode.AMBIGUOUS_PORT, `several serial ports (${real.map((c) => c.path).join(", ")}): pass --port <path>`);
    candidate = real[0];
    path = candidate.path;
  }
  const reset = resetOpt === "classic" || resetOpt === "usb-jtag" ? resetOpt
    : resetKindFor(candidate?.vendorId, candidate?.productId);
  return { path, candidate, reset };
}

export function parseBaud(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1200 || n > 5_000_000) throw new ToolError(ExitCode.USAGE, `--baud ${value} is not a usable baud rate; try 115200, 460800 or 921600`);
  return n;
}

/** Ask before something destructive, unless --yes. Non-interactive without --yes: aborted. */
export async function confirm(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new ToolError(ExitCode.ABORTED, `${question} needs confirmation: re-run with --yes`);
  process.stderr.write(`${question} [y/N] `);
  const answer = await new Promise<string>((resolve) => {
    process.stdin.setEncoding("utf8");
    process.stdin.once("data", (d) => resolve(String(d).trim()));
  });
  process.stdin.pause();
  if (!/^y(es)?$/i.test(answer)) throw new ToolError(ExitCode.ABORTED, "aborted: nothing was changed");
}
