/**
 * Exact percentiles by the nearest-rank method: the p-th percentile of n sorted samples is
 * the ceil(p/100 · n)-th smallest (1-based). Always an observed value; p100 is the maximum.
 */

export class SampleSet {
  private data = new Float64Array(1024);
  private n = 0;
  private sorted = true;

  add(x: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    if (this.n > 0 && x < this.data[this.n - 1]) this.sorted = false;
    this.data[this.n++] = x;
  }

  get count(): number {
    return this.n;
  }

  /** Nearest-rank percentile, 0 < p <= 100; NaN when empty. */
  percentile(p: number): number {
    if (!(p > 0 && p <= 100)) throw new Error(`percentile: p must be in (0, 100], got ${p}`);
    if (this.n === 0) return NaN;
    this.sort();
    return this.data[Math.max(1, Math.ceil((p / 100) * this.n)) - 1];
  }

  mean(): number {
    if (this.n === 0) return NaN;
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.data[i];
    return s / this.n;
  }

  max(): number {
    if (this.n === 0) return NaN;
    this.sort();
    return this.data[this.n - 1];
  }

  private sort(): void {
    if (this.sorted) return;
    this.data.subarray(0, this.n).sort();
    this.sorted = true;
  }
}
