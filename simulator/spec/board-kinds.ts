/**
 * What a template may ask of its board. The reading kinds it can measure: its sensors'
 * drivers, as the firmware builds them (drivers declare their quantities and touch no bus
 * until sampled), named as the station names them; a `sensors` subset is drawn from
 * these. And the runtimes it runs, for the artifact mix.
 */
import { readingKind } from "../../firmware/app/app-protocol";
import { createSensors } from "../../firmware/app/sensors/sensor-config";
import type { I2cBus } from "../../firmware/port/hal/i2c";
import type { Adc } from "../../firmware/port/hal/adc";
import { boardSensorConfigs } from "../../boards/board";
import { findBoard } from "../../boards/load";

const cache = new Map<string, string[]>();

/** The kinds `boardId` measures, in its sensors' order; throws for an unknown board. */
export function boardKinds(boardId: string): string[] {
  let kinds = cache.get(boardId);
  if (kinds === undefined) {
    const sensors = createSensors(boardSensorConfigs(findBoard(boardId)), undefined as unknown as I2cBus, undefined as unknown as Adc);
    kinds = [];
    for (const s of sensors) {
      for (const q of s.quantities) {
        const name = readingKind(q)?.name ?? `kind-${q}`;
        if (!kinds.includes(name)) kinds.push(name);
      }
    }
    cache.set(boardId, kinds);
  }
  return kinds;
}

/** The board runtime a `--mix` artifact needs. */
const RUNTIME_OF_ARTIFACT = { lua: "nodemcu-lua", espruino: "espruino" } as const;

/** The runtimes a board's definition lists (none for an unknown board, which the boards check reports). */
export function boardRuntimes(boardId: string): string[] {
  try {
    return findBoard(boardId).runtimes.map((r) => r.runtime);
  } catch {
    return [];
  }
}

/** Whether a board's definition lists the runtime an artifact needs. */
export function boardRunsArtifact(boardId: string, artifact: "lua" | "espruino"): boolean {
  return boardRuntimes(boardId).includes(RUNTIME_OF_ARTIFACT[artifact]);
}
