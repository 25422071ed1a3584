/** What a run's report holds (report.json is exactly this, with typed arrays as plain arrays). */
import type { AssertionResult } from "../metrics/assertions";
import type { Series, Summary } from "../metrics/collector";

export const REPORT_FORMAT = "tsense-simulation-report/1";

export interface ReportRun {
  seed: string;
  clock: string;
  relay: string;
  mqtt: string;
  mix: string;
  /** Hash of the stepped-mode transcript, when there is one. */
  transcriptHash?: string;
  startedAt: string;
  command?: string;
}

export interface ReportData {
  format: typeof REPORT_FORMAT;
  run: ReportRun;
  summary: Summary;
  series: Omit<Series, "heatSent" | "heatDelivered"> & { heatSent: number[]; heatDelivered: number[] };
  assertions?: { ok: boolean; results: AssertionResult[] };
  faults?: Record<string, number>;
}

export function reportData(run: ReportRun, summary: Summary, series: Series, extra: { assertions?: { ok: boolean; results: AssertionResult[] }; faults?: Record<string, number> } = {}): ReportData {
  return {
    format: REPORT_FORMAT,
    run,
    summary,
    series: { ...series, heatSent: Array.from(series.heatSent), heatDelivered: Array.from(series.heatDelivered) },
    ...extra,
  };
}
