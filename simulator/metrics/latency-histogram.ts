/**
 * Fixed log-spaced buckets for latencies: 10 per decade from 0.1 ms to 100 s, plus an
 * underflow and an overflow bucket. O(1) to add; percentiles from it are estimates (the
 * upper edge of the bucket holding the rank, so at most ~26 % high) and are used only for
 * the live progress line. Summaries use exact percentiles (percentile.ts).
 */

const PER_DECADE = 10;
const MIN_MS = 0.1;
const DECADES = 6;
export const BUCKETS = PER_DECADE * DECADES;

export class LatencyHistogram {
  /** counts[0] < 0.1 ms, counts[1..BUCKETS] log buckets, counts[BUCKETS + 1] >= 100 s. */
  readonly counts = new Float64Array(BUCKETS + 2);
  total = 0;

  add(ms: number): void {
    this.counts[bucketOf(ms)]++;
    this.total++;
  }

  /** Estimated p-th percentile (0 < p <= 100), ms; 0 when empty. */
  estimate(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return upperEdge(i);
    }
    return Infinity;
  }

  /** Buckets with their edges, for plots. */
  buckets(): { fromMs: number; toMs: number; count: number }[] {
    const out: { fromMs: number; toMs: number; count: number }[] = [];
    for (let i = 0; i < this.counts.length; i++) out.push({ fromMs: lowerEdge(i), toMs: upperEdge(i), count: this.counts[i] });
    return out;
  }
}

export function bucketOf(ms: number): number {
  if (!(ms >= MIN_MS)) return 0;
  const i = Math.floor(Math.log10(ms / MIN_MS) * PER_DECADE + 1e-9) + 1;
  return Math.min(i, BUCKETS + 1);
}

export function lowerEdge(i: number): number {
  if (i === 0) return 0;
  return MIN_MS * 10 ** ((i - 1) / PER_DECADE);
}

export function upperEdge(i: number): number {
  if (i === 0) return MIN_MS;
  if (i > BUCKETS) return Infinity;
  return MIN_MS * 10 ** (i / PER_DECADE);
}
