// A small fleet through the whole product: embedded relay, station, MQTT bridge, and
// virtual devices running the real firmware; every reading before the cut-off accounted for.
import { describe, expect, it } from "vitest";
import { runFleet, percentile } from "./fleet";
import { main, parseAssertions } from "../cli";

describe("fleet", () => {
  it("delivers every reading of a small fleet once, and publishes to MQTT", async () => {
    const r = await runFleet({ devices: 4, durationS: 8, intervalS: 1, seed: "t", board: "seeed-xiao-esp32s3-sense", mqtt: "embedded", drainS: 20 });
    expect(r.devices).toBe(4);
    expect(r.connected).toBe(4);
    expect(r.expected).toBeGreaterThan(20);
    expect(r.delivered).toBe(r.expected);
    expect(r.lost).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.deliveryRatio).toBe(1);
    expect(r.mqttStates).toBeGreaterThan(0);
    expect(r.mqttDiscovery).toBeGreaterThan(0);
  }, 90_000);

  it("computes percentiles and parses assertions with clear errors", () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(parseAssertions("delivery>=0.999,p99<250ms")).toMatchObject([{ metric: "delivery", op: ">=", value: 0.999 }, { metric: "p99", op: "<", value: 250 }]);
    expect(() => parseAssertions("speed>1")).toThrow(/cannot read 'speed>1'/);
  });

  it("rejects bad flags with exit code 2", async () => {
    expect(await main(["--devices", "-3"])).toBe(2);
  });
});
