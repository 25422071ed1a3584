/**
 * The run transcript's hash: every observable event of a stepped run (time, device, what)
 * fed line by line into SHA-256, so two runs with the same seed can be compared by one
 * printed hex string. Lines are kept only if asked for (debugging a mismatch).
 */
import { createHash, type Hash } from "node:crypto";

export class Transcript {
  private readonly hash: Hash = createHash("sha256");
  private count = 0;
  readonly lines: string[] | undefined;

  constructor(options: { keepLines?: boolean } = {}) {
    this.lines = options.keepLines === true ? [] : undefined;
  }

  /** One event: virtual time (ms, printed with up to 3 decimals) and its parts, tab-separated. */
  record(timeMs: number, ...parts: (string | number)[]): void {
    const line = `${Math.round(timeMs * 1000) / 1000}\t${parts.join("\t")}\n`;
    this.hash.update(line);
    this.lines?.push(line);
    this.count++;
  }

  get length(): number {
    return this.count;
  }

  /** Hex SHA-256 of everything recorded so far (the transcript can go on afterwards). */
  digest(): string {
    return this.hash.copy().digest("hex");
  }
}
