/**
 * Reconnect delays: exponential from `initialMs` to `maxMs`, with up to 20% random jitter
 * so a fleet does not reconnect in lockstep. Randomness is passed in (0 ≤ r < 1).
 */
export class Backoff {
  private attempt: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  constructor(initialMs: number, maxMs: number) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.attempt = 0;
  }
  nextDelayMs(r: number): number {
    let d = this.initialMs;
    for (let i = 0; i < this.attempt && d < this.maxMs; i++) {
      d = d * 2;
    }
    if (d > this.maxMs) {
      d = this.maxMs;
    }
    this.attempt++;
    return Math.floor(d * (1 - 0.2 * r));
  }
  reset(): void {
    this.attempt = 0;
  }
}
