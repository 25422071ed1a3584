/**
 * Runs a bundle on a real Espruino interpreter built for Linux (the `espruino` binary of
 * Espruino's own `make` with BOARD=LINUX), for the fidelity the vm context cannot give:
 * the real parser, the real built-ins, no hoisting, Espruino's number formatting.
 * Enabled by TSENSE_ESPRUINO=/path/to/espruino; see docs/portable.md for building 2v29.
 * It is about 1000× slower than V8, so tests use it on cheap files only.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The binary named by TSENSE_ESPRUINO, or undefined. */
export function realEspruinoBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const b = env.TSENSE_ESPRUINO;
  return b === undefined || b === "" ? undefined : b;
}

export interface RealEspruinoRun {
  /** Everything the program printed, banner and prompt removed. */
  lines: string[];
  /** e.g. "espruino 2v29 (Linux build)". */
  runtime: string;
}

const VERSION_TAG = "tsense-espruino-version ";

/** Runs `code` (a bundle followed by the call that starts it) and returns its output lines. */
export async function runOnRealEspruino(binary: string, code: string, timeoutMs = 600_000): Promise<RealEspruinoRun> {
  const dir = mkdtempSync(join(tmpdir(), "tsense-espruino-"));
  try {
    const file = join(dir, "run.js");
    writeFileSync(file, `print("${VERSION_TAG}" + process.version);\n${code}\n`);
    const child = spawn(binary, [file], { stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.end(); // EOF on the console: the interpreter exits once the script is done.
    let out = "";
    child.stdout.setEncoding("latin1");
    child.stdout.on("data", (c: string) => (out += c));
    child.stderr.on("data", (c: Buffer) => (out += c.toString("latin1")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    clearTimeout(timer);
    const all = out.split("\n").map((l) => l.replace(/\r$/, ""));
    const start = all.findIndex((l) => l.startsWith(VERSION_TAG));
    if (start < 0) {
      throw new Error(`${binary} did not run the script (exit ${status}): ${all.slice(-5).join(" | ")}`);
    }
    const version = all[start].slice(VERSION_TAG.length);
    const lines = all.slice(start + 1).filter((l) => l !== "" && l !== ">");
    return { lines, runtime: `espruino ${version} (Linux build)` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
