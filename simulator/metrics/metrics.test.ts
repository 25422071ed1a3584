import { describe, expect, it } from "vitest";
import { LOST_IN_FLIGHT_AT_END, LatencyHistogram, MetricsCollector, ProgressLine, SampleSet, assertionExitCode, evaluateAssertions, formatProgress, formatSummary, parseAssertions } from "./index";

describe("percentiles", () => {
  it("nearest rank, exact", () => {
    const s = new SampleSet();
    for (const x of [15, 20, 35, 40, 50]) s.add(x);
    expect(s.percentile(5)).toBe(15);
    expect(s.percentile(30)).toBe(20);
    expect(s.percentile(40)).toBe(20);
    expect(s.percentile(50)).toBe(35);
    expect(s.percentile(100)).toBe(50);
    const big = new SampleSet();
    for (let i = 5000; i >= 1; i--) big.add(i); // grows past the initial buffer, unsorted
    expect(big.percentile(99)).toBe(4950);
    expect(big.percentile(50)).toBe(2500);
    expect(big.max()).toBe(5000);
    expect(big.mean()).toBe(2500.5);
    expect(new SampleSet().percentile(50)).toBeNaN();
    expect(() => s.percentile(0)).toThrow(/\(0, 100\]/);
  });

  it("histogram estimates bound the exact value from above within a bucket", () => {
    const h = new LatencyHistogram();
    const s = new SampleSet();
    for (let i = 1; i <= 1000; i++) {
      h.add(i * 0.37);
      s.add(i * 0.37);
    }
    const exact = s.percentile(99);
    expect(h.estimate(99)).toBeGreaterThanOrEqual(exact);
    expect(h.estimate(99)).toBeLessThan(exact * 1.26);
    expect(h.buckets().reduce((a, b) => a + b.count, 0)).toBe(1000);
  });
});

describe("MetricsCollector", () => {
  it("accounts for every reading: delivered, duplicate, out of order, lost with reasons", () => {
    const m = new MetricsCollector({ deviceCount: 2, durationMs: 10_000, bins: 10, deviceNames: ["a", "b"] });
    m.connected(0);
    m.connected(1);
    for (let seq = 0; seq < 5; seq++) {
      m.sent(0, seq, seq * 1000);
      m.sent(1, seq, seq * 1000 + 10);
    }
    expect(m.delivered(0, 0, 20)).toBe("delivered");
    expect(m.delivered(0, 2, 2040)).toBe("delivered");
    expect(m.delivered(0, 1, 2050)).toBe("delivered"); // out of order
    expect(m.delivered(0, 1, 2060)).toBe("duplicate");
    expect(m.delivered(0, 99, 2060)).toBe("unknown");
    m.lost(0, 3, "power cut");
    expect(m.delivered(1, 0, 40)).toBe("delivered");
    expect(m.lostAllPending(1, "link down")).toBe(4);
    expect(m.delivered(1, 4, 4500)).toBe("late"); // counted lost, arrived after all
    expect(m.inFlight(0)).toBe(1);
    m.disconnected(1, "link loss");
    m.connected(1);
    m.handshake(12);
    m.handshake(30);
    m.decryptFailure();
    const s = m.finish(10_000);
    expect(s.sent).toBe(10);
    expect(s.delivered).toBe(5);
    expect(s.lost).toBe(5);
    expect(s.lostByReason).toEqual({ "link down": 3, "power cut": 1, [LOST_IN_FLIGHT_AT_END]: 1 });
    expect(s.accounted).toBe(true);
    expect(s.deliveryRatio).toBe(0.5);
    expect(s.duplicates).toBe(1);
    expect(s.unknown).toBe(1);
    expect(s.outOfOrder).toBe(1);
    expect(s.lateAfterLost).toBe(1);
    expect(s.latencyMs).toMatchObject({ count: 5, p50: 40, p95: 1050, max: 1050 }); // 20, 30, 40, 490, 1050
    expect(s.handshakes).toBe(2);
    expect(s.handshakeMs.p99).toBe(30);
    expect(s.reconnects).toBe(1);
    expect(s.connects).toBe(3);
    expect(s.connectedAtEnd).toBe(2);
    expect(s.disconnectsByReason).toEqual({ "link loss": 1 });
    expect(s.decryptFailures).toBe(1);
    expect(s.maxDeliveryGapDevice).toBe("a"); // silent from 2050 ms to the end
    expect(s.maxDeliveryGapMs).toBe(7950);
    expect(m.finish(20_000)).toBe(s); // idempotent
    const series = m.series();
    expect(series.sent.reduce((a, b) => a + b)).toBe(10);
    expect(series.deliveredOfSent[0]).toBe(2);
    expect(series.heatSent[0 * 10 + 3]).toBe(1);
    expect(series.heatDelivered[0 * 10 + 3]).toBe(0);
    expect(series.heatDelivered[1 * 10 + 4]).toBe(1);
  });

  it("rejects misuse with clear errors", () => {
    const m = new MetricsCollector({ deviceCount: 1, durationMs: 1000 });
    m.sent(0, 7, 0);
    expect(() => m.sent(0, 7, 1)).toThrow(/sent seq 7 twice/);
    expect(() => m.sent(3, 0, 0)).toThrow(/no device 3/);
    expect(() => m.lost(0, 8, "x")).toThrow(/not in flight/);
    expect(() => new MetricsCollector({ deviceCount: 1, durationMs: 0 })).toThrow(/durationMs/);
  });

  it("forgets resolved readings below the watermark", () => {
    const m = new MetricsCollector({ deviceCount: 1, durationMs: 1000 });
    for (let i = 0; i < 10_000; i++) {
      m.sent(0, i, i / 10);
      m.delivered(0, i, i / 10 + 5);
    }
    expect(m.delivered(0, 5, 999)).toBe("duplicate");
    const s = m.finish(1000);
    expect(s.latencyMs.p99).toBe(5);
    expect(s.deliveryRatio).toBe(1);
  });

  it("live snapshot and progress line", () => {
    const m = new MetricsCollector({ deviceCount: 3, durationMs: 60_000 });
    m.connected(0);
    m.sent(0, 0, 0);
    m.delivered(0, 0, 42);
    const snap = m.snapshot(12_000);
    expect(snap).toMatchObject({ connected: 1, sent: 1, delivered: 1, devices: 3 });
    const line = formatProgress(snap);
    expect(line).toContain("connected 1/3");
    expect(line).toContain("delivered 1 (100.0%)");
    expect(line).toMatch(/p99≈\d+ms/);
    let out = "";
    let wall = 0;
    const tty = new ProgressLine({ isTTY: true, write: (t: string) => (out += t) }, { wallClock: () => wall });
    tty.update(snap);
    tty.update(snap); // throttled
    wall = 500;
    tty.update(snap);
    tty.done();
    expect(out.split("\r").length - 1).toBe(2);
    expect(out.endsWith("\n")).toBe(true);
    out = "";
    const log = new ProgressLine({ write: (t: string) => (out += t) }, { wallClock: () => wall });
    log.update(snap);
    log.update(snap);
    expect(out.split("\n").length - 1).toBe(1);
    expect(out.includes("\r")).toBe(false);
    expect(formatSummary(m.finish(60_000))).toContain("all accounted for");
  });
});

describe("assertions", () => {
  function summary(): ReturnType<MetricsCollector["finish"]> {
    const m = new MetricsCollector({ deviceCount: 1, durationMs: 1000 });
    for (let i = 0; i < 1000; i++) {
      m.sent(0, i, i);
      if (i !== 500) m.delivered(0, i, i + (i % 100));
    }
    return m.finish(2000);
  }

  it("parses conditions with units", () => {
    expect(parseAssertions("delivery>=0.999, p99<250ms,duplicates==0")).toEqual([
      { text: "delivery>=0.999", metric: "delivery", op: ">=", value: 0.999 },
      { text: "p99<250ms", metric: "p99", op: "<", value: 250 },
      { text: "duplicates==0", metric: "duplicates", op: "==", value: 0 },
    ]);
    expect(parseAssertions("delivery>=99.9%")[0].value).toBeCloseTo(0.999, 12);
    expect(parseAssertions("p99<0.25s")[0].value).toBe(250);
    expect(parseAssertions("memoryPerDevice<=64KiB")[0].value).toBe(65536);
    expect(parseAssertions("lost=0")[0].op).toBe("==");
  });

  it("reports every bad condition", () => {
    expect(() => parseAssertions("latency<3ms,p99<3kg,lost<2ms,delivery")).toThrow(
      [
        `--assert: unknown metric "latency" (known: delivery, p50,`,
      ].join("\n"),
    );
    try {
      parseAssertions("latency<3ms,p99<3kg,lost<2ms,delivery");
    } catch (e) {
      const lines = (e as Error).message.split("\n");
      expect(lines.length).toBe(4);
      expect(lines[1]).toBe(`--assert: p99 does not take unit "kg" (use ms, s, m or none)`);
      expect(lines[2]).toBe(`--assert: lost does not take unit "ms" (it is a plain number)`);
      expect(lines[3]).toBe(`--assert: cannot read "delivery"; expected <metric><op><value>, e.g. "p99<250ms"`);
    }
    expect(() => parseAssertions(" , ")).toThrow(/no conditions/);
  });

  it("evaluates against a summary and sets the exit code", () => {
    const s = summary();
    const good = evaluateAssertions(parseAssertions("delivery>=0.999,p99<250ms,lost==1"), s);
    expect(good.ok).toBe(true);
    expect(good.results[1].message).toBe("PASS p99<250ms (actual 99.0 ms)");
    expect(assertionExitCode(good)).toBe(0);
    const bad = evaluateAssertions(parseAssertions("delivery>=99.95%,p50<10ms"), s);
    expect(bad.ok).toBe(false);
    expect(bad.results.map((r) => r.pass)).toEqual([false, false]);
    expect(bad.results[0].message).toBe("FAIL delivery>=99.95% (actual 99.900%)");
    expect(assertionExitCode(bad)).toBe(1);
    expect(assertionExitCode(undefined)).toBe(0);
  });
});
