/**
 * Messages between the fleet (main thread) and a device shard (a worker thread running a
 * set of devices on its own scheduler). The fleet keeps every decision and all accounting;
 * a shard only runs devices and reports what they did, batched per event-loop turn.
 */
import type { FleetSpec } from "../spec/index";

/** One device of a shard: everything the main thread decided for it. */
export interface ShardDeviceInit {
  index: number;
  /** grp:// or smp:// address (the relay, or the device's fault proxy). */
  relay: string;
  invitation: string;
}

export interface ShardInit {
  spec: FleetSpec;
  devices: ShardDeviceInit[];
  /** Wall-clock ms at the devices' millis() 0. */
  epochMs: number;
}

/** Main → shard. */
export type ToShard =
  /** Virtual time `virtualMs` is wall time `wallMs` (sharedWallClock); the shard runs until told to stop. */
  | { type: "go"; wallMs: number; virtualMs: number }
  | { type: "device"; index: number; op: "start" | "powerOff" | "powerOn" | "stop" }
  | { type: "cut-power-after"; index: number; units: number }
  | { type: "skew"; index: number; ppm: number; offsetMs: number }
  /** Flush everything, then answer with a `synced` carrying `id`. */
  | { type: "sync"; id: number }
  | { type: "stop" };

/** A reading journalled at virtual time `at`. */
export interface ShardReading {
  t: "r";
  index: number;
  at: number;
  timeMs: number;
  kind: string;
  value: number;
}

/** A firmware event at virtual time `at`, with the device's state right after it. */
export interface ShardEvent {
  t: "e";
  index: number;
  at: number;
  type: string;
  detail: string;
  ready: boolean;
  dropped: number;
}

/** Shard → main. */
export type FromShard =
  | { type: "ready" }
  /** Readings and events in the order they happened. */
  | { type: "batch"; items: (ShardReading | ShardEvent)[] }
  /** Per device in the shard (same order as init): dropped count and readiness; the shard's heap growth. */
  | { type: "synced"; id: number; dropped: number[]; ready: boolean[]; heapBytes: number }
  | { type: "status"; heapBytes: number; taskErrors: number; firstErrors: string[] }
  | { type: "stopped" };
