/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network)
 * with the summary, the latency histogram, delivery over time and a per-device heat map
 * of gaps. Large fleets are folded into at most MAX_HEAT_ROWS rows of the heat map.
 */
import { formatDuration } from "../spec/duration";
import type { ReportData } from "./report-data";

export const MAX_HEAT_ROWS = 200;
/** Above this many cells, cells get no hover titles (keeps the file small). */
const MAX_TITLED_CELLS = 12_000;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

function num(v: number, digits = 1): string {
  return Number.isFinite(v) ? v.toFixed(digits) : "-";
}

function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return "-";
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
}

export function latencyHistogramSvg(data: ReportData): string {
  const buckets = data.series.histogram;
  let first = buckets.findIndex((b) => b.count > 0);
  let last = buckets.length - 1 - [...buckets].reverse().findIndex((b) => b.count > 0);
  const W = 760;
  const H = 260;
  const pad = { l: 56, r: 12, t: 14, b: 46 };
  if (first < 0) {
    return `<svg id="latency-histogram" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="latency histogram"><text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="muted">no deliveries</text></svg>`;
  }
  first = Math.max(0, first - 1);
  last = Math.min(buckets.length - 1, last + 1);
  const shown = buckets.slice(first, last + 1);
  const max = Math.max(...shown.map((b) => b.count));
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const bw = iw / shown.length;
  const parts: string[] = [];
  shown.forEach((b, i) => {
    const h = max === 0 ? 0 : (b.count / max) * ih;
    const x = pad.l + i * bw;
    const label = `${fmtMs(b.fromMs)} – ${fmtMs(b.toMs)}: ${b.count}`;
    parts.push(`<rect class="bar" x="${x.toFixed(1)}" y="${(pad.t + ih - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(label)}</title></rect>`);
    if (i % Math.max(1, Math.ceil(shown.length / 8)) === 0) {
      parts.push(`<text x="${x.toFixed(1)}" y="${H - pad.b + 16}" class="tick">${escapeHtml(fmtMs(b.fromMs))}</text>`);
    }
  });
  const marks = (["p50", "p95", "p99"] as const).map((k) => {
    const v = data.summary.latencyMs[k];
    const idx = shown.findIndex((b) => v >= b.fromMs && v < b.toMs);
    if (idx < 0) return "";
    const x = pad.l + (idx + 0.5) * bw;
    return `<line class="mark" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${pad.t}" y2="${pad.t + ih}"/><text class="marklabel" x="${(x + 3).toFixed(1)}" y="${pad.t + 10}">${k} ${escapeHtml(fmtMs(v))}</text>`;
  });
  return `<svg id="latency-histogram" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="latency histogram">
<line class="axis" x1="${pad.l}" y1="${pad.t + ih}" x2="${W - pad.r}" y2="${pad.t + ih}"/><line class="axis" x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${pad.t + ih}"/>
<text x="${pad.l - 6}" y="${pad.t + 8}" class="tick" text-anchor="end">${max}</text><text x="${pad.l - 6}" y="${pad.t + ih}" class="tick" text-anchor="end">0</text>
${parts.join("\n")}
${marks.join("\n")}
<text x="${pad.l + iw / 2}" y="${H - 6}" class="label" text-anchor="middle">latency (log buckets, 10 per decade)</text>
</svg>`;
}

export function deliveryOverTimeSvg(data: ReportData): string {
  const s = data.series;
  const n = s.sent.length;
  const W = 760;
  const H = 260;
  const pad = { l: 56, r: 48, t: 14, b: 46 };
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const max = Math.max(1, ...s.sent);
  const bw = iw / Math.max(1, n);
  const parts: string[] = [];
  const points: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = pad.l + i * bw;
    const hs = (s.sent[i] / max) * ih;
    const hd = (s.deliveredOfSent[i] / max) * ih;
    const from = formatDuration(i * s.binMs);
    const ratio = s.sent[i] === 0 ? undefined : s.deliveredOfSent[i] / s.sent[i];
    parts.push(`<rect class="sent" x="${x.toFixed(1)}" y="${(pad.t + ih - hs).toFixed(1)}" width="${Math.max(0.5, bw - 0.5).toFixed(2)}" height="${hs.toFixed(1)}"><title>${escapeHtml(`from ${from}: sent ${s.sent[i]}, delivered ${s.deliveredOfSent[i]}`)}</title></rect>`);
    parts.push(`<rect class="delivered" x="${x.toFixed(1)}" y="${(pad.t + ih - hd).toFixed(1)}" width="${Math.max(0.5, bw - 0.5).toFixed(2)}" height="${hd.toFixed(1)}"/>`);
    if (ratio !== undefined) points.push(`${(x + bw / 2).toFixed(1)},${(pad.t + ih - ratio * ih).toFixed(1)}`);
  }
  const ticks: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const x = pad.l + (k / 4) * iw;
    ticks.push(`<text x="${x.toFixed(1)}" y="${H - pad.b + 16}" class="tick" text-anchor="middle">${escapeHtml(formatDuration((k / 4) * n * s.binMs))}</text>`);
  }
  return `<svg id="delivery-over-time" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="delivery over time">
<line class="axis" x1="${pad.l}" y1="${pad.t + ih}" x2="${W - pad.r}" y2="${pad.t + ih}"/><line class="axis" x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${pad.t + ih}"/>
<text x="${pad.l - 6}" y="${pad.t + 8}" class="tick" text-anchor="end">${max}</text><text x="${pad.l - 6}" y="${pad.t + ih}" class="tick" text-anchor="end">0</text>
<text x="${W - pad.r + 6}" y="${pad.t + 8}" class="tick">100%</text><text x="${W - pad.r + 6}" y="${pad.t + ih}" class="tick">0%</text>
${parts.join("\n")}
<polyline class="ratio" points="${points.join(" ")}"/>
${ticks.join("\n")}
<text x="${pad.l + iw / 2}" y="${H - 6}" class="label" text-anchor="middle">virtual time (bars: readings sent per bin, blue = delivered; line: delivered share)</text>
</svg>`;
}

/** Colour for a delivered share: green (all) → amber → red (none); grey = nothing sent. */
function heatColour(sent: number, delivered: number): string {
  if (sent === 0) return "#d9dde3";
  const r = delivered / sent;
  if (r >= 1) return "#2e9e5b";
  const hue = Math.round(r * 90); // 0 red … 90 yellow-green
  return `hsl(${hue},75%,48%)`;
}

export function gapHeatmapSvg(data: ReportData): string {
  const s = data.series;
  const bins = s.sent.length;
  const devices = s.deviceNames.length;
  const group = Math.max(1, Math.ceil(devices / MAX_HEAT_ROWS));
  const rows = Math.ceil(devices / group);
  // Merge time bins until a device is expected to send at least once per column, so a
  // grey cell means a real silence rather than a bin shorter than the interval.
  const totalSent = s.sent.reduce((a, b) => a + b, 0);
  const perCell = devices * bins === 0 ? 0 : totalSent / (devices * bins);
  const merge = perCell > 0 && perCell < 1 ? Math.min(bins, Math.ceil(1 / perCell)) : 1;
  const cols = Math.ceil(bins / merge);
  const colMs = s.binMs * merge;
  const cell = { w: Math.max(2, Math.floor(700 / Math.max(1, cols))), h: rows <= 50 ? 10 : rows <= 100 ? 5 : 3 };
  const pad = { l: 120, r: 12, t: 8, b: 40 };
  const W = pad.l + cols * cell.w + pad.r;
  const H = pad.t + rows * cell.h + pad.b;
  const titled = rows * cols <= MAX_TITLED_CELLS;
  const parts: string[] = [];
  for (let r = 0; r < rows; r++) {
    const d0 = r * group;
    const d1 = Math.min(devices, d0 + group);
    const rowName = group === 1 ? s.deviceNames[d0] : `${s.deviceNames[d0]} … ${s.deviceNames[d1 - 1]}`;
    for (let c = 0; c < cols; c++) {
      let sent = 0;
      let delivered = 0;
      for (let d = d0; d < d1; d++) {
        for (let b = c * merge; b < Math.min(bins, (c + 1) * merge); b++) {
          sent += s.heatSent[d * bins + b];
          delivered += s.heatDelivered[d * bins + b];
        }
      }
      const fill = heatColour(sent, delivered);
      const x = pad.l + c * cell.w;
      const y = pad.t + r * cell.h;
      const title = titled ? `<title>${escapeHtml(`${rowName}, from ${formatDuration(c * colMs)}: ${delivered}/${sent} delivered`)}</title>` : "";
      parts.push(`<rect x="${x}" y="${y}" width="${cell.w}" height="${cell.h}" fill="${fill}">${title}</rect>`);
    }
    if (rows <= 50 || r % Math.ceil(rows / 25) === 0) {
      parts.push(`<text x="${pad.l - 4}" y="${pad.t + r * cell.h + cell.h - 1}" class="tick small" text-anchor="end">${escapeHtml(rowName.length > 22 ? `${rowName.slice(0, 21)}…` : rowName)}</text>`);
    }
  }
  return `<svg id="gap-heatmap" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="per-device delivery gaps">
${parts.join("\n")}
<text x="${pad.l}" y="${H - 22}" class="tick">0</text><text x="${pad.l + cols * cell.w}" y="${H - 22}" class="tick" text-anchor="end">${escapeHtml(formatDuration(bins * s.binMs))}</text>
<text x="${pad.l + (cols * cell.w) / 2}" y="${H - 6}" class="label" text-anchor="middle">${group > 1 ? `rows of ${group} devices; ` : ""}columns of ${escapeHtml(formatDuration(colMs))}; green = all delivered, red = lost, grey = nothing sent</text>
</svg>`;
}

function row(k: string, v: string): string {
  return `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`;
}

export function renderReportHtml(data: ReportData): string {
  const s = data.summary;
  const lost = Object.entries(s.lostByReason)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  const faults = data.faults === undefined ? "" : Object.entries(data.faults).map(([k, v]) => `${v} ${k}`).join(", ");
  const verdict = data.assertions === undefined ? "" : `<p class="verdict ${data.assertions.ok ? "pass" : "fail"}">${data.assertions.ok ? "All assertions hold" : "Assertions failed"}</p><ul class="asserts">${data.assertions.results.map((r) => `<li class="${r.pass ? "pass" : "fail"}">${escapeHtml(r.message)}</li>`).join("")}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tsense simulation report — ${escapeHtml(data.run.seed)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2530;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.muted{color:#6b7480;fill:#6b7480}
table{border-collapse:collapse}th{text-align:left;font-weight:600;padding:2px 16px 2px 0;vertical-align:top}td{padding:2px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:8px 32px}
svg{max-width:100%;height:auto;display:block}
.axis{stroke:#8a929c;stroke-width:1}.tick{font-size:11px;fill:#4a525c}.small{font-size:9px}.label{font-size:12px;fill:#1d2530}
.bar{fill:#4a7fd4}.sent{fill:#c9d3df}.delivered{fill:#4a7fd4}.ratio{fill:none;stroke:#d9480f;stroke-width:1.5}
.mark{stroke:#d9480f;stroke-dasharray:3 3}.marklabel{font-size:10px;fill:#d9480f}
.verdict{font-weight:700;padding:6px 10px;display:inline-block;border-radius:4px}.verdict.pass{background:#d3f2dd}.verdict.fail{background:#fbd5d5}
li.pass{color:#1e7b45}li.fail{color:#b42318}
</style>
</head>
<body>
<h1>tsense simulation report</h1>
<p class="muted">seed ${escapeHtml(data.run.seed)} · clock ${escapeHtml(data.run.clock)} · relay ${escapeHtml(data.run.relay)} · mqtt ${escapeHtml(data.run.mqtt)}${data.run.mix === "" ? "" : ` · mix ${escapeHtml(data.run.mix)}`} · started ${escapeHtml(data.run.startedAt)}${data.run.transcriptHash === undefined ? "" : ` · transcript ${escapeHtml(data.run.transcriptHash)}`}</p>
${verdict}
<div class="grid">
<table id="summary">
${row("devices", String(s.devices))}
${row("virtual time", formatDuration(s.endMs))}
${row("sent", String(s.sent))}
${row("delivered", `${s.delivered} (${num(s.deliveryRatio * 100, 3)}%)`)}
${row("lost", `${s.lost}${lost === "" ? "" : ` (${lost})`}`)}
${row("duplicates / out of order", `${s.duplicates} / ${s.outOfOrder}`)}
${row("accounted for", s.accounted ? "yes: sent = delivered + lost" : "NO")}
</table>
<table>
${row("latency p50 / p95 / p99", `${fmtMs(s.latencyMs.p50)} / ${fmtMs(s.latencyMs.p95)} / ${fmtMs(s.latencyMs.p99)}`)}
${row("latency max", fmtMs(s.latencyMs.max))}
${row("handshakes", `${s.handshakes} (p50 ${fmtMs(s.handshakeMs.p50)}, p99 ${fmtMs(s.handshakeMs.p99)})`)}
${row("connects / reconnects", `${s.connects} / ${s.reconnects}`)}
${row("decrypt failures", String(s.decryptFailures))}
${row("memory", `${num(s.memory.rssBytes / 1048576)} MiB RSS, ${num(s.memory.perDeviceBytes / 1024)} KiB per device`)}
${row("CPU", `${num(s.cpu.avgCores, 2)} cores avg, ${num(s.cpu.peakCores, 2)} peak`)}
${faults === "" ? "" : row("faults", faults)}
</table>
</div>
<p class="muted">Percentiles: ${escapeHtml(s.percentileMethod)}.</p>
<h2>Latency histogram</h2>
${latencyHistogramSvg(data)}
<h2>Delivery over time</h2>
${deliveryOverTimeSvg(data)}
<h2>Per-device gaps</h2>
${gapHeatmapSvg(data)}
</body>
</html>
`;
}
