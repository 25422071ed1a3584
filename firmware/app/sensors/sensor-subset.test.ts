// A device reporting only some kinds (tsense.cfg "kinds"): which sensors run and what they report.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config-file";
import { STEP_DONE, type Sensor } from "./sensor";
import { QUANTITY_HUMIDITY, QUANTITY_ILLUMINANCE, QUANTITY_PRESSURE, QUANTITY_TEMPERATURE, QUANTITY_VOLTAGE, SENSOR_OK, reading } from "./reading";
import { parseKinds, selectKinds } from "./sensor-subset";

function fake(type: string, quantities: number[]): Sensor & { started: number } {
  return {
    type,
    quantities,
    started: 0,
    start() {
      this.started++;
      return STEP_DONE;
    },
    step: () => STEP_DONE,
    readings: () => quantities.map((q) => reading(q, q * 10, SENSOR_OK)),
  };
}

describe("sensor subset", () => {
  it("parses a kinds list, and refuses an unknown kind", () => {
    expect(parseKinds("")).toBeUndefined();
    expect(parseKinds("temperature,battery")).toEqual([QUANTITY_TEMPERATURE, QUANTITY_VOLTAGE]);
    expect(parseKinds("humidity, illuminance")).toEqual([QUANTITY_HUMIDITY, QUANTITY_ILLUMINANCE]);
    expect(() => parseKinds("temperature,co2")).toThrow("unknown reading kind 'co2' in 'temperature,co2'");
  });

  it("keeps sensors measuring a wanted kind, reporting only those kinds, and drops the rest", () => {
    const bme = fake("bme280", [QUANTITY_TEMPERATURE, QUANTITY_HUMIDITY, QUANTITY_PRESSURE]);
    const light = fake("bh1750", [QUANTITY_ILLUMINANCE]);
    const battery = fake("battery", [QUANTITY_VOLTAGE]);
    const all = [bme, light, battery];
    expect(selectKinds(all, undefined)).toBe(all);
    const s = selectKinds(all, [QUANTITY_HUMIDITY, QUANTITY_VOLTAGE]);
    expect(s.map((x) => x.type)).toEqual(["bme280", "battery"]);
    expect(s[0].quantities).toEqual([QUANTITY_HUMIDITY]);
    expect(s[0].start()).toBe(STEP_DONE);
    expect(bme.started).toBe(1);
    expect(s[0].readings()).toEqual([reading(QUANTITY_HUMIDITY, 20, SENSOR_OK)]);
    expect(s[1]).toBe(battery);
  });

  it("reads the kinds from tsense.cfg", () => {
    const cfg = (extra: string) => new TextEncoder().encode(`{"name":"k","relay":"grp://K@h:1","invitation":"i","interval":5${extra}}`);
    expect(parseConfig(cfg("")).kinds).toBe("");
    expect(parseConfig(cfg(`,"kinds":"temperature,humidity"`)).kinds).toBe("temperature,humidity");
  });
});
