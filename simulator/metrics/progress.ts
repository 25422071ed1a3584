/**
 * The live progress line and the end-of-run summary text.
 * On a TTY the line is redrawn in place (\r, erase to end of line) at most every
 * `minIntervalMs`; elsewhere (CI logs) a plain line is printed every `logIntervalMs`.
 */
import { formatDuration } from "../spec/duration";
import type { LiveSnapshot, Summary } from "./collector";

export function formatProgress(s: LiveSnapshot): string {
  const pct = s.sent === 0 ? "-" : `${((100 * s.delivered) / s.sent).toFixed(1)}%`;
  const p99 = s.delivered === 0 ? "-" : `${s.p99Ms < 10 ? s.p99Ms.toFixed(1) : Math.round(s.p99Ms)}ms`;
  return (
    `[${formatDuration(s.nowMs).padStart(6)}/${formatDuration(s.durationMs)}] ` +
    `connected ${s.connected}/${s.devices}  sent ${s.sent}  delivered ${s.delivered} (${pct})` +
    (s.lost > 0 ? `  lost ${s.lost}` : "") +
    `  p99≈${p99}`
  );
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class ProgressLine {
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: { minIntervalMs?: number; logIntervalMs?: number; wallClock?: () => number } = {},
  ) {}

  /** Redraws if enough wall time has passed (or `force`). */
  update(snapshot: LiveSnapshot, force = false): void {
    const now = (this.options.wallClock ?? (() => performance.now()))();
    const tty = this.stream.isTTY === true;
    const every = tty ? (this.options.minIntervalMs ?? 200) : (this.options.logIntervalMs ?? 10_000);
    if (!force && now - this.lastDraw < every) return;
    this.lastDraw = now;
    const line = formatProgress(snapshot);
    if (tty) {
      this.stream.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the redrawn line so what follows starts on a fresh one. */
  done(): void {
    if (this.drawn) this.stream.write("\n");
    this.drawn = false;
  }
}

function ms(v: number): string {
  return Number.isNaN(v) ? "-" : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function formatSummary(s: Summary): string {
  const lost = Object.entries(s.lostByReason)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  const lines = [
    `devices ${s.devices}, virtual time ${formatDuration(s.endMs)}, wall time ${formatDuration(s.cpu.wallMs)}`,
    `readings: sent ${s.sent}, delivered ${s.delivered} (${(s.deliveryRatio * 100).toFixed(3)}%), lost ${s.lost}${lost === "" ? "" : ` (${lost})`}`,
    `          duplicates ${s.duplicates}, out of order ${s.outOfOrder}${s.unknown > 0 ? `, unknown ${s.unknown}` : ""}${s.lateAfterLost > 0 ? `, late after counted lost ${s.lateAfterLost}` : ""}${s.accounted ? ", all accounted for" : ", NOT ACCOUNTED"}`,
    `latency:  p50 ${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)} (${s.percentileMethod})`,
    `links:    handshakes ${s.handshakes} (p50 ${ms(s.handshakeMs.p50)}, p99 ${ms(s.handshakeMs.p99)}), connects ${s.connects}, reconnects ${s.reconnects}, connected at end ${s.connectedAtEnd}, decrypt failures ${s.decryptFailures}`,
    `          longest delivery gap ${formatDuration(s.maxDeliveryGapMs)}${s.maxDeliveryGapDevice === undefined ? "" : ` (${s.maxDeliveryGapDevice})`}`,
    `process:  rss ${kib(s.memory.rssBytes)}, heap ${kib(s.memory.heapUsedBytes)}, ${kib(s.memory.perDeviceBytes)} per device; CPU ${s.cpu.avgCores.toFixed(2)} cores avg, ${s.cpu.peakCores.toFixed(2)} peak`,
  ];
  return lines.join("\n");
}
