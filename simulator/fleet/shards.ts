/**
 * Device shards for large fleets: the fleet's node devices split over worker threads
 * (shard-worker.ts), each a set of small device objects on its own scheduler anchored to
 * the fleet's virtual time. The main thread keeps the station, the faults and every count
 * (the embedded relay has a thread of its own then: relay-thread.ts); a ShardDevice stands
 * in for each remote device behind the FleetDevice interface (commands go out as messages;
 * readiness and drop counts come back with the device's events and on sync()).
 */
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import type { FleetDevice } from "./fleet-device";
import { tsxWorkerUrl } from "./tsx-worker";
import type { FromShard, ShardDeviceInit, ShardInit, ToShard } from "./shard-protocol";

/** Fleets of at least this many devices run in shards unless told otherwise (--workers). */
export const AUTO_SHARD_MIN_DEVICES = 500;
/** Longest a shard may take to answer sync or stop, wall ms. */
const SHARD_ANSWER_MS = 30_000;

/** Devices per device thread beyond which `--workers auto` adds threads (measured below). */
export const AUTO_DEVICES_PER_WORKER = 1250;

/**
 * Worker count for `--workers auto`: one per core, and more for large fleets, one per 1,250
 * devices. The devices are the largest share of a round's CPU; the main thread (station,
 * accounting) and the relay's thread share the cores with them. p99 is set by bursts (a
 * receipt's ratchet turn, GC) queued behind one thread's work, so smaller shards keep the
 * tail short even beyond the core count: on 2 cores, 2,500 devices in 1 thread p99 0.3–1 s,
 * in 2 threads 65 ms; 4,500 in 2 threads 314 ms, in 3 threads 121 ms; 5,000 in 4 threads 145 ms.
 */
export function autoWorkers(devices: number): number {
  if (devices < AUTO_SHARD_MIN_DEVICES) return 0;
  return Math.max(1, availableParallelism(), Math.ceil(devices / AUTO_DEVICES_PER_WORKER));
}

export interface ShardHandlers {
  onReading(index: number, at: number, timeMs: number, kind: string, value: number): void;
  onEvent(index: number, at: number, type: string, detail: string): void;
}

/** A device in a shard, as the fleet sees it. */
export class ShardDevice implements FleetDevice {
  ready = false;
  droppedCount = 0;
  constructor(
    private readonly shard: Shard,
    readonly index: number,
  ) {}
  start(): void {
    this.shard.post({ type: "device", index: this.index, op: "start" });
  }
  powerOff(): void {
    this.shard.post({ type: "device", index: this.index, op: "powerOff" });
  }
  powerOn(): void {
    this.shard.post({ type: "device", index: this.index, op: "powerOn" });
  }
  stop(): void {
    this.shard.post({ type: "device", index: this.index, op: "stop" });
  }
  isReady(): boolean {
    return this.ready;
  }
  dropped(): number {
    return this.droppedCount;
  }
  cutPowerAfter(units: number): void {
    this.shard.post({ type: "cut-power-after", index: this.index, units });
  }
  /** Sets the device clock's rate error and steps it (a clock-skew fault). */
  skew(ppm: number, offsetMs: number): void {
    this.shard.post({ type: "skew", index: this.index, ppm, offsetMs });
  }
}

class Shard {
  readonly devices: ShardDevice[] = [];
  heapBytes = 0;
  taskErrors = 0;
  firstErrors: string[] = [];
  private waiting = new Map<number, (m: Extract<FromShard, { type: "synced" }>) => void>();
  private stopped: (() => void) | undefined;
  private failed: Error | undefined;

  constructor(
    readonly worker: Worker,
    private readonly byIndex: Map<number, ShardDevice>,
    private readonly handlers: ShardHandlers,
  ) {
    worker.on("message", (m: FromShard) => this.receive(m));
    worker.on("error", (e) => {
      this.failed = e;
      this.taskErrors++;
      if (this.firstErrors.length < 5) this.firstErrors.push(`worker: ${e.message}`);
    });
  }

  post(m: ToShard): void {
    this.worker.postMessage(m);
  }

  private receive(m: FromShard): void {
    switch (m.type) {
      case "batch":
        for (const it of m.items) {
          if (it.t === "r") this.handlers.onReading(it.index, it.at, it.timeMs, it.kind, it.value);
          else {
            const d = this.byIndex.get(it.index);
            if (d !== undefined) {
              d.ready = it.ready;
              d.droppedCount = Math.max(d.droppedCount, it.dropped);
            }
            this.handlers.onEvent(it.index, it.at, it.type, it.detail);
          }
        }
        break;
      case "synced":
        this.devices.forEach((d, i) => {
          d.ready = m.ready[i];
          d.droppedCount = Math.max(d.droppedCount, m.dropped[i]);
        });
        this.heapBytes = m.heapBytes;
        this.waiting.get(m.id)?.(m);
        this.waiting.delete(m.id);
        break;
      case "status":
        this.heapBytes = m.heapBytes;
        this.taskErrors = m.taskErrors;
        this.firstErrors = m.firstErrors;
        break;
      case "stopped":
        this.stopped?.();
        break;
      case "ready":
        break;
    }
  }

  sync(id: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`device shard did not answer a sync within ${SHARD_ANSWER_MS} ms`)), SHARD_ANSWER_MS);
      this.waiting.set(id, () => {
        clearTimeout(guard);
        resolve();
      });
      this.post({ type: "sync", id });
    });
  }

  async stop(): Promise<void> {
    if (this.failed === undefined) {
      await new Promise<void>((resolve) => {
        const guard = setTimeout(resolve, SHARD_ANSWER_MS);
        this.stopped = () => {
          clearTimeout(guard);
          resolve();
        };
        this.post({ type: "stop" });
      });
    }
    await this.worker.terminate();
  }
}

export class DeviceShards {
  private nextSync = 1;
  private constructor(
    private readonly shards: Shard[],
    readonly byIndex: Map<number, ShardDevice>,
  ) {}

  /**
   * Starts `groups.length` workers, each building the devices of its group; resolves when
   * every shard has built its devices (they start on the fleet's command).
   */
  static async start(init: Omit<ShardInit, "devices">, groups: ShardDeviceInit[][], handlers: ShardHandlers): Promise<DeviceShards> {
    const url = tsxWorkerUrl(new URL("./shard-worker.ts", import.meta.url));
    const byIndex = new Map<number, ShardDevice>();
    const shards: Shard[] = [];
    try {
      await Promise.all(
        groups.map(async (devices) => {
          const worker = new Worker(url, { workerData: { ...init, devices } satisfies ShardInit });
          const shard = new Shard(worker, byIndex, handlers);
          shards.push(shard);
          for (const d of devices) {
            const sd = new ShardDevice(shard, d.index);
            shard.devices.push(sd);
            byIndex.set(d.index, sd);
          }
          await new Promise<void>((resolve, reject) => {
            const onMessage = (m: FromShard): void => {
              if (m.type !== "ready") return;
              worker.off("message", onMessage);
              worker.off("error", reject);
              resolve();
            };
            worker.on("message", onMessage);
            worker.once("error", reject);
            worker.once("exit", (code) => reject(new Error(`device shard exited (code ${code}) before it was ready`)));
          });
        }),
      );
    } catch (e) {
      await Promise.all(shards.map((s) => s.worker.terminate()));
      throw e;
    }
    return new DeviceShards(shards, byIndex);
  }

  get count(): number {
    return this.shards.length;
  }

  /** Virtual time `virtualMs` is wall time `wallMs` (sharedWallClock): the shards run from now on. */
  go(wallMs: number, virtualMs: number): void {
    for (const s of this.shards) s.post({ type: "go", wallMs, virtualMs });
  }

  /** Every shard has reported what happened so far, and every device's drop count and readiness are fresh. */
  async sync(): Promise<void> {
    const id = this.nextSync++;
    await Promise.all(this.shards.map((s) => s.sync(id)));
  }

  /** Heap grown in the shards since before they built their devices. */
  heapBytes(): number {
    return this.shards.reduce((a, s) => a + s.heapBytes, 0);
  }

  taskErrors(): { count: number; first: string[] } {
    return { count: this.shards.reduce((a, s) => a + s.taskErrors, 0), first: this.shards.flatMap((s) => s.firstErrors).slice(0, 5) };
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.stop()));
  }
}
