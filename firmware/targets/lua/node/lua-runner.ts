/**
 * Runs a Lua bundle from build/lua on a real or embedded Lua and returns its output lines.
 * Runtimes: Debian `lua5.3` (the reference: same integer/float model as NodeMCU's
 * INT64+DOUBLE build) or wasmoon (Lua 5.4 in wasm, 64-bit integers, no system package).
 * Choice: TSENSE_LUA=lua5.3|wasmoon forces one; otherwise lua5.3 when it is on PATH, else
 * wasmoon, except that with CI=true a missing lua5.3 is an error.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LuaFactory } from "wasmoon";

export type LuaRuntime = "lua5.3" | "wasmoon";

export interface LuaRunOptions {
  /**
   * Input text. lua5.3 gets it as a file named by arg[1]; wasmoon as the TSENSE_INPUT
   * global (TSENSE_ARGS[1] then holds a placeholder, so `args` keep their positions).
   */
  input?: string;
  /** Arguments after the input file (or from arg[1] when there is no input). */
  args?: string[];
  /** Called with each line as it arrives (lua5.3: per stdout line; wasmoon: per emit). */
  onLine?: (line: string) => void;
}

export interface LuaRunResult {
  lines: string[];
  runtime: string;
}

let lua53Version: string | null | undefined;

/** "5.3.6" when `lua5.3` runs, else null. */
export function lua53Available(): string | null {
  if (lua53Version === undefined) {
    const r = spawnSync("lua5.3", ["-v"], { encoding: "utf8" });
    const m = /Lua (\d+\.\d+\.\d+)/.exec(`${r.stdout ?? ""}${r.stderr ?? ""}`);
    lua53Version = r.status === 0 && m ? m[1] : null;
  }
  return lua53Version;
}

/** The runtime to use now, following TSENSE_LUA and CI (see the file comment). */
export function chooseLuaRuntime(env: NodeJS.ProcessEnv = process.env): LuaRuntime {
  const forced = env.TSENSE_LUA;
  if (forced !== undefined && forced !== "") {
    if (forced !== "lua5.3" && forced !== "wasmoon") {
      throw new Error(`TSENSE_LUA must be lua5.3 or wasmoon, got '${forced}'`);
    }
    if (forced === "lua5.3" && lua53Available() === null) {
      throw new Error("TSENSE_LUA=lua5.3 but lua5.3 is not on PATH (Debian: apt-get install lua5.3)");
    }
    return forced;
  }
  if (lua53Available() !== null) return "lua5.3";
  if (env.CI === "true") {
    throw new Error("CI=true requires lua5.3 on PATH (apt-get install lua5.3); set TSENSE_LUA=wasmoon to opt out");
  }
  return "wasmoon";
}

async function runLua53(bundle: string, options: LuaRunOptions): Promise<LuaRunResult> {
  const dir = mkdtempSync(join(tmpdir(), "tsense-lua-"));
  try {
    const argv = [bundle];
    if (options.input !== undefined) {
      argv.push(join(dir, "input"));
      writeFileSync(argv[1], options.input);
    }
    argv.push(...(options.args ?? []));
    const child = spawn("lua5.3", argv, { stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    let partial = "";
    let stderr = "";
    child.stdout.setEncoding("latin1");
    child.stdout.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const l of parts) {
        lines.push(l);
        options.onLine?.(l);
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (partial !== "") lines.push(partial);
    if (code !== 0) {
      throw new Error(`lua5.3 ${bundle} exited with ${code}: ${stderr.trim() || "(no message)"}`);
    }
    return { lines, runtime: `lua5.3 ${lua53Available()}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let factory: LuaFactory | undefined;

async function runWasmoon(bundle: string, options: LuaRunOptions): Promise<LuaRunResult> {
  factory ??= new LuaFactory();
  const engine = await factory.createEngine({ injectObjects: false, enableProxy: false });
  try {
    const lines: string[] = [];
    if (options.input !== undefined) engine.global.set("TSENSE_INPUT", options.input);
    engine.global.set("TSENSE_EMIT", (line: string) => {
      lines.push(line);
      options.onLine?.(line);
    });
    // Argument table built in Lua so its keys are integers 1..n, like the standalone `arg`.
    const args = [...(options.input !== undefined ? ["(TSENSE_INPUT)"] : []), ...(options.args ?? [])].map((a) => JSON.stringify(a).replace(/[^\x20-\x7e]/g, "?"));
    await engine.doString(`TSENSE_ARGS = {${args.join(", ")}}`);
    const version = (await engine.doString("return _VERSION")) as string;
    await engine.doString(readFileSync(bundle, "utf8"));
    return { lines, runtime: `wasmoon (${version})` };
  } finally {
    engine.global.close();
  }
}

/** Runs a bundle once on the given runtime (default: chooseLuaRuntime()). */
export async function runLuaBundle(bundle: string, options: LuaRunOptions = {}, runtime: LuaRuntime = chooseLuaRuntime()): Promise<LuaRunResult> {
  return runtime === "lua5.3" ? runLua53(bundle, options) : runWasmoon(bundle, options);
}
