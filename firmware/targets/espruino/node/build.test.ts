// The Espruino build: the bundle builds and passes the syntax check; the check rejects each
// construct Espruino 2v29 cannot run, including when it comes out of a real esbuild bundle;
// the vm context lacks what Espruino lacks; identifiers esbuild may name like an
// Espruino-only keyword ("of": the board builds had one) are renamed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { ESPRUINO_ENTRIES, buildEspruinoEntry, renameEspruinoKeywords, unnameClassExpressions } from "../build";
import { checkEspruinoSyntax } from "./syntax-check";
import { createEspruinoContext } from "./vm-context";

const dir = mkdtempSync(join(tmpdir(), "tsense-espruino-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Espruino build", () => {
  it.each(Object.entries(ESPRUINO_ENTRIES))("entry %s bundles and passes the syntax check", async (name, entry) => {
    const path = await buildEspruinoEntry(name, entry, { outDir: dir });
    expect(path.endsWith(`${name}.js`)).toBe(true);
  });

  it("refuses a bundle with a planted violation", async () => {
    const planted = join(dir, "planted.ts");
    writeFileSync(planted, "const o = { get x() { return 1; } };\nfunction f(...a: number[]) { return a.length + o.x; }\n(globalThis as any).f = f;\n");
    await expect(buildEspruinoEntry("planted", planted, { outDir: dir })).rejects.toThrow(/getter\/setter[^]*\.\.\. \(rest\)/);
  });
});

describe("Espruino-only keywords", () => {
  it("identifiers named like an Espruino keyword are renamed; property names and for-of stay", () => {
    const code = "function of(t){return t.of+{of:1}.of}var of$=1;for(const x of [of(1)])print(x,of$);";
    const out = renameEspruinoKeywords(code);
    expect(out).toBe("function of$$(t){return t.of+{of:1}.of}var of$=1;for(const x of [of$$(1)])print(x,of$);");
    const ctx = createEspruinoContext({ print: () => undefined });
    expect(() => vm.runInContext(out, ctx)).not.toThrow();
    expect(renameEspruinoKeywords("var a=1;")).toBe("var a=1;");
  });
});

describe("named class expressions", () => {
  it("become an unnamed class bound in a function scope (Espruino does not bind the name in the body)", () => {
    const code = "var A=class t{static m(){return new t}};var B=class{};var C=class u extends class v{x(){return v}}{y(){return u}};";
    const out = unnameClassExpressions(code);
    expect(out).toBe(
      "var A=(function(){var t=class {static m(){return new t}};return t})();var B=class{};" +
        "var C=(function(){var u=class  extends (function(){var v=class {x(){return v}};return v})(){y(){return u}};return u})();",
    );
    const ctx = createEspruinoContext({ print: () => undefined });
    vm.runInContext(out + "var r=[A.m() instanceof A, new C().y()===C, new C().x()!==C];", ctx);
    expect(vm.runInContext("r", ctx)).toEqual([true, true, true]);
  });

  it("none are left in a board-sized bundle", async () => {
    const path = await buildEspruinoEntry("vectors-min", ESPRUINO_ENTRIES.vectors, { outDir: dir, minify: true });
    const text = (await import("node:fs")).readFileSync(path, "utf8");
    expect(text).not.toMatch(/=class [A-Za-z_$][\w$]*\s*(\{|extends)/);
  });
});

describe("Espruino syntax check", () => {
  const cases: [string, string][] = [
    ["var a = 2 ** 8;", "** (exponent operator)"],
    ["var a = b?.c;", "?. (optional chaining)"],
    ["var a = b ?? 1;", "?? (nullish coalescing)"],
    ["f(...xs);", "... (spread)"],
    ["function f(...xs) {}", "... (rest)"],
    ["async function f() {}", "async function"],
    ["function* g() { yield 1; }", "generator"],
    ["class A { x = 1; }", "class field"],
    ["var o = { get x() { return 1; } };", "getter/setter"],
    ["var { a } = o;", "destructuring"],
    ["[a, b] = [b, a];", "destructuring assignment"],
    ["var o = { [k]: 1 };", "computed property key"],
    ["outer: for (;;) { break outer; }", "label"],
    ["var m = new Map();", "Map (not on Espruino)"],
    ["var s = Symbol('x');", "Symbol (not on Espruino)"],
    ["var x = Math.imul(a, b);", "Math.imul (not on Espruino)"],
    ["var x = Array.from(a);", "Array.from (not on Espruino)"],
    ["var x = 10n;", "BigInt literal"],
    ["try { f(); } catch { }", "catch without a binding"],
    ["(() => { f(); function f() {} })();", "f used before its declaration has run (no hoisting on Espruino)"],
    ["(() => { function g() { h(); } g(); function h() {} })();", "h used before its declaration has run (no hoisting on Espruino)"],
    ["function of(a) { return a; }", "'of' as a name (a keyword on Espruino)"],
    ["var x = of + 1;", "'of' as a name (a keyword on Espruino)"],
    ["var J = class _J { m() { return new _J(); } };", "named class expression (Espruino does not bind its name inside the class)"],
  ];
  it.each(cases)("rejects %s", (code, what) => {
    expect(checkEspruinoSyntax(code).map((v) => v.what)).toContain(what);
  });

  it("accepts what Espruino runs", () => {
    const ok = [
      "(() => {",
      "  function f(a, b) { return (a >>> 0) + Math.floor(b / 2); }",
      "  class A { constructor(x) { this.x = x; } get2() { return this.x; } }",
      "  class B extends A { constructor() { super(1); } }",
      "  const later = () => h();",
      "  function h() { return `t${f(1, 2)}`; }",
      "  for (const v of [1, 2]) { later(v); }",
      "  var o = { a: 1, m() { return 2; }, of: 3 };",
      "  var K = class { k() { return o.of; } };",
      "  try { f(1, 2); } catch (e) { print(e.message); }",
      "  global.run = function () { return new B().get2() + o.m(); };",
      "})();",
    ].join("\n");
    expect(checkEspruinoSyntax(ok)).toEqual([]);
  });
});

describe("Espruino vm context", () => {
  it("has Espruino's globals and lacks the rest", () => {
    const lines: string[] = [];
    const ctx = createEspruinoContext({ print: (l) => lines.push(l), hwRand: () => -1 });
    const probe = (expr: string) => vm.runInContext(expr, ctx) as unknown;
    for (const missing of ["Map", "Set", "WeakMap", "Symbol", "Proxy", "Reflect", "BigInt", "Intl"]) {
      expect(probe(`typeof ${missing}`), missing).toBe("undefined");
    }
    for (const member of ["Math.imul", "Math.trunc", "Array.from", "Number.isInteger", "Object.freeze", "[].flat", "''.codePointAt", "Uint8Array.from"]) {
      expect(probe(`typeof ${member}`), member).toBe("undefined");
    }
    for (const kept of ["JSON", "Promise", "Uint8Array", "Float64Array", "ArrayBuffer", "DataView", "print", "global", "E"]) {
      expect(probe(`typeof ${kept}`), kept).not.toBe("undefined");
    }
    expect(probe("new Uint8Array(3).subarray(1).length")).toBe(2);
    expect(probe("E.hwRand()")).toBe(-1);
    probe("print('hello', 1)");
    expect(lines).toEqual(["hello 1"]);
  });
});
