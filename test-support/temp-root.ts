/**
 * vitest globalSetup: the run's temporary files go under one directory, removed when the
 * run ends. Tests, and the relays, benches and runtimes they start, all take os.tmpdir(),
 * which reads TMPDIR, and the test workers are started after this with its environment;
 * without it every `npm test` left a hundred or more directories in /tmp.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "tsense-test-"));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
