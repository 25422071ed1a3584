/**
 * The reading kinds a board can measure: its sensors' drivers, as the firmware builds them
 * (drivers declare their quantities and touch no bus until sampled), named as the station
 * names them. A template's `sensors` subset must be drawn from these.
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
