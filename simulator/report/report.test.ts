import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MetricsCollector, evaluateAssertions, parseAssertions } from "../metrics/index";
import { Rng } from "../models/rng";
import { MAX_HEAT_ROWS, REPORT_FORMAT, escapeHtml, findChromium, pngStats, renderInChromium, renderReportHtml, reportData, writeReport } from "./index";

/** A small synthetic run: 30 devices, 5 min, a link-loss window for devices 0–4, a few slow deliveries. */
function syntheticRun(devices = 30, durationMs = 300_000, intervalMs = 10_000) {
  const names = Array.from({ length: devices }, (_, i) => `dev-${String(i + 1).padStart(3, "0")}`);
  const m = new MetricsCollector({ deviceCount: devices, durationMs, bins: 60, deviceNames: names });
  const rng = new Rng("report-test");
  for (let d = 0; d < devices; d++) {
    m.connected(d);
    let seq = 0;
    for (let t = (d * 337) % intervalMs; t < durationMs; t += intervalMs) {
      m.sent(d, seq, t);
      const inLoss = d < 5 && t >= 100_000 && t < 160_000;
      if (inLoss) m.lost(d, seq, "link loss");
      else if (t < durationMs - 1000) m.delivered(d, seq, t + 5 + 40 * rng.next() ** 4 + (rng.next() < 0.01 ? 400 : 0));
      seq++;
    }
  }
  m.handshake(35);
  const summary = m.finish(durationMs);
  const assertions = evaluateAssertions(parseAssertions("delivery>=0.999,p99<250ms"), summary);
  return reportData(
    { seed: "report-test", clock: "stepped", relay: "embedded", mqtt: "embedded", mix: "lua=5%", startedAt: "2026-01-01T00:00:00Z", transcriptHash: "ab12" },
    summary,
    m.series(),
    { assertions, faults: { "link-loss": 5 } },
  );
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "tsense-report-"));
  dirs.push(d);
  return d;
}

describe("report files", () => {
  it("writes JSON and a self-contained HTML file", () => {
    const data = syntheticRun();
    const out = writeReport(join(tmp(), "out"), data);
    const json = JSON.parse(readFileSync(out.json, "utf8"));
    expect(json.format).toBe(REPORT_FORMAT);
    expect(json.summary.sent).toBe(data.summary.sent);
    expect(json.summary.lostByReason["link loss"]).toBe(30);
    expect(json.series.heatSent.length).toBe(30 * 60);
    const html = readFileSync(out.html, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    // Self-contained: no scripts, no external resources.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    for (const id of ["latency-histogram", "delivery-over-time", "gap-heatmap"]) expect(html).toContain(`<svg id="${id}"`);
    expect(html).toContain("Assertions failed");
    expect(html).toContain("FAIL delivery&gt;=0.999");
    const heat = html.slice(html.indexOf('<svg id="gap-heatmap"'));
    // 10 s interval in 5 s bins: columns merged in pairs, 30 devices × 30 columns.
    expect((heat.match(/<rect /g) ?? []).length).toBe(30 * 30);
    expect(heat).toContain("columns of 10s");
    expect(heat).toContain('fill="hsl(');
  });

  it("folds a 10,000-device fleet into a bounded heat map", () => {
    const devices = 10_000;
    const m = new MetricsCollector({ deviceCount: devices, durationMs: 60_000, bins: 30 });
    for (let d = 0; d < devices; d++) {
      m.sent(d, 0, d % 60_000);
      if (d % 100 !== 0) m.delivered(d, 0, (d % 60_000) + 20);
    }
    const data = reportData({ seed: "big", clock: "stepped", relay: "embedded", mqtt: "off", mix: "", startedAt: "now" }, m.finish(60_000), m.series());
    const html = renderReportHtml(data);
    const heat = html.slice(html.indexOf('<svg id="gap-heatmap"'));
    // One reading per device per run: the 30 bins merge into one column.
    expect((heat.match(/<rect /g) ?? []).length).toBe(MAX_HEAT_ROWS);
    expect(heat).toContain("rows of 50 devices; columns of 1m");
    expect(html.length).toBeLessThan(2_000_000);
  });

  it("escapes names", () => {
    expect(escapeHtml(`<b a="x">&'`)).toBe("&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
  });

  it("an empty run still renders", () => {
    const m = new MetricsCollector({ deviceCount: 1, durationMs: 1000 });
    const html = renderReportHtml(reportData({ seed: "e", clock: "realtime", relay: "embedded", mqtt: "off", mix: "", startedAt: "now" }, m.finish(1000), m.series()));
    expect(html).toContain("no deliveries");
  });
});

describe("report in headless Chromium", () => {
  const chromium = findChromium();
  if (chromium === undefined && process.env.CI !== "true") {
    it.skip("needs chromium (apt-get install -y chromium); skipped outside CI", () => undefined);
    return;
  }

  it("renders the SVG plots without script errors, and the screenshot is not blank", () => {
    if (chromium === undefined) throw new Error("CI=true but no chromium found (install Debian's chromium in .ci/run, or set CHROMIUM)");
    const out = writeReport(tmp(), syntheticRun());
    const r = renderInChromium(chromium, out.html);
    for (const id of ["latency-histogram", "delivery-over-time", "gap-heatmap"]) expect(r.dom).toContain(`<svg id="${id}"`);
    expect(r.dom).toContain("tsense simulation report");
    expect(r.dom).toContain("<polyline");
    expect(r.consoleErrors).toEqual([]);
    const png = pngStats(r.png);
    expect(png.width).toBe(1000);
    expect(png.height).toBe(1400);
    expect(png.colours).toBeGreaterThan(20);
    expect(png.inkFraction).toBeGreaterThan(0.03);
  }, 120_000);

  it("pngStats tells a blank page from a drawn one", () => {
    if (chromium === undefined) throw new Error("CI=true but no chromium found");
    const dir = tmp();
    const blank = join(dir, "blank.html");
    writeFileSync(blank, "<!doctype html><html><body style='background:#fff'></body></html>");
    const png = pngStats(renderInChromium(chromium, blank, { width: 300, height: 200 }).png);
    expect(png.inkFraction).toBe(0);
    expect(png.colours).toBe(1);
  }, 120_000);
});
