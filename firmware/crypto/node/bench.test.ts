// Smoke test of the crypto benchmark: one primitive, quick mode, checks the table's shape
// and the JSON report (not the speed: numbers are measured, never asserted).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main, type BenchResult } from "./bench";

const dir = mkdtempSync(join(tmpdir(), "tsense-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tsense bench crypto --quick", () => {
  it("prints a table with a row per workload and a column per provider and runtime", async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((s: string) => void out.push(String(s)));
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    const json = join(dir, "bench.json");
    let code: number;
    try {
      code = await main(["--quick", "--only", "sha256 1KiB", "--json", json]);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
    expect(code).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/^\| primitive \| unit \| native \| noble \| portable \| portable on (lua5\.3 5\.3\.\d+|wasmoon \(Lua 5\.4\)|lua \(failed\)) \|$/m);
    expect(text).toMatch(/^\| sha256 1KiB \| MB\/s \| [\d.]+ \| [\d.]+ \(0?\.?[\d.]+×\) \| ([\d.]+ \([\d.e-]+×\)|n\/a \(.+\)) \| .+ \|$/m);
    expect(text).toMatch(/portable on node within 3× of noble/);
    expect(text).toMatch(/X25519 on lua5\.3 under 80 ms: not measured/);
    const r = JSON.parse(readFileSync(json, "utf8")) as BenchResult;
    expect(r.rows.map((row) => row.name)).toEqual(["sha256 1KiB"]);
    expect(r.columns.slice(0, 3)).toEqual(["native", "noble", "portable"]);
    expect(r.rows[0].cells.native.rate).toBeGreaterThan(0);
  });

  it("rejects an unknown workload", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await main(["--quick", "--no-lua", "--only", "nonesuch"])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
