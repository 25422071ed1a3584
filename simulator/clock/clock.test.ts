import { createServer, connect, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { Scheduler as FirmwareScheduler } from "../../firmware/targets/node/scheduler";
import { DeviceClock, EventQueue, Scheduler } from "./index";

/** A tiny seeded generator for shuffling test input. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("EventQueue", () => {
  it("pops by time, then by insertion order", () => {
    const q = new EventQueue<string>();
    q.push(5, "a");
    q.push(1, "b");
    q.push(5, "c");
    q.push(1, "d");
    q.push(3, "e");
    const out: string[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.value);
    expect(out).toEqual(["b", "d", "e", "a", "c"]);
  });

  it("matches a stable sort on 5000 random entries with cancels", () => {
    const rnd = lcg(7);
    const q = new EventQueue<number>();
    const entries = [];
    for (let i = 0; i < 5000; i++) entries.push(q.push(Math.floor(rnd() * 100), i));
    const cancelled = new Set<number>();
    for (let i = 0; i < 5000; i += 3) {
      expect(q.cancel(entries[i])).toBe(true);
      cancelled.add(i);
    }
    expect(q.cancel(entries[0])).toBe(false);
    expect(q.size).toBe(5000 - cancelled.size);
    const expected = entries
      .filter((e) => !cancelled.has(e.value))
      .sort((a, b) => a.time - b.time || a.seq - b.seq)
      .map((e) => e.value);
    const out: number[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.value);
    expect(out).toEqual(expected);
    expect(q.size).toBe(0);
  });

  it("rejects a non-finite time", () => {
    expect(() => new EventQueue<number>().push(NaN, 1)).toThrow(/finite/);
  });
});

describe("Scheduler, stepped", () => {
  it("runs timers in (time, insertion) order and advances virtual time", () => {
    const s = new Scheduler({ mode: { mode: "stepped" } });
    const log: string[] = [];
    s.at(20, () => log.push(`b@${s.now()}`));
    s.at(10, () => {
      log.push(`a@${s.now()}`);
      s.after(10, () => log.push(`c@${s.now()}`)); // same time as b, added later
      s.post(() => log.push(`a2@${s.now()}`));
    });
    const r = s.runSync(100);
    expect(log).toEqual(["a@10", "a2@10", "b@20", "c@20"]);
    expect(r).toEqual({ endMs: 100, tasks: 4, stopped: false });
    expect(s.now()).toBe(100);
  });

  it("cancel stops a timer; a fired timer cannot be cancelled", () => {
    const s = new Scheduler({ mode: { mode: "stepped" } });
    const log: number[] = [];
    const t1 = s.at(5, () => log.push(1));
    const t2 = s.at(6, () => log.push(2));
    expect(t2.cancel()).toBe(true);
    expect(t2.cancel()).toBe(false);
    s.runSync(10);
    expect(log).toEqual([1]);
    expect(t1.cancel()).toBe(false);
    expect(s.pending).toBe(0);
  });

  it("leaves later events for the next run and clamps past times to now", () => {
    const s = new Scheduler({ mode: { mode: "stepped" } });
    const log: number[] = [];
    s.at(50, () => log.push(s.now()));
    s.runSync(30);
    expect(log).toEqual([]);
    s.at(10, () => log.push(s.now())); // in the past: runs at 30
    s.runSync(60);
    expect(log).toEqual([30, 50]);
  });

  it("is deterministic: one seed gives one transcript for 2000 devices", () => {
    function transcript(seed: number): string {
      const rnd = lcg(seed);
      const s = new Scheduler({ mode: { mode: "stepped" } });
      const lines: string[] = [];
      for (let d = 0; d < 2000; d++) {
        const interval = 1000 + Math.floor(rnd() * 4) * 500;
        const tick = (): void => {
          lines.push(`${d}:${s.now()}`);
          s.after(interval, tick);
        };
        s.at(Math.floor(rnd() * 1000), tick);
      }
      s.runSync(10_000);
      return lines.join(",");
    }
    const a = transcript(1);
    expect(transcript(1)).toBe(a);
    expect(transcript(2)).not.toBe(a);
    expect(a.split(",").length).toBeGreaterThan(10_000);
  });

  it("stop() ends a run early", async () => {
    const s = new Scheduler({ mode: { mode: "stepped" } });
    s.at(5, () => s.stop());
    let ran = false;
    s.at(6, () => (ran = true));
    const r = await s.run(100);
    expect(r.stopped).toBe(true);
    expect(r.endMs).toBe(5);
    expect(ran).toBe(false);
  });

  it("hold() keeps time still until a loopback reply arrives", async () => {
    const server = createServer((sock) => sock.on("data", (d) => sock.write(d)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const s = new Scheduler({ mode: { mode: "stepped" } });
      const log: string[] = [];
      s.at(10, () => {
        const release = s.hold();
        const sock = connect(port, "127.0.0.1", () => sock.write("ping"));
        sock.on("data", (d) => {
          s.post(() => log.push(`reply ${d} @${s.now()}`));
          sock.destroy();
          release();
        });
      });
      s.at(11, () => log.push(`later @${s.now()}`));
      await s.run(20, { maxWallMs: 5000 });
      expect(log).toEqual(["reply ping @10", "later @11"]);
    } finally {
      server.close();
    }
  });

  it("runSync refuses to wait for a hold", () => {
    const s = new Scheduler({ mode: { mode: "stepped" } });
    s.at(1, () => void s.hold());
    s.at(2, () => undefined);
    expect(() => s.runSync(5)).toThrow(/hold/);
  });

  it("a task error rejects the run, or goes to onTaskError", async () => {
    const s = new Scheduler({ mode: { mode: "stepped" } });
    s.at(1, () => {
      throw new Error("boom");
    });
    await expect(s.run(5)).rejects.toThrow("boom");
    const errors: unknown[] = [];
    const s2 = new Scheduler({ mode: { mode: "stepped" }, onTaskError: (e) => errors.push(e) });
    s2.at(1, () => {
      throw new Error("boom");
    });
    let after = false;
    s2.at(2, () => (after = true));
    await s2.run(5);
    expect(errors.length).toBe(1);
    expect(after).toBe(true);
  });
});

describe("Scheduler, realtime and accelerated", () => {
  it("accelerated: virtual time follows a fake wall clock × speed", async () => {
    let wall = 1000;
    const s = new Scheduler({ mode: { mode: "accelerated", speed: 100 }, wallClock: () => wall });
    const seen: number[] = [];
    s.at(500, () => seen.push(s.now()));
    // Advance the fake wall clock in steps from a real interval.
    const iv = setInterval(() => (wall += 2), 1);
    try {
      const r = await s.run(1000, { maxWallMs: 5000 });
      expect(r.endMs).toBeGreaterThanOrEqual(1000);
    } finally {
      clearInterval(iv);
    }
    expect(seen.length).toBe(1);
    expect(seen[0]).toBeGreaterThanOrEqual(500);
    expect(seen[0]).toBeLessThan(1000);
  });

  it("accelerated with the real clock: 2 s of virtual time at speed 100 takes about 20 ms", async () => {
    const s = new Scheduler({ mode: { mode: "accelerated", speed: 100 } });
    let n = 0;
    const tick = (): void => {
      n++;
      s.after(100, tick);
    };
    s.after(100, tick);
    const t0 = performance.now();
    await s.run(2000, { maxWallMs: 5000 });
    const took = performance.now() - t0;
    expect(n).toBe(20);
    expect(took).toBeGreaterThanOrEqual(15);
    expect(took).toBeLessThan(2000);
  });

  it("realtime: an I/O callback's post() wakes a sleeping loop", async () => {
    const s = new Scheduler({ mode: { mode: "realtime" } });
    let at = -1;
    setTimeout(() => s.post(() => (at = s.now())), 20);
    s.at(60_000, () => undefined);
    s.at(40, () => s.stop());
    const r = await s.run(60_000, { maxWallMs: 5000 });
    expect(r.stopped).toBe(true);
    expect(at).toBeGreaterThanOrEqual(15);
    expect(at).toBeLessThan(40);
  });

  it("maxWallMs bounds a run", async () => {
    const s = new Scheduler({ mode: { mode: "realtime" } });
    await expect(s.run(60_000, { maxWallMs: 30 })).rejects.toThrow(/wall time/);
  });

  it("sleep() resolves in virtual time", async () => {
    const s = new Scheduler({ mode: { mode: "stepped" } });
    const times: number[] = [];
    void (async () => {
      await s.sleep(100);
      times.push(s.now());
      await s.sleep(50);
      times.push(s.now());
    })();
    // Promise continuations run between events once run() yields; give it holds-free stepping.
    await s.run(120);
    await s.run(200);
    expect(times[0]).toBe(100);
    expect(times.length).toBeGreaterThanOrEqual(1);
  });

  it("rejects a bad speed", () => {
    expect(() => new Scheduler({ mode: { mode: "accelerated", speed: 0 } })).toThrow(/speed/);
  });
});

describe("DeviceClock", () => {
  it("applies offset and ppm, and converts local delays", () => {
    const s = new Scheduler({ mode: { mode: "stepped" } });
    const fast = new DeviceClock(s, { offsetMs: 250, ppm: 1000 }); // 0.1 % fast
    const fired: number[] = [];
    fast.after(10_010, () => fired.push(s.now()));
    s.runSync(20_000);
    expect(fast.now()).toBeCloseTo(250 + 20_020, 6);
    expect(fired[0]).toBeCloseTo(10_000, 6);
  });

  it("stays continuous when skew changes", () => {
    const s = new Scheduler({ mode: { mode: "stepped" } });
    const c = new DeviceClock(s);
    s.runSync(1000);
    expect(c.now()).toBe(1000);
    c.setPpm(-500_000); // half speed
    s.runSync(2000);
    expect(c.now()).toBe(1500);
    c.step(-100);
    expect(c.now()).toBe(1400);
    expect(c.toGlobal(1500)).toBe(2200);
    expect(() => c.setPpm(-2e6)).toThrow(/ppm/);
  });
});

describe("Transcript", () => {
  it("hashes the event lines; same events, same hash", async () => {
    const { Transcript } = await import("./index");
    const a = new Transcript({ keepLines: true });
    const b = new Transcript();
    for (const t of [a, b]) {
      t.record(10, "dev-1", "sent", 0);
      t.record(12.5, "dev-1", "delivered", 0);
    }
    expect(a.digest()).toBe(b.digest());
    expect(a.digest()).toMatch(/^[0-9a-f]{64}$/);
    expect(a.lines).toEqual(["10\tdev-1\tsent\t0\n", "12.5\tdev-1\tdelivered\t0\n"]);
    const before = a.digest();
    a.record(13, "x");
    expect(a.digest()).not.toBe(before);
    expect(a.length).toBe(3);
  });
});

describe("quietMs and HalTimers", () => {
  it("stepped time waits for quiet before jumping ahead", async () => {
    const s = new Scheduler({ mode: { mode: "stepped" }, quietMs: 30 });
    const t0 = performance.now();
    s.at(0, () => s.activity());
    s.at(1000, () => undefined);
    await s.run(2000, { maxWallMs: 5000 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it("serves the HAL's timer face through a skewed device clock", async () => {
    const { HalTimers } = await import("./index");
    const s = new Scheduler({ mode: { mode: "stepped" } });
    const hal = new HalTimers(s, new DeviceClock(s, { ppm: 1e6 })); // device clock runs 2x
    const fired: number[] = [];
    const a = hal.setTimer(1000, () => fired.push(s.now()));
    const b = hal.setTimer(3000, () => fired.push(s.now()));
    hal.setTimer(4000, () => fired.push(s.now()));
    expect(hal.pending()).toBe(3);
    hal.cancel(b);
    s.runSync(1000);
    expect(fired).toEqual([500]);
    expect(hal.now()).toBe(2000);
    hal.cancel(a); // already fired: harmless
    hal.cancelAll();
    s.runSync(5000);
    expect(fired).toEqual([500]);
    expect(hal.pending()).toBe(0);
    // Structurally what firmware/targets/node/node-hal.ts uses of its scheduler.
    const face: Pick<FirmwareScheduler, "now" | "setTimer" | "cancel" | "activity" | "hold"> = hal;
    expect(typeof face.hold()).toBe("function");
  });
  it("keeps one virtual time for schedulers sharing a wall-clock anchor, across and between runs", async () => {
    let wall = 1_000_000;
    const clock = () => wall;
    const a = new Scheduler({ mode: { mode: "accelerated", speed: 10 }, wallClock: clock });
    const b = new Scheduler({ mode: { mode: "accelerated", speed: 10 }, wallClock: clock });
    a.anchorAt(999_000, 0);
    b.anchorAt(999_000, 0);
    expect(a.now()).toBe(10_000);
    expect(b.now()).toBe(10_000);
    wall += 50; // time flows while neither runs
    expect(a.now()).toBe(10_500);
    const run = b.run(20_000);
    wall += 20;
    b.stop();
    await run;
    expect(b.now()).toBe(a.now());
    expect(() => new Scheduler({ mode: { mode: "stepped" } }).anchorAt(0)).toThrow(/stepped/);
  });
});
