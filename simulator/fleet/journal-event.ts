/**
 * The firmware's "journal" event, as DeviceApp emits it and a board prints it
 * (`tsense journal <time ms> <kind>=<wire value> ...`): how the fleet learns which readings
 * a device journalled, whether it runs in this process or as a compiled artifact whose
 * only output is its printed log.
 */
import { READING_KINDS } from "../../firmware/app/app-protocol";

export interface JournalRound {
  /** Wire time of the round's readings (ms, as the station's records carry it). */
  timeMs: number;
  /** Kind name and physical value (wire value / the kind's scale). */
  readings: { kind: string; value: number }[];
}

/** What a device's printed log line for an event starts with (app-boot.ts: "tsense <type> <detail>"). */
export const JOURNAL_LINE_PREFIX = "tsense journal ";

/** Parses a "journal" event's detail; throws on anything else (a firmware/host mismatch). */
export function parseJournalDetail(detail: string): JournalRound {
  const parts = detail.trim().split(/\s+/);
  // Digits only: a float printed by a runtime ("1.7e+12", "1234.0") means the firmware lost an integer.
  const timeMs = /^[0-9]+$/.test(parts[0]) ? Number(parts[0]) : NaN;
  if (parts.length < 2 || !Number.isSafeInteger(timeMs)) throw new Error(`journal event: expected "<time ms> <kind>=<value> ...", got ${JSON.stringify(detail)}`);
  const readings = parts.slice(1).map((p) => {
    const m = /^([a-z0-9-]+)=(-?[0-9]+)$/.exec(p);
    if (m === null) throw new Error(`journal event: bad reading ${JSON.stringify(p)} in ${JSON.stringify(detail)}`);
    const scale = READING_KINDS.find((k) => k.name === m[1])?.scale ?? 1;
    return { kind: m[1], value: Number(m[2]) / scale };
  });
  return { timeMs, readings };
}
