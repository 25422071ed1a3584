/**
 * Run metrics: every reading a device sends is tracked by (device, seq) until it is
 * delivered at the station or declared lost with a reason, so a run ends with every
 * reading accounted for (sent = delivered + lost). `seq` must be unique per device for
 * the whole run (a device's persistent reading counter); memory per device stays small
 * when seqs are contiguous (resolved seqs below a watermark are forgotten).
 *
 * Times are virtual milliseconds from the run's scheduler. Latency = delivery time − send
 * time; percentiles in the summary are exact (nearest rank over every sample).
 */
import { LatencyHistogram } from "./latency-histogram";
import { SampleSet } from "./percentile";

/** Why a reading never arrived (the glue may add its own reasons). */
export const LOST_IN_FLIGHT_AT_END = "in flight at end of run";

export type DeliveryOutcome = "delivered" | "duplicate" | "unknown" | "late";

export interface MetricsOptions {
  deviceCount: number;
  durationMs: number;
  /** Time bins for the over-time series and the gap heatmap (default 120). */
  bins?: number;
  /** Optional names for reports. */
  deviceNames?: string[];
}

interface DeviceState {
  /** seq → send time, for readings neither delivered nor lost. */
  pending: Map<number, number>;
  /** Resolved seqs at or above `floor`. */
  resolved: Set<number>;
  /** Every seq below has been resolved. */
  floor: number;
  started: boolean;
  /** seq → reason, for lost readings (a late delivery reclassifies them). */
  lost: Map<number, string>;
  maxDelivered: number;
  connected: boolean;
  everConnected: boolean;
  lastDeliveryMs: number;
  maxGapMs: number;
}

export interface LiveSnapshot {
  nowMs: number;
  durationMs: number;
  devices: number;
  connected: number;
  sent: number;
  delivered: number;
  lost: number;
  /** Histogram estimate (see latency-histogram.ts). */
  p99Ms: number;
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface Summary {
  devices: number;
  durationMs: number;
  endMs: number;
  sent: number;
  delivered: number;
  deliveryRatio: number;
  duplicates: number;
  outOfOrder: number;
  /** Deliveries of readings never reported as sent. */
  unknown: number;
  /** Readings first counted lost, then delivered after all (they count as delivered). */
  lateAfterLost: number;
  lost: number;
  lostByReason: Record<string, number>;
  /** sent === delivered + lost. */
  accounted: boolean;
  latencyMs: Percentiles;
  percentileMethod: string;
  handshakes: number;
  handshakeMs: Percentiles;
  connects: number;
  reconnects: number;
  disconnectsByReason: Record<string, number>;
  connectedAtEnd: number;
  decryptFailures: number;
  /** Longest time without a delivery from any one device, and which. */
  maxDeliveryGapMs: number;
  maxDeliveryGapDevice: string | undefined;
  memory: { rssBytes: number; heapUsedBytes: number; perDeviceBytes: number };
  cpu: { userMs: number; systemMs: number; wallMs: number; avgCores: number; peakCores: number };
}

export interface Series {
  binMs: number;
  /** Per bin (by send time): readings sent, and how many of them were delivered. */
  sent: number[];
  deliveredOfSent: number[];
  /** Per bin (by delivery time): deliveries and the worst latency. */
  delivered: number[];
  maxLatencyMs: number[];
  /** Latency histogram buckets (fixed, log-spaced). */
  histogram: { fromMs: number; toMs: number; count: number }[];
  /** devices × bins, row-major: readings sent and delivered (by send time). */
  heatSent: Uint16Array;
  heatDelivered: Uint16Array;
  deviceNames: string[];
}

export class MetricsCollector {
  readonly deviceCount: number;
  readonly durationMs: number;
  readonly bins: number;
  readonly binMs: number;
  private readonly names: string[];
  private readonly devices: DeviceState[];
  private readonly latencies = new SampleSet();
  private readonly handshakeTimes = new SampleSet();
  private readonly histogram = new LatencyHistogram();
  private readonly binSent: Float64Array;
  private readonly binDeliveredOfSent: Float64Array;
  private readonly binDelivered: Float64Array;
  private readonly binMaxLatency: Float64Array;
  private readonly heatSent: Uint16Array;
  private readonly heatDelivered: Uint16Array;
  private readonly lostByReason = new Map<string, number>();
  private readonly disconnectsByReason = new Map<string, number>();
  private nSent = 0;
  private nDelivered = 0;
  private nLost = 0;
  private nDuplicates = 0;
  private nOutOfOrder = 0;
  private nUnknown = 0;
  private nLate = 0;
  private nConnects = 0;
  private nReconnects = 0;
  private nConnected = 0;
  private nDecryptFailures = 0;
  private baselineHeap: number;
  private cpuStart = process.cpuUsage();
  private wallStart = performance.now();
  private lastCpu = { at: performance.now(), usage: process.cpuUsage() };
  private peakCores = 0;
  private peakRss = 0;
  private peakHeap = 0;
  /** Heap grown in worker threads running devices (their isolates are not in process.memoryUsage()). */
  private workerHeap = 0;
  private finished: Summary | undefined;

  constructor(options: MetricsOptions) {
    if (!(Number.isInteger(options.deviceCount) && options.deviceCount >= 0)) throw new Error(`metrics: deviceCount must be a whole number, got ${options.deviceCount}`);
    if (!(options.durationMs > 0)) throw new Error(`metrics: durationMs must be > 0, got ${options.durationMs}`);
    this.deviceCount = options.deviceCount;
    this.durationMs = options.durationMs;
    this.bins = options.bins ?? 120;
    this.binMs = this.durationMs / this.bins;
    this.names = options.deviceNames ?? Array.from({ length: this.deviceCount }, (_, i) => `device-${i}`);
    this.devices = Array.from({ length: this.deviceCount }, () => ({
      pending: new Map(),
      resolved: new Set(),
      floor: 0,
      started: false,
      lost: new Map(),
      maxDelivered: -Infinity,
      connected: false,
      everConnected: false,
      lastDeliveryMs: 0,
      maxGapMs: 0,
    }));
    this.binSent = new Float64Array(this.bins);
    this.binDeliveredOfSent = new Float64Array(this.bins);
    this.binDelivered = new Float64Array(this.bins);
    this.binMaxLatency = new Float64Array(this.bins);
    this.heatSent = new Uint16Array(this.deviceCount * this.bins);
    this.heatDelivered = new Uint16Array(this.deviceCount * this.bins);
    this.baselineHeap = process.memoryUsage().heapUsed;
  }

  /** Sets the heap baseline for memory per device (call after the relay/station are up, before devices). */
  markMemoryBaseline(): void {
    this.baselineHeap = process.memoryUsage().heapUsed;
  }

  sent(device: number, seq: number, atMs: number): void {
    const d = this.device(device);
    if (!d.started) {
      d.started = true;
      d.floor = seq;
    }
    if (seq < d.floor || d.resolved.has(seq) || d.pending.has(seq)) throw new Error(`metrics: device ${this.names[device]} sent seq ${seq} twice`);
    d.pending.set(seq, atMs);
    this.nSent++;
    const b = this.bin(atMs);
    this.binSent[b]++;
    const h = device * this.bins + b;
    if (this.heatSent[h] < 0xffff) this.heatSent[h]++;
  }

  /**
   * A delivery at `atMs`; its latency is `atMs` minus the send time unless `latencyMs`
   * says otherwise (accelerated and stepped fleets count relay and station work in wall ms).
   */
  delivered(device: number, seq: number, atMs: number, latencyMs?: number): DeliveryOutcome {
    const d = this.device(device);
    let sentAt = d.pending.get(seq);
    let outcome: DeliveryOutcome = "delivered";
    if (sentAt === undefined) {
      const reason = d.lost.get(seq);
      if (reason === undefined) {
        if (d.started && (seq < d.floor || d.resolved.has(seq))) {
          this.nDuplicates++;
          return "duplicate";
        }
        this.nUnknown++;
        return "unknown";
      }
      // Counted lost earlier (e.g. at a reboot), delivered after all.
      d.lost.delete(seq);
      this.nLost--;
      this.lostByReason.set(reason, (this.lostByReason.get(reason) ?? 1) - 1);
      sentAt = this.lostSentAt.get(`${device}/${seq}`) ?? atMs;
      this.lostSentAt.delete(`${device}/${seq}`);
      this.nLate++;
      outcome = "late";
    } else {
      d.pending.delete(seq);
      this.resolve(d, seq);
    }
    this.nDelivered++;
    if (seq < d.maxDelivered) this.nOutOfOrder++;
    else d.maxDelivered = seq;
    const latency = Math.max(0, latencyMs ?? atMs - sentAt);
    this.latencies.add(latency);
    this.histogram.add(latency);
    const bs = this.bin(sentAt);
    this.binDeliveredOfSent[bs]++;
    const h = device * this.bins + bs;
    if (this.heatDelivered[h] < 0xffff) this.heatDelivered[h]++;
    const bd = this.bin(atMs);
    this.binDelivered[bd]++;
    if (latency > this.binMaxLatency[bd]) this.binMaxLatency[bd] = latency;
    const gap = atMs - d.lastDeliveryMs;
    if (gap > d.maxGapMs) d.maxGapMs = gap;
    d.lastDeliveryMs = Math.max(d.lastDeliveryMs, atMs);
    return outcome;
  }

  private readonly lostSentAt = new Map<string, number>();

  /** The reading will never arrive (dropped by the device, cut by a power loss, …). */
  lost(device: number, seq: number, reason: string): void {
    const d = this.device(device);
    const sentAt = d.pending.get(seq);
    if (sentAt === undefined) throw new Error(`metrics: device ${this.names[device]} seq ${seq} is not in flight`);
    d.pending.delete(seq);
    this.resolve(d, seq);
    d.lost.set(seq, reason);
    this.lostSentAt.set(`${device}/${seq}`, sentAt);
    this.nLost++;
    this.lostByReason.set(reason, (this.lostByReason.get(reason) ?? 0) + 1);
  }

  /** Marks every reading of a device still in flight as lost (a power cut that wiped its queue). */
  lostAllPending(device: number, reason: string): number {
    const d = this.device(device);
    const seqs = [...d.pending.keys()];
    for (const s of seqs) this.lost(device, s, reason);
    return seqs.length;
  }

  /** Readings of a device neither delivered nor lost. */
  inFlight(device: number): number {
    return this.device(device).pending.size;
  }

  connected(device: number): void {
    const d = this.device(device);
    if (d.connected) return;
    d.connected = true;
    this.nConnected++;
    this.nConnects++;
    if (d.everConnected) this.nReconnects++;
    d.everConnected = true;
  }

  disconnected(device: number, reason = "closed"): void {
    const d = this.device(device);
    if (!d.connected) return;
    d.connected = false;
    this.nConnected--;
    this.disconnectsByReason.set(reason, (this.disconnectsByReason.get(reason) ?? 0) + 1);
  }

  handshake(durationMs: number): void {
    this.handshakeTimes.add(durationMs);
  }

  decryptFailure(): void {
    this.nDecryptFailures++;
  }

  /** The heap the worker threads (device shards, the relay thread) grew since they started. */
  setWorkerHeap(bytes: number): void {
    this.workerHeap = bytes;
  }

  /** Samples memory and CPU; call now and then (e.g. with the progress line). */
  sampleResources(): void {
    const m = process.memoryUsage();
    if (m.rss > this.peakRss) this.peakRss = m.rss;
    if (m.heapUsed + this.workerHeap > this.peakHeap) this.peakHeap = m.heapUsed + this.workerHeap;
    const now = performance.now();
    const usage = process.cpuUsage();
    const wall = now - this.lastCpu.at;
    if (wall >= 100) {
      const cpu = (usage.user - this.lastCpu.usage.user + usage.system - this.lastCpu.usage.system) / 1000;
      this.peakCores = Math.max(this.peakCores, cpu / wall);
      this.lastCpu = { at: now, usage };
    }
  }

  snapshot(nowMs: number): LiveSnapshot {
    return {
      nowMs,
      durationMs: this.durationMs,
      devices: this.deviceCount,
      connected: this.nConnected,
      sent: this.nSent,
      delivered: this.nDelivered,
      lost: this.nLost,
      p99Ms: this.histogram.estimate(99),
    };
  }

  /**
   * Ends the run: whatever is still in flight is lost with LOST_IN_FLIGHT_AT_END (or the
   * reason given), and the summary is computed. Idempotent.
   */
  finish(endMs: number, inFlightReason = LOST_IN_FLIGHT_AT_END): Summary {
    if (this.finished !== undefined) return this.finished;
    for (let i = 0; i < this.deviceCount; i++) this.lostAllPending(i, inFlightReason);
    this.sampleResources();
    let maxGap = 0;
    let maxGapDevice: string | undefined;
    this.devices.forEach((d, i) => {
      const tail = Math.max(d.maxGapMs, endMs - d.lastDeliveryMs);
      if (tail > maxGap) {
        maxGap = tail;
        maxGapDevice = this.names[i];
      }
    });
    const cpu = process.cpuUsage(this.cpuStart);
    const wallMs = performance.now() - this.wallStart;
    const mem = process.memoryUsage();
    const lostByReason: Record<string, number> = {};
    for (const [k, v] of [...this.lostByReason].sort((a, b) => b[1] - a[1])) if (v > 0) lostByReason[k] = v;
    this.finished = {
      devices: this.deviceCount,
      durationMs: this.durationMs,
      endMs,
      sent: this.nSent,
      delivered: this.nDelivered,
      deliveryRatio: this.nSent === 0 ? 0 : this.nDelivered / this.nSent,
      duplicates: this.nDuplicates,
      outOfOrder: this.nOutOfOrder,
      unknown: this.nUnknown,
      lateAfterLost: this.nLate,
      lost: this.nLost,
      lostByReason,
      accounted: this.nSent === this.nDelivered + this.nLost,
      latencyMs: percentiles(this.latencies),
      percentileMethod: "exact, nearest rank over every delivered reading",
      handshakes: this.handshakeTimes.count,
      handshakeMs: percentiles(this.handshakeTimes),
      connects: this.nConnects,
      reconnects: this.nReconnects,
      disconnectsByReason: Object.fromEntries(this.disconnectsByReason),
      connectedAtEnd: this.nConnected,
      decryptFailures: this.nDecryptFailures,
      maxDeliveryGapMs: maxGap,
      maxDeliveryGapDevice: maxGapDevice,
      memory: {
        rssBytes: Math.max(this.peakRss, mem.rss),
        heapUsedBytes: Math.max(this.peakHeap, mem.heapUsed + this.workerHeap),
        perDeviceBytes: this.deviceCount === 0 ? 0 : Math.max(0, (Math.max(this.peakHeap, mem.heapUsed + this.workerHeap) - this.baselineHeap) / this.deviceCount),
      },
      cpu: {
        userMs: cpu.user / 1000,
        systemMs: cpu.system / 1000,
        wallMs,
        avgCores: wallMs > 0 ? (cpu.user + cpu.system) / 1000 / wallMs : 0,
        peakCores: this.peakCores,
      },
    };
    return this.finished;
  }

  series(): Series {
    return {
      binMs: this.binMs,
      sent: Array.from(this.binSent),
      deliveredOfSent: Array.from(this.binDeliveredOfSent),
      delivered: Array.from(this.binDelivered),
      maxLatencyMs: Array.from(this.binMaxLatency),
      histogram: this.histogram.buckets(),
      heatSent: this.heatSent,
      heatDelivered: this.heatDelivered,
      deviceNames: this.names,
    };
  }

  private device(i: number): DeviceState {
    const d = this.devices[i];
    if (d === undefined) throw new Error(`metrics: no device ${i} (fleet of ${this.deviceCount})`);
    return d;
  }

  private bin(t: number): number {
    return Math.min(this.bins - 1, Math.max(0, Math.floor(t / this.binMs)));
  }

  private resolve(d: DeviceState, seq: number): void {
    if (seq === d.floor) {
      d.floor++;
      while (d.resolved.delete(d.floor)) d.floor++;
    } else {
      d.resolved.add(seq);
    }
  }
}

function percentiles(s: SampleSet): Percentiles {
  return { count: s.count, p50: s.percentile(50), p95: s.percentile(95), p99: s.percentile(99), max: s.max(), mean: s.mean() };
}
