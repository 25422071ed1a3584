// Smoke test of the agent benchmark: it runs, covers every scenario × provider and writes
// its JSON. (Speed is judged by running the benchmark, never by a test.)
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { main } from "./bench";

it("produces a row per scenario and provider with a measured floor", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "agent-bench-")), "r.json");
  expect(await main(["--budget-ms", "1", "--json", out])).toBe(0);
  const r = JSON.parse(readFileSync(out, "utf8"));
  expect(r.rows).toHaveLength(15);
  for (const row of r.rows) {
    expect(row.floorUs).toBeGreaterThan(0);
    if (row.provider !== "portable") expect(row.usPerOp).toBeGreaterThan(0);
  }
});
