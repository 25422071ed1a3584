/** The station's JSON-line records: one per reading, status report, command result or event. */
import { decodeAppMessage, readingKind, STATUS_NAMES } from "../../firmware/app/app-protocol";
import type { AgentClientEvent } from "../../firmware/agent/agent-client";
import { KIND_INFO } from "./units";

export interface ReadingRecord {
  type: "reading";
  time: string;
  received: string;
  device: string;
  connection: string;
  seq: number;
  kind: string;
  value: number;
  unit: string;
  status: string;
  late: boolean;
}

export type StationRecord =
  | ReadingRecord
  | { type: "status"; received: string; device: string; connection: string; seq: number; uptimeS: number; freeHeap: number; intervalS: number; dropped: number; queued: number; version: string; bootReason: string }
  | { type: "result"; received: string; device: string; connection: string; id: number; ok: boolean; detail: string }
  | { type: "connected" | "gap" | "duplicate" | "error" | "receipt"; received: string; device: string; connection: string; seq: number; detail: string };

/** Records for one agent event (a data message may carry many readings). */
export function recordsOf(e: AgentClientEvent, device: string, now: Date): StationRecord[] {
  const received = now.toISOString();
  const base = { received, device, connection: e.connId };
  if (e.type !== "message") {
    if (e.type === "ready") return [];
    return [{ type: e.type as "connected", ...base, seq: e.seq, detail: e.detail }];
  }
  const m = decodeAppMessage(e.payload);
  if (typeof m === "string") return [{ type: "error", ...base, seq: e.seq, detail: m }];
  if (m.readings) {
    // A round's readings share one time: format it once (toISOString was a third of this function).
    let lastMs = NaN;
    let lastTime = "";
    return m.readings.map((r) => {
      if (r.timeMs !== lastMs) {
        lastMs = r.timeMs;
        lastTime = new Date(r.timeMs).toISOString();
      }
      const k = readingKind(r.kind);
      const name = k?.name ?? `kind-${r.kind}`;
      const info = KIND_INFO[name];
      const value = k ? Number((r.value / k.scale).toFixed(info?.decimals ?? 3)) : r.value;
      return {
        type: "reading" as const, time: lastTime, ...base, seq: e.seq, kind: name, value,
        unit: info?.unit ?? "", status: STATUS_NAMES[r.status] ?? `status-${r.status}`, late: e.late,
      };
    });
  }
  if (m.status) {
    const s = m.status;
    return [{ type: "status", ...base, seq: e.seq, uptimeS: s.uptimeS, freeHeap: s.freeHeap, intervalS: s.intervalS, dropped: s.dropped, queued: s.queued, version: s.version, bootReason: s.bootReason }];
  }
  if (m.result) return [{ type: "result", ...base, id: m.result.id, ok: m.result.ok, detail: m.result.detail }];
  return [{ type: "error", ...base, seq: e.seq, detail: "unexpected command from a device" }];
}
