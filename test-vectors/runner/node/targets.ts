/**
 * Runs wire-format vector text on a target and returns the runner's per-case lines.
 * node: in this process. lua and espruino: the compiled builds in their runtimes.
 */
import { getProvider } from "../../../firmware/crypto/node/providers";
import { runVectorText } from "../run";

export const TARGETS = ["node", "lua", "espruino"] as const;
export type Target = (typeof TARGETS)[number];

export interface TargetRun {
  lines: string[];
  /** What actually ran, e.g. "lua5.3 5.3.6" or "wasmoon (Lua 5.4)". */
  runtime: string;
}

export async function runOnTarget(target: Target, provider: string, wire: string): Promise<TargetRun> {
  switch (target) {
    case "node": {
      const lines: string[] = [];
      runVectorText(wire, getProvider(provider), (l) => lines.push(l));
      return { lines, runtime: `node ${process.version}` };
    }
    case "lua":
    case "espruino": {
      const { runOnDeviceTarget } = await import("./device-targets");
      return runOnDeviceTarget(target, provider, wire);
    }
  }
}
