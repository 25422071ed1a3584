/** Test helpers for the MQTT bridge: a fake record source, record builders and a topic watcher. */
import mqtt, { type MqttClient } from "mqtt";
import type { ReadingRecord, StationRecord } from "../station/records";
import { KIND_INFO } from "../station/units";
import type { RecordSource } from "./bridge";

export class FakeSource implements RecordSource {
  private listeners: ((r: StationRecord) => void)[] = [];
  onRecord(l: (r: StationRecord) => void): void {
    this.listeners.push(l);
  }
  emit(...records: StationRecord[]): void {
    for (const r of records) for (const l of this.listeners) l(r);
  }
}

const RECEIVED = "2026-11-22T12:00:01.000Z";

export function reading(device: string, connection: string, seq: number, kind: string, value: number, time: string, status = "ok"): ReadingRecord {
  return { type: "reading", time, received: RECEIVED, device, connection, seq, kind, value, unit: KIND_INFO[kind]?.unit ?? "", status, late: false };
}

export function statusReport(device: string, connection: string, seq: number, intervalS: number, version: string): StationRecord {
  return { type: "status", received: RECEIVED, device, connection, seq, uptimeS: 60, freeHeap: 100_000, intervalS, dropped: 0, queued: 0, version, bootReason: "power-on" };
}

export interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

/** An MQTT client that records everything on some topics. */
export class Watcher {
  readonly seen: Seen[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly client: MqttClient) {
    client.on("message", (topic, payload, packet) => {
      this.seen.push({ topic, payload: payload.toString(), retain: packet.retain, at: Date.now() });
      for (const w of this.waiters) w();
    });
  }

  static async start(url: string, filters: string[], protocolVersion: 4 | 5 = 4): Promise<Watcher> {
    const client = await mqtt.connectAsync(url, { protocolVersion, reconnectPeriod: 0, connectTimeout: 5000 });
    const w = new Watcher(client);
    await client.subscribeAsync(filters, { qos: 1 });
    return w;
  }

  on(topic: string): Seen[] {
    return this.seen.filter((s) => s.topic === topic);
  }

  /** Waits (bounded) until pred holds for some message; returns it. */
  waitFor(pred: (s: Seen) => boolean, what: string, timeoutMs = 5000): Promise<Seen> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.seen.find(pred);
        if (!hit) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(hit);
        return true;
      };
      const waiter = () => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; saw:\n${this.seen.map((s) => `  ${s.topic} ${s.payload}`).join("\n")}`));
      }, timeoutMs);
      if (!check()) this.waiters.push(waiter);
    });
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
