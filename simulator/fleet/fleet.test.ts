// Small fleets through the whole product: embedded relay, station, MQTT bridge, and
// virtual devices running the real firmware; every reading accounted for.
import { describe, expect, it } from "vitest";
import { runFleet } from "./fleet";
import { main } from "../cli";
import { parseSpecText } from "../spec/index";

function spec(text: string) {
  return parseSpecText(text, "test.yaml");
}

describe("fleet", () => {
  it("delivers every reading of a small real-time fleet once, and publishes to MQTT", async () => {
    const r = await runFleet({ spec: spec(`duration: 6s\ndevices: [{ name: "t{n}", count: 4, interval: 1s }]`), drainMs: 20_000 });
    const s = r.summary;
    expect(s.devices).toBe(4);
    expect(s.connectedAtEnd).toBe(4);
    expect(s.sent).toBeGreaterThan(20);
    expect(s.delivered).toBe(s.sent);
    expect(s.lost).toBe(0);
    expect(s.duplicates).toBe(0);
    expect(s.unknown).toBe(0);
    expect(s.accounted).toBe(true);
    expect(r.mqtt.states).toBeGreaterThan(0);
    expect(r.mqtt.discovery).toBeGreaterThan(0);
  }, 90_000);

  it("rejects bad flags with exit code 2", async () => {
    expect(await main(["--devices", "-3"])).toBe(2);
    expect(await main(["--speed", "fast"])).toBe(2);
  });
});
