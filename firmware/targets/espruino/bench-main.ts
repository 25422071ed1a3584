/**
 * Espruino entry of the crypto benchmark (bundle build/espruino/bench.js). Defines
 * `tsenseBench(budgetMs, names)`: times the portable provider on the workloads of
 * firmware/crypto/bench-workloads.ts with getTime() and prints, per workload,
 * `result <name> <iterations> <microseconds>` or `na <name>: <message>`, then `done`.
 */
import { errorMessage } from "../../port/error";
import { benchWorkloads, measure } from "../../crypto/bench-workloads";
import { createPortableProvider } from "../../crypto/portable/provider";
import { espruinoRandomBytes } from "./random";

declare const print: (s: string) => void;
declare const getTime: () => number;
declare const global: { tsenseBench?: (budgetMs: number, names: string) => void };

function selected(name: string, list: string): boolean {
  return list === "" || ("," + list + ",").indexOf("," + name + ",") >= 0;
}

function tsenseBench(budgetMs: number, names: string): void {
  const p = createPortableProvider(espruinoRandomBytes);
  const workloads = benchWorkloads();
  for (let i = 0; i < workloads.length; i++) {
    const w = workloads[i];
    if (!selected(w.name, names)) {
      continue;
    }
    try {
      const m = measure(w.setup(p), budgetMs / 1000, getTime);
      print("result " + w.name + " " + m.iterations + " " + Math.floor(m.seconds * 1000000));
    } catch (e) {
      print("na " + w.name + ": " + errorMessage(e));
    }
  }
  print("done");
}

global.tsenseBench = tsenseBench;
