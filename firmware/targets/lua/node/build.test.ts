// The Lua build: every entry compiles with no TypeScript or TSTL diagnostics, and the
// TSTL behaviours portable code relies on hold on lua5.3 and wasmoon (probe-main.ts).
// The minifier (lua-minify.ts): tricky lexemes survive, line numbers stay, and the
// minified vector bundle passes vectors of every file on both runtimes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LUA_ENTRIES, buildLuaEntry } from "../build";
import { lua53Available, runLuaBundle } from "./lua-runner";
import { minifyLua } from "./lua-minify";
import { allVectorFiles } from "../../../../test-vectors/runner/node/files";
import { loadVectorFile, toWire } from "../../../../test-vectors/runner/node/vector-file";

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

const TRICKY = `local emit = TSENSE_EMIT or print
--[==[ a long
comment ]] still ]==]
local a = 5 - -3 -- a comment
local b = 1 .. 2
local s = "x -- no comment\\"" .. 'y\\'' .. [[
long -- string]] .. [=[a]]b]=]
local t = { [ [[k]] ] = 1 }
local c = a // 2 + a % 3 - (a << 2 >> 1) ~ 1
local d = 0x10 + 1e2 + .5 + 3. + 0xA.8p1 + 1e-1
local z = "a\\z
      b"
local function f(...) return select('#', ...) end
emit(a .. " " .. b .. " " .. s .. " " .. t.k .. " " .. c .. " " .. d .. " " .. z .. " " .. f(1, 2, 3) .. " " .. #{...})
local ok, err = pcall(function() error("here") end)
emit(err:match(":(%d+):"))
`;

describe("Lua minifier", () => {
  it("drops comments and indentation, spaces only where tokens would fuse, keeps line breaks", () => {
    expect(minifyLua("local x = 1 .. 2 -- c\n  return - -x")).toBe("local x=1 .. 2\nreturn- -x");
    expect(minifyLua("t[ [[a]] ] = a [=[b]=]\n--[[\n\n]] x = 1", { keepLines: false })).toBe("t[ [[a]]]=a[=[b]=]x=1");
    expect(minifyLua("a = 1\n\n  --[[\n]]\nb = 'it''s'")).toBe("a=1\n\n\n\nb='it''s'");
    expect(() => minifyLua("s = 'open")).toThrow(/unfinished string at offset 4/);
    expect(() => minifyLua("--[[ open")).toThrow(/unfinished long bracket/);
  });

  it.each(["lua5.3", "wasmoon"] as const)("minified code prints what the original prints on %s (line numbers included)", async (runtime) => {
    if (runtime === "lua5.3" && lua53Available() === null) return;
    const dir = join(out, `tricky-${runtime}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "orig.lua"), TRICKY);
    writeFileSync(join(dir, "min.lua"), minifyLua(TRICKY));
    const orig = await runLuaBundle(join(dir, "orig.lua"), {}, runtime);
    const min = await runLuaBundle(join(dir, "min.lua"), {}, runtime);
    expect(orig.lines).toEqual(['8 12 x -- no comment"y\'long -- stringa]]b 1 -9 140.6 ab 3 0', "15"]);
    expect(min.lines).toEqual(orig.lines);
    expect(minifyLua(TRICKY).length).toBeLessThan(TRICKY.length);
  });

  it.each(["lua5.3", "wasmoon"] as const)("the minified vector bundle passes vectors of every file on %s", { timeout: 120_000 }, async (runtime) => {
    if (runtime === "lua5.3" && lua53Available() === null) return;
    const { path } = buildLuaEntry("vectors", LUA_ENTRIES.vectors, { outDir: join(out, `min-${runtime}`), minify: true });
    expect(readFileSync(path, "latin1")).not.toMatch(/^\s*--/m);
    // Cheap cases only (no iterated ones): the full sets run in test-vectors/vectors.lua.test.ts.
    let wire = "";
    let cases = 0;
    for (const f of allVectorFiles()) {
      const file = loadVectorFile(f);
      const cheap = file.cases.filter((c) => !(typeof c.in.iterations === "number" && c.in.iterations > 10)).slice(0, 1);
      cases += cheap.length;
      wire += toWire({ ...file, cases: cheap });
    }
    const run = await runLuaBundle(path, { input: wire }, runtime);
    expect(run.lines.filter((l) => !l.startsWith("pass ")).slice(0, 5)).toEqual([`done ${cases} 0`]);
  });
});
