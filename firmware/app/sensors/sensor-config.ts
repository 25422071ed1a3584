/**
 * Builds drivers from a board definition's `sensors` list (boards/schema.json):
 *   { "type": "bme280" | "sht31" | "bh1750", "address": <7-bit I2C address> }
 *   { "type": "battery", "channel": <ADC channel>, "divider": <V_battery / V_pin> }
 * Bad entries throw an Error naming the entry; nothing is guessed.
 */
import { Adc } from "../../port/hal/adc";
import { I2cBus } from "../../port/hal/i2c";
import { BatteryVoltage } from "./battery";
import { Bh1750 } from "./bh1750";
import { Bme280 } from "./bme280";
import { Sensor } from "./sensor";
import { Sht31 } from "./sht31";

export interface SensorConfig {
  type: string;
  address?: number;
  channel?: number;
  divider?: number;
}

export const SENSOR_TYPES = ["bme280", "sht31", "bh1750", "battery"];

function requireInteger(config: SensorConfig, field: string, v: number | undefined, lo: number, hi: number): number {
  if (v === undefined || v !== Math.floor(v) || v < lo || v > hi) {
    throw new Error("sensor " + config.type + ": " + field + " must be an integer in " + lo + ".." + hi + ", got " + v);
  }
  return v;
}

export function createSensor(config: SensorConfig, bus: I2cBus, adc: Adc): Sensor {
  const t = config.type;
  if (t === "bme280") {
    return new Bme280(bus, requireInteger(config, "address", config.address, 0x08, 0x77));
  }
  if (t === "sht31") {
    return new Sht31(bus, requireInteger(config, "address", config.address, 0x08, 0x77));
  }
  if (t === "bh1750") {
    return new Bh1750(bus, requireInteger(config, "address", config.address, 0x08, 0x77));
  }
  if (t === "battery") {
    const channel = requireInteger(config, "channel", config.channel, 0, 63);
    const divider = config.divider;
    if (divider === undefined) {
      throw new Error("sensor battery: divider is required");
    }
    return new BatteryVoltage(adc, channel, divider);
  }
  throw new Error("unknown sensor type '" + t + "' (known: " + SENSOR_TYPES.join(", ") + ")");
}

export function createSensors(configs: SensorConfig[], bus: I2cBus, adc: Adc): Sensor[] {
  const out: Sensor[] = [];
  for (const c of configs) {
    out.push(createSensor(c, bus, adc));
  }
  return out;
}
