/**
 * Runs vector wire text on the device targets (portable provider only):
 * - lua: build/lua/vectors.lua on lua5.3 or wasmoon (firmware/targets/lua/node/lua-runner.ts);
 * - espruino: build/espruino/vectors.js in an Espruino-shaped Node vm context, or on a real
 *   Linux build of Espruino named by TSENSE_ESPRUINO.
 * Bundles are rebuilt first when missing or older than any firmware/runner source. One
 * process (lua5.3) or one VM (wasmoon, vm) per call, never per case.
 */
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { ensureLuaBundle } from "../../../firmware/targets/lua/build";
import { LuaRuntime, chooseLuaRuntime, runLuaBundle } from "../../../firmware/targets/lua/node/lua-runner";
import { ensureEspruinoBundle } from "../../../firmware/targets/espruino/build";
import { createEspruinoContext, runEspruinoScript } from "../../../firmware/targets/espruino/node/vm-context";
import { realEspruinoBinary, runOnRealEspruino } from "../../../firmware/targets/espruino/node/real-espruino";
import type { TargetRun } from "./targets";

/** Checks and strips the bundle's closing `done <passed> <failed>` line. */
function finished(lines: string[], runtime: string): TargetRun {
  const last = lines[lines.length - 1] ?? "";
  const m = /^done (\d+) (\d+)$/.exec(last);
  if (!m) {
    throw new Error(`${runtime}: the run ended without its 'done' line (crash?); last line: ${last.slice(0, 200)}`);
  }
  const body = lines.slice(0, -1);
  const passed = body.filter((l) => l.startsWith("pass ")).length;
  const failed = body.filter((l) => l.startsWith("fail ")).length;
  if (passed !== Number(m[1]) || failed !== Number(m[2])) {
    throw new Error(`${runtime}: 'done ${m[1]} ${m[2]}' but saw ${passed} pass and ${failed} fail lines`);
  }
  return { lines: body, runtime };
}

/** The vector runner on Lua; `runtime` defaults to chooseLuaRuntime() (TSENSE_LUA, CI). */
export async function runLuaVectors(wire: string, runtime: LuaRuntime = chooseLuaRuntime()): Promise<TargetRun> {
  const bundle = ensureLuaBundle("vectors");
  const run = await runLuaBundle(bundle, { input: wire }, runtime);
  return finished(run.lines, run.runtime);
}

export type EspruinoRuntime = "vm" | "espruino";

/**
 * The vector runner on Espruino: in an Espruino-shaped vm context (fresh per call), or on a
 * real Linux build of Espruino when `runtime` is "espruino" (default: the real one when
 * TSENSE_ESPRUINO names it, else the vm).
 */
export async function runEspruinoVectors(wire: string, runtime: EspruinoRuntime = realEspruinoBinary() ? "espruino" : "vm"): Promise<TargetRun> {
  const path = await ensureEspruinoBundle("vectors");
  if (runtime === "espruino") {
    const binary = realEspruinoBinary();
    if (binary === undefined) throw new Error("set TSENSE_ESPRUINO to an Espruino binary built for Linux");
    const run = await runOnRealEspruino(binary, `${readFileSync(path, "latin1")}\ntsenseRunVectors(${JSON.stringify(wire)});`);
    return finished(run.lines, run.runtime);
  }
  const lines: string[] = [];
  const context = createEspruinoContext({ print: (l) => lines.push(l) });
  runEspruinoScript(context, readFileSync(path, "utf8"), path);
  const run = vm.runInContext("tsenseRunVectors", context) as (w: string) => void;
  try {
    run(wire);
  } catch (e) {
    lines.push(`crash: ${(e as Error).message}`);
  }
  return finished(lines, "espruino-vm (Node vm, Espruino 2v29 API)");
}

export async function runOnDeviceTarget(target: "lua" | "espruino", provider: string, wire: string): Promise<TargetRun> {
  if (provider !== "portable") {
    throw new Error(`target ${target} has only the portable provider, not '${provider}'`);
  }
  return target === "lua" ? runLuaVectors(wire) : runEspruinoVectors(wire);
}
