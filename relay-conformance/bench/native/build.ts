/**
 * Builds the native load generator (loadgen.c) on demand into a cache outside the tree,
 * keyed by a hash of the source: the first bench run compiles it (~1 s), later runs reuse
 * it. Needs gcc, OpenSSL 3 and libsodium headers (Debian: gcc libssl-dev libsodium-dev);
 * without them the result says which step failed, in one line, and the bench falls back
 * to its Node load generator.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, "loadgen.c");
const CACHE = join(HERE, "..", "..", "..", "node_modules", ".cache", "tsense");
export const LOADGEN_CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11"];
export const LOADGEN_LIBS = ["-lssl", "-lcrypto", "-lsodium"];

export type LoadgenBuild = { ok: true; path: string; built: boolean } | { ok: false; error: string };

export function buildLoadgen(): LoadgenBuild {
  const source = readFileSync(SOURCE);
  const hash = createHash("sha256").update(source).update(LOADGEN_CFLAGS.join(" ")).digest("hex").slice(0, 16);
  const dir = join(CACHE, `loadgen-${hash}`);
  const path = join(dir, "loadgen");
  if (existsSync(path)) return { ok: true, path, built: false };
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    execFileSync("gcc", [...LOADGEN_CFLAGS, SOURCE, "-o", tmp, ...LOADGEN_LIBS], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === "ENOENT") return { ok: false, error: "gcc not found (Debian: apt-get install gcc libssl-dev libsodium-dev)" };
    const first = (err.stderr?.toString() ?? String(e)).split("\n").find((l) => /error|fatal/.test(l)) ?? "gcc failed";
    return { ok: false, error: `cannot build the native load generator: ${first.trim()} (Debian: apt-get install libssl-dev libsodium-dev)` };
  }
  renameSync(tmp, path); // atomic: a parallel build never runs a half-written binary
  return { ok: true, path, built: true };
}
