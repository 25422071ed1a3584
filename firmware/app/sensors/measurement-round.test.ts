// The multi-sensor round, the battery reading, the config factory and the simulated bus.
import { describe, expect, it } from "vitest";
import { BatteryVoltage } from "./battery";
import { MeasurementRound, ROUND_DONE } from "./measurement-round";
import {
  QUANTITY_HUMIDITY,
  QUANTITY_ILLUMINANCE,
  QUANTITY_PRESSURE,
  QUANTITY_TEMPERATURE,
  QUANTITY_VOLTAGE,
  SENSOR_MISSING,
  SENSOR_OK,
  SENSOR_OUT_OF_RANGE,
  quantityName,
  quantityUnit,
  statusName,
} from "./reading";
import { createSensor, createSensors } from "./sensor-config";
import { I2cSimBus } from "./sim/i2c-sim-bus";
import { SimAdc } from "./sim/sim-adc";
import { SimBh1750 } from "./sim/sim-bh1750";
import { SimBme280 } from "./sim/sim-bme280";
import { createSimRig } from "./sim/sim-rig";
import { SimSht31 } from "./sim/sim-sht31";
import { VirtualClock, measure } from "./sim/virtual-clock";

function rig() {
  const clock = new VirtualClock();
  const c = clock.source();
  const bus = new I2cSimBus();
  bus.attach(0x76, new SimBme280({ temperature: () => 19, humidity: () => 55, pressure: () => 990, clock: c }));
  bus.attach(0x44, new SimSht31({ temperature: () => 18.5, humidity: () => 60, clock: c }));
  bus.attach(0x23, new SimBh1750({ illuminance: () => 321, clock: c }));
  const adc = new SimAdc();
  adc.setBattery(3, () => 3.9, 2);
  return { clock, bus, adc };
}

const BOARD_SENSORS = [
  { type: "bme280", address: 0x76 },
  { type: "sht31", address: 0x44 },
  { type: "bh1750", address: 0x23 },
  { type: "battery", channel: 3, divider: 2 },
];

describe("MeasurementRound", () => {
  it("runs all sensors concurrently on one timer; the round lasts as long as the slowest", () => {
    const r = rig();
    const round = new MeasurementRound(createSensors(BOARD_SENSORS, r.bus, r.adc));
    const polls: number[] = [];
    let next = round.begin(r.clock.now);
    while (next !== ROUND_DONE) {
      polls.push(next);
      r.clock.now = next;
      next = round.poll(r.clock.now);
    }
    expect(polls).toEqual([2, 12, 15, 180]); // BME280 reset, BME280 data, SHT31, BH1750
    expect(round.done()).toBe(true);
    const readings = round.readings();
    expect(readings.map((x) => x.quantity)).toEqual([
      QUANTITY_TEMPERATURE, QUANTITY_HUMIDITY, QUANTITY_PRESSURE,
      QUANTITY_TEMPERATURE, QUANTITY_HUMIDITY,
      QUANTITY_ILLUMINANCE,
      QUANTITY_VOLTAGE,
    ]);
    expect(readings.every((x) => x.status === SENSOR_OK)).toBe(true);
    const values = readings.map((x) => x.value);
    expect(values[0]).toBeCloseTo(19, 2);
    expect(values[2]).toBeCloseTo(990, 1);
    expect(values[3]).toBeCloseTo(18.5, 2);
    expect(values[5]).toBeCloseTo(321, 0);
    expect(values[6]).toBeCloseTo(3.9, 3);
    // A poll before anything is due changes nothing.
    const again = new MeasurementRound(createSensors(BOARD_SENSORS.slice(1, 2), r.bus, r.adc));
    const due = again.begin(r.clock.now);
    expect(again.poll(r.clock.now + 1)).toBe(due);
  });

  it("finishes at once when every sensor is missing", () => {
    const adc = new SimAdc();
    const round = new MeasurementRound(createSensors(BOARD_SENSORS, new I2cSimBus(), adc));
    expect(round.begin(0)).toBe(ROUND_DONE);
    expect(round.readings().every((x) => x.status === SENSOR_MISSING)).toBe(true);
  });
});

describe("battery voltage", () => {
  it("scales the pin voltage by the divider, flags an unreadable or saturated ADC", () => {
    const clock = new VirtualClock();
    const adc = new SimAdc();
    let volts = 4.2;
    adc.setBattery(1, () => volts, 2);
    const b = new BatteryVoltage(adc, 1, 2);
    expect(measure(b, clock).readings[0]).toEqual({ quantity: QUANTITY_VOLTAGE, value: 4.2, status: SENSOR_OK });
    volts = 7; // 3.5 V at the pin: beyond full scale
    expect(measure(b, clock).readings[0].status).toBe(SENSOR_OUT_OF_RANGE);
    expect(measure(new BatteryVoltage(adc, 2, 2), clock).readings[0].status).toBe(SENSOR_MISSING);
    expect(() => new BatteryVoltage(adc, 1, 0.5)).toThrow(/divider ratio must be >= 1/);
  });
});

describe("sensor config", () => {
  it("rejects bad entries with a message naming the field", () => {
    const r = rig();
    expect(() => createSensor({ type: "bme680", address: 0x76 }, r.bus, r.adc)).toThrow("unknown sensor type 'bme680' (known: bme280, sht31, bh1750, battery)");
    expect(() => createSensor({ type: "sht31" }, r.bus, r.adc)).toThrow("sensor sht31: address must be an integer in 8..119, got undefined");
    expect(() => createSensor({ type: "bh1750", address: 0x80 }, r.bus, r.adc)).toThrow(/address must be an integer in 8\.\.119, got 128/);
    expect(() => createSensor({ type: "battery", channel: 1 }, r.bus, r.adc)).toThrow("sensor battery: divider is required");
  });
});

describe("names", () => {
  it("has a name for every quantity and status", () => {
    expect([1, 2, 3, 4, 5].map(quantityName)).toEqual(["temperature", "humidity", "pressure", "illuminance", "voltage"]);
    expect([1, 2, 3, 4, 5].map(quantityUnit)).toEqual(["C", "%RH", "hPa", "lx", "V"]);
    expect([0, 1, 2, 3, 4, 5, 6, 9].map(statusName)).toEqual(["ok", "missing", "crc-error", "out-of-range", "wrong-chip", "bus-error", "timeout", "unknown"]);
  });
});

describe("I2cSimBus", () => {
  it("NACKs absent addresses, rejects bad or duplicate addresses, lists attached ones", () => {
    const r = rig();
    expect(r.bus.write(0x50, new Uint8Array([0]))).toBe(false);
    expect(r.bus.read(0x50, 1)).toBeUndefined();
    expect(() => r.bus.attach(0x76, new SimBh1750({ illuminance: () => 0 }))).toThrow("I2C address 0x76 already has a device");
    expect(() => r.bus.attach(0x80, new SimBh1750({ illuminance: () => 0 }))).toThrow("I2C address must be a 7-bit integer, got 128");
    expect(() => r.bus.setMissing(0x50, true)).toThrow("no simulated device at I2C address 0x50");
    expect(r.bus.addresses()).toEqual([0x23, 0x44, 0x76]);
    r.bus.detach(0x44);
    expect(r.bus.addresses()).toEqual([0x23, 0x76]);
    expect(r.bus.write(0x44, new Uint8Array([0x24, 0]))).toBe(false);
  });

  it("nackAfter lets exactly n transfers through; garbage is deterministic per seed", () => {
    const r = rig();
    r.bus.nackAfter(0x23, 2);
    expect(r.bus.write(0x23, new Uint8Array([1]))).toBe(true);
    expect(r.bus.read(0x23, 2)).toBeDefined();
    expect(r.bus.write(0x23, new Uint8Array([1]))).toBe(false);
    r.bus.clearFaults(0x23);
    r.bus.setGarbage(0x23, 5);
    const a = r.bus.read(0x23, 4);
    r.bus.setGarbage(0x23, 5);
    expect(r.bus.read(0x23, 4)).toEqual(a);
  });
});

describe("createSimRig", () => {
  it("puts a simulated chip behind every board sensor, all fed by one set of sources", () => {
    const clock = new VirtualClock();
    const rig2 = createSimRig(BOARD_SENSORS, { temperature: () => 25, humidity: () => 30, pressure: () => 1000, illuminance: () => 80, battery: () => 3.7 }, clock.source());
    expect(rig2.chips.map((c) => `${c.type}@${c.address}`)).toEqual(["bme280@118", "sht31@68", "bh1750@35"]);
    const round = new MeasurementRound(createSensors(BOARD_SENSORS, rig2.bus, rig2.adc));
    let next = round.begin(clock.now);
    while (next !== ROUND_DONE) {
      clock.now = next;
      next = round.poll(clock.now);
    }
    const v = round.readings().map((r) => Math.round(r.value * 100) / 100);
    expect(v).toEqual([25, 30, 1000, 25, 30, 80, 3.7]);
    expect(() => createSimRig([{ type: "bme680", address: 0x77 }], { temperature: () => 0, humidity: () => 0, pressure: () => 0, illuminance: () => 0, battery: () => 0 }, undefined)).toThrow(
      "sim rig: no simulated chip for sensor type 'bme680'",
    );
  });
});
