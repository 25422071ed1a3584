// The firmware's "journal" event as the fleet reads it (from DeviceApp, or an artifact's printed log).
import { describe, expect, it } from "vitest";
import { parseJournalDetail } from "./journal-event";

describe("journal event", () => {
  it("gives the round's wire time and each reading's kind and physical value", () => {
    expect(parseJournalDetail("1795325585220 temperature=2395 humidity=4851 battery=4198")).toEqual({
      timeMs: 1795325585220,
      readings: [
        { kind: "temperature", value: 23.95 },
        { kind: "humidity", value: 48.51 },
        { kind: "battery", value: 4.198 },
      ],
    });
    expect(parseJournalDetail("5000 temperature=-150 kind-9=7").readings).toEqual([
      { kind: "temperature", value: -1.5 },
      { kind: "kind-9", value: 7 },
    ]);
  });

  it("refuses anything else", () => {
    expect(() => parseJournalDetail("")).toThrow(/expected "<time ms> <kind>=<value> \.\.\."/);
    expect(() => parseJournalDetail("1.5e+12 temperature=1")).toThrow(/expected/);
    expect(() => parseJournalDetail("1000 temperature=2.5")).toThrow(/bad reading "temperature=2.5"/);
  });
});
