/**
 * Lua entry of the crypto benchmark (bundle build/lua/bench.lua): times the portable
 * provider on the workloads of firmware/crypto/bench-workloads.ts with os.clock.
 * Arguments: <budget-ms> [comma-separated workload names]. Output, one line per
 * workload: `result <name> <iterations> <microseconds>` or `na <name>: <message>`,
 * then `done`. Names contain spaces, so the fields around them are fixed.
 */
import { errorMessage } from "../../port/error";
import { benchWorkloads, measure } from "../../crypto/bench-workloads";
import { createPortableProvider } from "../../crypto/portable/provider";
import { cpuSeconds, emitLine, hostArg } from "./host";
import { randomBytes } from "./random";

function selected(name: string, list: string | undefined): boolean {
  if (list === undefined || list === "") {
    return true;
  }
  return ("," + list + ",").indexOf("," + name + ",") >= 0;
}

function benchMain(): void {
  const budgetArg = hostArg(1);
  const budget = budgetArg === undefined ? 0.5 : Math.floor(Number(budgetArg)) / 1000;
  const only = hostArg(2);
  const p = createPortableProvider(randomBytes);
  for (const w of benchWorkloads()) {
    if (!selected(w.name, only)) {
      continue;
    }
    try {
      const op = w.setup(p);
      const m = measure(op, budget, cpuSeconds);
      emitLine("result " + w.name + " " + m.iterations + " " + Math.floor(m.seconds * 1000000));
    } catch (e) {
      emitLine("na " + w.name + ": " + errorMessage(e));
    }
  }
  emitLine("done");
}

benchMain();
