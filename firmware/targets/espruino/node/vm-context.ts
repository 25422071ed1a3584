/**
 * A Node `vm` context shaped like Espruino 2v29, for running Espruino bundles in tests,
 * the simulator and benchmarks. It is V8 underneath (so it is fast and not a timing
 * model), but its API surface is cut down to Espruino's:
 *
 * Removed (Espruino has no such thing; see espruino-api.ts for the source lists):
 *   Map, Set, WeakMap, WeakSet, WeakRef, FinalizationRegistry, Symbol, Proxy, Reflect,
 *   BigInt and the BigInt arrays, Intl, SharedArrayBuffer, Atomics, WebAssembly, Iterator,
 *   EvalError, URIError, AggregateError, escape/unescape, encodeURI/decodeURI; and the
 *   static and prototype methods Espruino lacks, e.g. Math.imul, Math.trunc, Math.clz32,
 *   Array.from, Number.isInteger, Object.freeze, String.prototype.codePointAt,
 *   Array.prototype.flat, TypedArray.from. Such code fails here with a TypeError or
 *   ReferenceError, as it would on the device.
 * Kept although portable code may not use them (ESLint bans them there; firmware glue in
 *   firmware/targets/espruino may): JSON, Date, RegExp, Promise, console.
 * Added (Espruino has them, a V8 context does not): print, global, atob, btoa,
 *   E (hwRand from node:crypto, getErrorFlags), and
 *   whatever the host passes in `extra` (timers, Storage, Serial mocks…).
 *
 * Symbol-keyed members (iterators) stay: `for…of` works on Espruino and nothing in our
 * code can name a symbol once the global Symbol is gone.
 */
import { randomInt } from "node:crypto";
import vm from "node:vm";
import { ESPRUINO_GLOBALS, ESPRUINO_PROTOTYPES, ESPRUINO_STATICS, MISSING_GLOBALS } from "./espruino-api";

export interface EspruinoContextOptions {
  /** Receives what the program prints (print and console.log), one call per line. */
  print: (line: string) => void;
  /** Source of E.hwRand(); default node:crypto. Tests may pass a seeded one. */
  hwRand?: () => number;
  /** More globals to define (timers, Storage…), added after the API is cut down. */
  extra?: Record<string, unknown>;
}

const KEEP_ALWAYS = new Set(["length", "name", "prototype", "constructor"]);

function cutDown(obj: object, allowed: readonly string[], onlyFunctions: boolean): void {
  const allow = new Set(allowed);
  for (const key of Object.getOwnPropertyNames(obj)) {
    if (KEEP_ALWAYS.has(key) || allow.has(key)) continue;
    const d = Object.getOwnPropertyDescriptor(obj, key);
    // Non-configurable members (Number.MAX_SAFE_INTEGER, Math constants…) cannot be removed; they are constants.
    if (d === undefined || !d.configurable || (onlyFunctions && typeof d.value !== "function")) continue;
    delete (obj as Record<string, unknown>)[key];
  }
}

/** A fresh Espruino-like context. Run bundles in it with `vm.runInContext` or `Script.runInContext`. */
export function createEspruinoContext(options: EspruinoContextOptions): vm.Context {
  const context = vm.createContext({});
  const g = vm.runInContext("globalThis", context) as Record<string, unknown>;
  for (const name of MISSING_GLOBALS) {
    delete g[name];
  }
  for (const [name, members] of Object.entries(ESPRUINO_STATICS)) {
    cutDown(g[name] as object, members, false);
  }
  for (const [name, members] of Object.entries(ESPRUINO_PROTOTYPES)) {
    const proto =
      name === "TypedArray"
        ? Object.getPrototypeOf((g.Uint8Array as { prototype: object }).prototype)
        : (g[name] as { prototype: object }).prototype;
    cutDown(proto, members, true);
  }
  // %TypedArray% statics (from, of) do not exist on Espruino.
  cutDown(Object.getPrototypeOf(g.Uint8Array as object) as object, [], false);
  // Anything else V8 put there (newer built-ins) is not Espruino's either.
  cutDown(g, ESPRUINO_GLOBALS, false);
  const hwRand = options.hwRand ?? (() => randomInt(0, 0x100000000) | 0);
  const print = (...args: unknown[]) => options.print(args.map(String).join(" "));
  g.print = print;
  g.global = g;
  g.console = { log: print, info: print, warn: print, error: print, debug: print, trace: print };
  // Espruino's atob/btoa work on binary strings (one char per byte).
  g.atob = (s: string) => Buffer.from(String(s), "base64").toString("latin1");
  g.btoa = (s: string) => Buffer.from(String(s), "latin1").toString("base64");
  g.E = { hwRand: () => hwRand() | 0, getErrorFlags: () => [] as string[] };
  // Uint24Array exists only on Espruino; portable code has no use for it, so it stays absent.
  for (const [name, value] of Object.entries(options.extra ?? {})) {
    g[name] = value;
  }
  return context;
}

// Globals reached through the vm's interceptors are ~8× slower than locals, so bundles run
// inside a function whose parameters shadow the built-ins with the very same objects.
// (eval is left out: shadowing it would turn direct eval into an indirect one.)
const SHADOWED = ESPRUINO_GLOBALS.filter((n) => !["undefined", "NaN", "Infinity", "eval"].includes(n));
const scripts = new Map<string, vm.Script>();

/**
 * Runs a bundle in an Espruino context. Bundles are IIFEs that publish what the host needs
 * through `global.name = …` (top-level `var`s would stay local to the wrapper).
 */
export function runEspruinoScript(context: vm.Context, code: string, filename: string): void {
  const g = vm.runInContext("globalThis", context) as Record<string, unknown>;
  const params = SHADOWED.filter((n) => n in g).join(", ");
  const key = `${params}\n${code}`;
  let script = scripts.get(key);
  if (script === undefined) {
    script = new vm.Script(`(function (${params}) {\n${code}\n})(${params});`, { filename, lineOffset: -1 });
    scripts.clear();
    scripts.set(key, script);
  }
  script.runInContext(context);
}
