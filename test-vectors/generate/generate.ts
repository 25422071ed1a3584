/**
 * `npm run vectors:generate`: regenerates every generated vector file (each generator is
 * deterministic from its fixed seed, so a rerun reproduces the committed files byte for
 * byte — `git diff` shows any change). Published vector files are transcribed, not generated.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const DIR = dirname(fileURLToPath(import.meta.url));
const GENERATORS = [
  "semantics.ts",
  "crosscheck-hashes.ts",
  "crosscheck-symmetric.ts",
  "crosscheck-curves.ts",
  "crosscheck-pq.ts",
  "ed25519-edge.ts",
  "agent-transcript.ts",
  "agent-properties.ts",
];

let failed = 0;
for (const g of GENERATORS) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(DIR, g)], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`vectors:generate: ${g} failed (exit ${r.status})`);
    failed++;
  }
}
process.exitCode = failed === 0 ? 0 : 1;
