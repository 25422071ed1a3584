// The Lua build: every entry compiles with no TypeScript or TSTL diagnostics, and the
// TSTL behaviours portable code relies on hold on lua5.3 and wasmoon (probe-main.ts).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LUA_ENTRIES, buildLuaEntry } from "../build";
import { lua53Available, runLuaBundle } from "./lua-runner";

const out = mkdtempSync(join(tmpdir(), "tsense-lua-build-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("Lua build", () => {
  it.each(Object.entries(LUA_ENTRIES))("entry %s compiles cleanly (no TSTL diagnostics)", (name, entry) => {
    const r = buildLuaEntry(name, entry, { outDir: out });
    expect(r.warnings).toBe("");
    const lua = readFileSync(r.path, "utf8");
    expect(lua).toContain(`["${entry.replace(/\.ts$/, "").split("/").join(".")}"]`);
  });

  it("indexes Bytes 0-based and compiles >>> to a masked shift", () => {
    const { path } = buildLuaEntry("probe", "firmware/targets/lua/probe-main.ts", { outDir: out });
    const lua = readFileSync(path, "utf8");
    expect(lua).toContain("dst[dstOff + i] = src[srcOff + i]");
    expect(lua).toMatch(/\(\w+ & 4294967295\) >> /);
  });

  const expected = [
    "bytes ff000102 4 0001",
    `ushr ${0xdeadbeef >>> 4} 0 ${~0 >>> 0}`,
    "floor 3 1 -4",
    "class sides=4 area=9 instanceof",
    "closures 0 10 20",
    "error boom",
    "string 3 bc 100 A",
    "array 3 5 18",
  ];

  it.each(["lua5.3", "wasmoon"] as const)("probe on %s prints what Node computes", async (runtime) => {
    if (runtime === "lua5.3" && lua53Available() === null) return;
    const { path } = buildLuaEntry("probe", "firmware/targets/lua/probe-main.ts", { outDir: out });
    const run = await runLuaBundle(path, {}, runtime);
    expect(run.lines).toEqual(expected);
  });
});
