export { REPORT_FORMAT, reportData, type ReportData, type ReportRun } from "./report-data";
export { renderReportHtml, latencyHistogramSvg, deliveryOverTimeSvg, gapHeatmapSvg, escapeHtml, MAX_HEAT_ROWS } from "./html";
export { writeReport } from "./write-report";
export { findChromium, renderInChromium, pngStats, type ChromiumRender, type PngStats } from "./headless";
