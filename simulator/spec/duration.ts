/** Durations as people write them: "250ms", "10s", "5m", "1.5h", "2d"; a bare number is ms. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const DURATION_PATTERN = "^-?[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$";
const DURATION_RE = new RegExp(DURATION_PATTERN);

/** Milliseconds for "10s" etc.; undefined if it is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) ? text : undefined;
  const t = text.trim();
  if (!DURATION_RE.test(t)) return undefined;
  const unit = t.endsWith("ms") ? "ms" : t.slice(-1);
  return Number(t.slice(0, t.length - unit.length)) * UNIT_MS[unit];
}

/** Like parseDuration, but throws `<what>: expected a duration like "10s" or "5m", got …`. */
export function requireDuration(text: string | number, what: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`${what}: expected a duration like "10s" or "5m", got ${JSON.stringify(text)}`);
  return ms;
}

/** Short human form: 950ms, 12.5s, 3m, 1h30m. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? "-" : "";
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${round(a, 1)}ms`;
  if (a < 60_000) return `${sign}${round(a / 1000, 2)}s`;
  if (a < 3_600_000) {
    const m = Math.floor(a / 60_000);
    const s = round((a - m * 60_000) / 1000, 1);
    return `${sign}${m}m${s > 0 ? `${s}s` : ""}`;
  }
  const h = Math.floor(a / 3_600_000);
  const m = Math.round((a - h * 3_600_000) / 60_000);
  return `${sign}${h}h${m > 0 ? `${m}m` : ""}`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
