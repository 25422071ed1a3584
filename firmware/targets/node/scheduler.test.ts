// The shared scheduler: deadline order (ties in creation order), cancel, timers set from
// inside callbacks, virtual advance and runUntil, real-clock firing, timeouts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DirFs } from "./dir-fs";
import { Scheduler } from "./scheduler";

describe("Scheduler", () => {
  it("virtual: runs timers in deadline order, ties in creation order, skips cancelled ones", () => {
    const s = new Scheduler({ mode: "virtual" });
    const seen: string[] = [];
    s.setTimer(30, () => seen.push(`c@${s.now()}`));
    s.setTimer(10, () => {
      seen.push(`a@${s.now()}`);
      s.setTimer(5, () => seen.push(`a2@${s.now()}`));
    });
    s.setTimer(10, () => seen.push(`b@${s.now()}`));
    const gone = s.setTimer(20, () => seen.push("cancelled"));
    s.cancel(gone);
    s.advance(25);
    expect(seen).toEqual(["a@10", "b@10", "a2@15"]);
    expect(s.now()).toBe(25);
    expect(s.pending()).toBe(1);
    s.advance(5);
    expect(seen).toEqual(["a@10", "b@10", "a2@15", "c@30"]);
    expect(s.pending()).toBe(0);
  });

  it("virtual: runUntil jumps to the next deadline and times out in device time", async () => {
    const s = new Scheduler({ mode: "virtual" });
    let fired = false;
    s.setTimer(3_600_000, () => (fired = true));
    await s.runUntil(() => fired, { timeoutMs: 4_000_000 });
    expect(s.now()).toBe(3_600_000);
    await expect(s.runUntil(() => false, { timeoutMs: 50, what: "nothing" })).rejects.toThrow(/timed out after 50 ms \(virtual\) waiting for nothing/);
  });

  it("virtual: no jump while an I/O hold is open", async () => {
    const s = new Scheduler({ mode: "virtual" });
    let fired = false;
    s.setTimer(1000, () => (fired = true));
    const release = s.hold();
    let heldFor = 0;
    await s.runUntil(() => ++heldFor > 20 || fired, { timeoutMs: 5000 });
    expect(fired).toBe(false);
    expect(s.now()).toBe(0);
    release();
    release();
    await s.runUntil(() => fired, { timeoutMs: 5000 });
    expect(s.now()).toBe(1000);
  });

  it("a throwing callback goes to onError and the queue keeps running", () => {
    const errors: unknown[] = [];
    const s = new Scheduler({ mode: "virtual", onError: (e) => errors.push(e) });
    let ran = false;
    s.setTimer(1, () => {
      throw new Error("x");
    });
    s.setTimer(2, () => (ran = true));
    s.advance(5);
    expect(errors).toHaveLength(1);
    expect(ran).toBe(true);
  });

  it("real: fires on the wall clock and close() cancels everything", async () => {
    const s = new Scheduler({ mode: "real" });
    const order: number[] = [];
    s.setTimer(20, () => order.push(2));
    s.setTimer(5, () => order.push(1));
    s.setTimer(10_000, () => order.push(3));
    await s.runUntil(() => order.length === 2, { timeoutMs: 2_000 });
    expect(order).toEqual([1, 2]);
    s.close();
    expect(s.pending()).toBe(0);
  });

  it("rejects bad delays", () => {
    const s = new Scheduler({ mode: "virtual" });
    expect(() => s.setTimer(-1, () => {})).toThrow(/bad delay/);
    expect(() => s.setTimer(Number.NaN, () => {})).toThrow(/bad delay/);
  });
});

describe("DirFs", () => {
  it("keeps StorageFs semantics on a host directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsense-dirfs-"));
    try {
      const fs = new DirFs(join(dir, "card"));
      expect(fs.read("a")).toBeUndefined();
      fs.append("b", new Uint8Array([1, 2]));
      fs.append("b", new Uint8Array([3]));
      fs.write("a", new Uint8Array(0));
      expect([...(fs.read("b") as Uint8Array)]).toEqual([1, 2, 3]);
      expect(fs.read("a")?.length).toBe(0);
      fs.truncate("b", 1);
      expect([...(fs.read("b") as Uint8Array)]).toEqual([1]);
      expect(fs.list()).toEqual(["a", "b"]);
      fs.remove("a");
      fs.remove("a");
      expect(fs.list()).toEqual(["b"]);
      expect(() => fs.write("../x", new Uint8Array(1))).toThrow(/bad file name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
