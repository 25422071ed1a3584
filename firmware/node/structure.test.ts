// Repository structure rules from docs/architecture.md, checked on every test run:
// no import cycles anywhere; inside firmware/ the layers only import downwards; portable
// code never imports Node-only code (node/ folders, targets/) or npm packages.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCE_DIRS = ["firmware", "simulator", "relay-conformance", "boards", "flash", "test-vectors"];
const LAYERS = ["port", "crypto", "storage", "transport", "agent", "app"];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "node_modules" || name === "build") continue;
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(file, "utf8");
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(IMPORT)) out.push({ spec: m[1], typeOnly: /^\s*(import|export)\s+type\s/.test(m[0]) });
  for (const m of text.matchAll(DYNAMIC)) out.push({ spec: m[1], typeOnly: false });
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = resolve(dirname(from), spec.replace(/\.js$/, ""));
  for (const cand of [base + ".ts", join(base, "index.ts"), base]) {
    try {
      if (statSync(cand).isFile()) return cand;
    } catch {
      /* try the next candidate */
    }
  }
  return undefined;
}

const files = SOURCE_DIRS.flatMap((d) => {
  try {
    return tsFiles(join(ROOT, d));
  } catch {
    return [];
  }
});
const rel = (f: string) => relative(ROOT, f);
const isPortable = (f: string) => {
  const r = rel(f);
  return (
    (r.startsWith("firmware/") || /^test-vectors\/runner\/[^/]+\.ts$/.test(r)) &&
    !r.startsWith("firmware/targets/") &&
    !r.split("/").includes("node") &&
    !r.endsWith(".test.ts")
  );
};
const layerOf = (f: string) => {
  const parts = rel(f).split("/");
  return parts[0] === "firmware" ? LAYERS.indexOf(parts[1]) : -1;
};

describe("repository structure", () => {
  it("has no import cycles (runtime imports)", () => {
    const graph = new Map<string, string[]>();
    for (const f of files) {
      graph.set(
        f,
        importsOf(f)
          .filter((i) => !i.typeOnly)
          .map((i) => resolveLocal(f, i.spec))
          .filter((x): x is string => x !== undefined),
      );
    }
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 1);
      stack.push(f);
      for (const g of graph.get(f) ?? []) {
        if (state.get(g) === 1) cycles.push([...stack.slice(stack.indexOf(g)), g].map(rel).join(" → "));
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it("keeps portable code free of Node-only imports and npm packages", () => {
    const bad: string[] = [];
    for (const f of files.filter(isPortable)) {
      for (const { spec } of importsOf(f)) {
        const target = resolveLocal(f, spec);
        if (target === undefined) bad.push(`${rel(f)} imports package '${spec}'`);
        else if (!isPortable(target)) bad.push(`${rel(f)} imports Node-only ${rel(target)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("imports only downwards between firmware layers (port < crypto < storage < transport < agent < app)", () => {
    const bad: string[] = [];
    for (const f of files.filter((x) => layerOf(x) >= 0 && !rel(x).endsWith(".test.ts"))) {
      for (const { spec } of importsOf(f)) {
        const target = resolveLocal(f, spec);
        if (target && layerOf(target) > layerOf(f)) bad.push(`${rel(f)} → ${rel(target)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("never lets firmware import the relay, simulator or flash tooling", () => {
    const bad: string[] = [];
    for (const f of files.filter((x) => rel(x).startsWith("firmware/"))) {
      for (const { spec } of importsOf(f)) {
        const target = resolveLocal(f, spec);
        if (target && /^(relay-conformance|simulator|flash)\//.test(rel(target))) bad.push(`${rel(f)} → ${rel(target)}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
