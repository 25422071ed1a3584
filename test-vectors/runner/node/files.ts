/** Every vector file in test-vectors/ (the generator folder excluded), sorted. */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const VECTORS_DIR = fileURLToPath(new URL("../..", import.meta.url));

export function allVectorFiles(dir = VECTORS_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "generate" && name !== "runner") out.push(...allVectorFiles(p));
    } else if (name.endsWith(".json")) {
      out.push(p);
    }
  }
  return out;
}

export function shortName(path: string): string {
  return relative(VECTORS_DIR, path);
}
