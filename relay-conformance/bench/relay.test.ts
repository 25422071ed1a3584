// Smoke test of `npm run bench -- relay` on a few connections: every line of a round with
// each load generator, no errors, and clear refusals of bad flags. (Speed is judged by
// running the benchmark, never by a test.)
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildLoadgen } from "./native/build";
import { main } from "./relay";

const native = buildLoadgen().ok;

async function bench(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  const err = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    const code = await main(args);
    return { code, out: lines.join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

const SMALL = ["--connections", "4", "--seconds", "0.3", "--rounds", "1", "--workers", "1"];

describe("bench relay", () => {
  afterEach(() => vi.restoreAllMocks());

  it.skipIf(!native)("runs floor, TLS echo and the own workload with the native load generator", async () => {
    const r = await bench([...SMALL, "--loadgen", "native"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("load generator native (C)");
    expect(r.out).toMatch(/TCP block echo \(floor\)\s+:\s+\d+ round trips\/s/);
    expect(r.out).toMatch(/TLS block echo chacha20\s+:\s+\d+ round trips\/s/);
    expect(r.out).toMatch(/own {3}1 process\s+:\s+\d+ msg\/s .*\(errors 0\)/);
    expect(r.out).not.toContain("cross");
  });

  it("runs both workloads with the Node load generator", async () => {
    const r = await bench([...SMALL, "--loadgen", "node", "--tls-echo", "none"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("load generator node");
    expect(r.out).toMatch(/own {3}1 process\s+:\s+\d+ msg\/s .*\(errors 0\)/);
    expect(r.out).toMatch(/cross 1 process\s+:\s+\d+ msg\/s .*\(errors 0\)/);
  });

  it("refuses a bad --loadgen, and cross with the native one", async () => {
    expect((await bench(["--loadgen", "java"])).out).toContain('--loadgen: expected native or node, got "java"');
    if (native) {
      const r = await bench([...SMALL, "--loadgen", "native", "--workloads", "cross"]);
      expect(r.code).toBe(2);
      expect(r.out).toContain("the cross workload runs only with --loadgen node");
    }
  });
});
