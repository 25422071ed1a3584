/** `--report DIR`: writes DIR/report.json and DIR/report.html. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderReportHtml } from "./html";
import type { ReportData } from "./report-data";

export function writeReport(dir: string, data: ReportData): { json: string; html: string } {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const json = join(root, "report.json");
  const html = join(root, "report.html");
  // NaN (no samples) becomes null in JSON.
  writeFileSync(json, `${JSON.stringify(data, null, 1)}\n`);
  writeFileSync(html, renderReportHtml(data));
  return { json, html };
}
