// The same sensor sweep (sim/sweep.ts) on Node, on the Lua build (lua5.3 when installed,
// and wasmoon) and on the Espruino bundle (Espruino-shaped vm): every line must match, so
// the compensation maths and the simulated chips agree across targets to the last digit
// printed. The entry files are generated under build/ (ignored) for this test only.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { buildEspruinoEntry } from "../../targets/espruino/build";
import { createEspruinoContext, runEspruinoScript } from "../../targets/espruino/node/vm-context";
import { ROOT, buildLuaEntry } from "../../targets/lua/build";
import { lua53Available, runLuaBundle } from "../../targets/lua/node/lua-runner";
import { sensorSweep } from "./sim/sweep";

const ENTRY_DIR = join(ROOT, "build", "sensor-sweep");
const out = mkdtempSync(join(tmpdir(), "tsense-sensor-sweep-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function nodeLines(): string[] {
  const lines: string[] = [];
  const n = sensorSweep((l) => lines.push(l));
  expect(lines).toHaveLength(n);
  return lines;
}

function writeEntry(name: string, body: string): string {
  mkdirSync(ENTRY_DIR, { recursive: true });
  const path = join(ENTRY_DIR, name);
  writeFileSync(path, body);
  return `build/sensor-sweep/${name}`;
}

describe("sensor sweep across targets", () => {
  const expected = nodeLines();

  it("node: the sweep exercises every status it should", () => {
    expect(expected.length).toBe(24 * 4 + 6 + 8);
    expect(expected.filter((l) => l.startsWith("round"))).toHaveLength(8);
    expect(expected.find((l) => l.startsWith("crc "))).toMatch(/ 1:2:0 2:0:/);
    expect(expected.find((l) => l.startsWith("missing "))).toMatch(/ 1:1:0 2:1:0 3:1:0$/);
    expect(expected.find((l) => l.startsWith("nack "))).toMatch(/ 4:5:0$/);
    expect(expected.find((l) => l.startsWith("stuck "))).toMatch(/ 1:6:0 2:6:0 3:6:0$/);
  });

  const luaEntry = writeEntry(
    "lua-main.ts",
    'import { emitLine } from "../../firmware/targets/lua/host";\nimport { sensorSweep } from "../../firmware/app/sensors/sim/sweep";\n\nsensorSweep(emitLine);\n',
  );

  let luaBundle: string | undefined;
  function lua(): string {
    if (luaBundle === undefined) {
      const r = buildLuaEntry("sensor-sweep", luaEntry, { outDir: out });
      expect(r.warnings).toBe("");
      luaBundle = r.path;
    }
    return luaBundle;
  }

  it.each(["lua5.3", "wasmoon"] as const)("lua (%s) prints the same lines", async (runtime) => {
    if (runtime === "lua5.3" && lua53Available() === null) return;
    const run = await runLuaBundle(lua(), {}, runtime);
    expect(run.lines).toEqual(expected);
  });

  it("espruino (vm with the Espruino 2v29 API) prints the same lines", async () => {
    const entry = writeEntry(
      "espruino-main.ts",
      'import { sensorSweep } from "../../firmware/app/sensors/sim/sweep";\n\ndeclare const print: (s: string) => void;\n\nsensorSweep((l) => print(l));\n',
    );
    const path = await buildEspruinoEntry("sensor-sweep", entry, { outDir: out });
    const lines: string[] = [];
    const context = createEspruinoContext({ print: (l) => lines.push(l) });
    runEspruinoScript(context, readFileSync(path, "utf8"), path);
    expect(vm.runInContext("typeof print", context)).toBe("function");
    expect(lines).toEqual(expected);
  });
});
