/**
 * `npm run build:espruino`: bundles each Espruino entry with esbuild into one IIFE script
 * under build/espruino/<name>.js (ES2015 syntax, not minified; `--minify` to minify) and
 * refuses to write a bundle that Espruino 2v29 could not run (node/syntax-check.ts).
 */
import { mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import * as ts from "typescript";
import { newestSourceMtime } from "../lua/build";
import { checkEspruinoSyntax, formatViolations } from "./node/syntax-check";
import { ESPRUINO_ONLY_KEYWORDS } from "./node/espruino-api";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const ESPRUINO_OUT_DIR = join(ROOT, "build", "espruino");

/** One bundle per entry: name → entry source (relative to the repository root). */
export const ESPRUINO_ENTRIES: Record<string, string> = {
  vectors: "firmware/targets/espruino/vectors-main.ts",
  bench: "firmware/targets/espruino/bench-main.ts",
  /** HAL probe booted in the virtual Espruino (firmware/targets/probe). */
  "probe-hal": "firmware/targets/probe/espruino-main.ts",
};

export interface EspruinoBuildOptions {
  outDir?: string;
  minify?: boolean;
}

export function espruinoBundlePath(name: string, outDir = ESPRUINO_OUT_DIR): string {
  return join(outDir, `${name}.js`);
}


/**
 * Renames identifiers that are Espruino-only keywords (as bindings and references; property
 * names stay) to a name the bundle does not use yet.
 */
export function renameEspruinoKeywords(code: string): string {
  const file = ts.createSourceFile("bundle.js", code, ts.ScriptTarget.ES2015, true, ts.ScriptKind.JS);
  const edits: { at: number; word: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && ESPRUINO_ONLY_KEYWORDS.includes(node.text)) {
      const p = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(p) && p.name === node) ||
        ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isPropertyDeclaration(p)) && p.name === node);
      if (ts.isShorthandPropertyAssignment(p)) throw new Error(`bundle uses the Espruino keyword '${node.text}' as a shorthand property at offset ${node.getStart(file)}`);
      if (!isPropertyName) edits.push({ at: node.getStart(file), word: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (edits.length === 0) return code;
  const parts: string[] = [];
  let last = 0;
  for (const { at, word } of edits.sort((a, b) => a.at - b.at)) {
    let fresh = word + "$";
    while (code.includes(fresh)) fresh += "$";
    parts.push(code.slice(last, at), fresh);
    last = at + word.length;
  }
  parts.push(code.slice(last));
  return parts.join("");
}

/**
 * Espruino 2v29 does not bind a class expression's own name inside its body, and esbuild
 * writes `var Journal = class _Journal { … new _Journal() … }` for a class that refers to
 * itself (minified: `class t`): on Espruino that is "_Journal is not defined" at the first
 * call. Each named class expression becomes `(function(){var N=class{…};return N})()`,
 * which binds N in a scope Espruino has, without renaming anything in the body.
 */
export function unnameClassExpressions(code: string): string {
  const file = ts.createSourceFile("bundle.js", code, ts.ScriptTarget.ES2015, true, ts.ScriptKind.JS);
  const edits: { at: number; end: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassExpression(node) && node.name !== undefined) {
      const n = node.name.text;
      edits.push({ at: node.getStart(file), end: node.getStart(file), text: "(function(){var " + n + "=" });
      edits.push({ at: node.name.getStart(file), end: node.name.end, text: "" });
      edits.push({ at: node.end, end: node.end, text: ";return " + n + "})()" });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = code;
  // From the end backwards so earlier offsets stay valid; a class's own edits never overlap.
  for (const e of edits.sort((x, y) => y.at - x.at || y.end - x.end)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return out;
}

/** Bundles one entry file (absolute or repo-relative); throws on esbuild errors or Espruino violations. */
export async function buildEspruinoEntry(name: string, entry: string, options: EspruinoBuildOptions = {}): Promise<string> {
  const outDir = options.outDir ?? ESPRUINO_OUT_DIR;
  const result = await esbuild.build({
    entryPoints: [join(ROOT, relative(ROOT, entry))],
    absWorkingDir: ROOT,
    bundle: true,
    format: "iife",
    target: "es2015",
    platform: "neutral",
    minify: options.minify ?? false,
    // Class fields become constructor assignments (Espruino has no class fields).
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    legalComments: "none",
    charset: "ascii",
    write: false,
    logLevel: "silent",
  });
  const code = unnameClassExpressions(renameEspruinoKeywords(result.outputFiles[0].text));
  const out = espruinoBundlePath(name, outDir);
  const violations = checkEspruinoSyntax(code, out);
  if (violations.length > 0) {
    throw new Error(`Espruino build of ${relative(ROOT, entry)}: ${violations.length} construct(s) Espruino cannot run:\n${formatViolations(relative(ROOT, out), violations)}`);
  }
  mkdirSync(outDir, { recursive: true });
  // Write beside the target and rename: a reader never sees half a bundle.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, out);
  return out;
}

export async function buildEspruino(names: string[] = Object.keys(ESPRUINO_ENTRIES), options: EspruinoBuildOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) {
    const entry = ESPRUINO_ENTRIES[name];
    if (entry === undefined) {
      throw new Error(`unknown Espruino entry '${name}' (known: ${Object.keys(ESPRUINO_ENTRIES).join(", ")})`);
    }
    out.push(await buildEspruinoEntry(name, entry, options));
  }
  return out;
}

/** The bundle path, rebuilt first when it is missing or older than any source. */
export async function ensureEspruinoBundle(name: string): Promise<string> {
  const out = espruinoBundlePath(name);
  let built: number;
  try {
    built = statSync(out).mtimeMs;
  } catch {
    built = 0;
  }
  if (built === 0 || built < newestSourceMtime()) {
    await buildEspruino([name]);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const minify = argv.includes("--minify");
  const names = argv.filter((a) => a !== "--minify");
  try {
    for (const p of await buildEspruino(names.length > 0 ? names : undefined, { minify })) {
      console.log(`built ${relative(ROOT, p)} (${statSync(p).size} bytes)`);
    }
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
