/** Conformance results as a readable summary, JUnit XML and JSON. */
import type { CaseResult } from "./runner";

export function summaryLine(r: CaseResult): string {
  const mark = r.status === "passed" ? "PASS" : r.status === "failed" ? "FAIL" : "SKIP";
  return `${mark}  ${r.id.padEnd(44)} ${r.durationMs.toFixed(0).padStart(5)} ms${r.status !== "passed" && r.message ? `  ${r.message}` : ""}`;
}

export function totals(rs: CaseResult[]): { passed: number; failed: number; skipped: number } {
  return {
    passed: rs.filter((r) => r.status === "passed").length,
    failed: rs.filter((r) => r.status === "failed").length,
    skipped: rs.filter((r) => r.status === "skipped").length,
  };
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function junit(address: string, rs: CaseResult[]): string {
  const t = totals(rs);
  const time = rs.reduce((s, r) => s + r.durationMs, 0) / 1000;
  const cases = rs.map((r) => {
    const head = `    <testcase classname="conformance.${xml(r.id.split(".")[0])}" name="${xml(r.id)}: ${xml(r.title)}" time="${(r.durationMs / 1000).toFixed(3)}">`;
    const props = `      <properties><property name="ref" value="${xml(r.ref)}"/></properties>`;
    const body = r.status === "failed" ? `      <failure message="${xml(r.message ?? "")}"/>` : r.status === "skipped" ? `      <skipped message="${xml(r.message ?? "")}"/>` : "";
    return [head, props, body, "    </testcase>"].filter(Boolean).join("\n");
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="tsense conformance ${xml(address)}" tests="${rs.length}" failures="${t.failed}" skipped="${t.skipped}" time="${time.toFixed(3)}">\n${cases.join("\n")}\n  </testsuite>\n</testsuites>\n`;
}

export function json(address: string, rs: CaseResult[]): string {
  return JSON.stringify({ address, totals: totals(rs), results: rs }, null, 2) + "\n";
}
