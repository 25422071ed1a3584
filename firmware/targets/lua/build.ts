/**
 * `npm run build:lua`: compiles each Lua entry (vectors, bench, later the firmware) with
 * typescript-to-lua into one self-contained bundle under build/lua/<name>.lua: Lua 5.3,
 * the lualib helpers the bundle uses (require-minimal: only the features referenced),
 * no implicit `self` parameters. Exits non-zero on any TypeScript or TSTL diagnostic.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as ts from "typescript";
import * as tstl from "typescript-to-lua";
import { minifyLua } from "./node/lua-minify";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const LUA_OUT_DIR = join(ROOT, "build", "lua");

/** One bundle per entry: name → entry source (relative to the repository root). */
export const LUA_ENTRIES: Record<string, string> = {
  vectors: "firmware/targets/lua/vectors-main.ts",
  bench: "firmware/targets/lua/bench-main.ts",
  /** HAL probe booted in the virtual NodeMCU (firmware/targets/probe). */
  "probe-hal": "firmware/targets/probe/lua-main.ts",
};

export function luaBundlePath(name: string, outDir = LUA_OUT_DIR): string {
  return join(outDir, `${name}.lua`);
}

function compilerOptions(name: string, entry: string, outDir: string): tstl.CompilerOptions {
  return {
    // Type-check as portable code: ES5 library, no Node types.
    target: ts.ScriptTarget.ES2017,
    lib: ["lib.es5.d.ts"],
    types: [],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    useDefineForClassFields: false,
    rootDir: ROOT,
    outDir,
    luaTarget: tstl.LuaTarget.Lua53,
    luaLibImport: tstl.LuaLibImportKind.RequireMinimal,
    luaBundle: `${name}.lua`,
    luaBundleEntry: join(ROOT, entry),
    noImplicitSelf: true,
    noHeader: true,
    sourceMapTraceback: false,
  };
}

function formatDiagnostics(diags: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diags, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  });
}

/** Compiles one entry into outDir/<name>.lua; throws with the diagnostics on failure. */
export interface LuaBuildOptions {
  outDir?: string;
  /**
   * Emit the bundle even when TSTL reports Lua-specific problems (TS100000+ codes, e.g. a
   * function without `self` stored where a method is expected); they come back as
   * `warnings`. TypeScript errors still fail. Used by test runners so that one module that
   * does not compile cleanly for Lua shows up as named failing cases, not a dead target.
   */
  lenient?: boolean;
  /**
   * Drop comments and indentation (node/lua-minify.ts), keeping line breaks so error line
   * numbers match the readable bundle. Board builds minify; test bundles stay readable.
   */
  minify?: boolean;
}

export interface LuaBuildResult {
  path: string;
  /** Formatted TSTL diagnostics tolerated in lenient mode ("" when clean). */
  warnings: string;
}

const TSTL_CODES = 100000;

/** Compiles one entry into outDir/<name>.lua; throws with the diagnostics on failure. */
export function buildLuaEntry(name: string, entry: string, options: LuaBuildOptions = {}): LuaBuildResult {
  const outDir = options.outDir ?? LUA_OUT_DIR;
  mkdirSync(outDir, { recursive: true });
  // Build beside the target and rename: a runtime reading the old bundle never sees half a file.
  const tmpDir = mkdtempSync(join(outDir, `.${name}-`));
  try {
    const warnings = buildInto(name, entry, tmpDir, options.lenient ?? false);
    if (options.minify === true) {
      const path = luaBundlePath(name, tmpDir);
      writeFileSync(path, minifyLua(readFileSync(path, "latin1")), "latin1");
    }
    renameSync(luaBundlePath(name, tmpDir), luaBundlePath(name, outDir));
    return { path: luaBundlePath(name, outDir), warnings };
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

function buildInto(name: string, entry: string, outDir: string, lenient: boolean): string {
  const luaDecls = join(ROOT, "firmware/targets/lua/lua.d.ts");
  const options = compilerOptions(name, entry, outDir);
  const program = ts.createProgram([join(ROOT, entry), luaDecls], options);
  const emitted = new tstl.Transpiler().emit({ program });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  const fatal = lenient ? errors.filter((d) => d.code < TSTL_CODES) : errors;
  if (fatal.length > 0) {
    throw new Error(`Lua build of ${entry} failed:\n${formatDiagnostics(fatal)}`);
  }
  return formatDiagnostics(errors);
}

/** Builds every entry (or the named ones). */
export function buildLua(names: string[] = Object.keys(LUA_ENTRIES), options: LuaBuildOptions = {}): LuaBuildResult[] {
  return names.map((name) => {
    const entry = LUA_ENTRIES[name];
    if (entry === undefined) {
      throw new Error(`unknown Lua entry '${name}' (known: ${Object.keys(LUA_ENTRIES).join(", ")})`);
    }
    return buildLuaEntry(name, entry, options);
  });
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      t = Math.max(t, newestMtime(p));
    } else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) {
      t = Math.max(t, statSync(p).mtimeMs);
    }
  }
  return t;
}

/** Sources that can end up in a Lua bundle: all of firmware/ and the portable runner. */
export function newestSourceMtime(): number {
  return Math.max(newestMtime(join(ROOT, "firmware")), newestMtime(join(ROOT, "test-vectors/runner")));
}

const reported = new Set<string>();

/**
 * The bundle path, rebuilt first (leniently) when it is missing or older than any source.
 * Tolerated TSTL diagnostics are printed once per process: `npm run build:lua` shows them too.
 */
export function ensureLuaBundle(name: string): string {
  const out = luaBundlePath(name);
  let built: number;
  try {
    built = statSync(out).mtimeMs;
  } catch {
    built = 0;
  }
  if (built === 0 || built < newestSourceMtime()) {
    const { warnings } = buildLua([name], { lenient: true })[0];
    if (warnings !== "" && !reported.has(warnings)) {
      reported.add(warnings);
      console.warn(`build/lua/${name}.lua built despite Lua-specific TSTL errors (those parts will fail at run time):\n${warnings}`);
    }
  }
  return out;
}

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  try {
    for (const r of buildLua(names.length > 0 ? names : undefined)) {
      console.log(`built ${relative(ROOT, r.path)}`);
    }
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main();
}
