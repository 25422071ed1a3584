/**
 * Builds the simulated hardware behind a board's sensor list: one I2cSimBus with a
 * simulated chip at each configured address and a SimAdc with each battery channel, all
 * fed by the same physical sources (the simulator's sensor model for one device). The
 * returned chips stay reachable for fault injection. This is what the simulator and the
 * virtual NodeMCU/Espruino runtimes put behind their I2C and ADC modules.
 */
import { SensorConfig } from "../sensor-config";
import { I2cSimBus } from "./i2c-sim-bus";
import { SimAdc } from "./sim-adc";
import { SimBh1750 } from "./sim-bh1750";
import { SimBme280 } from "./sim-bme280";
import { Clock, SimI2cDevice, ValueSource } from "./sim-device";
import { SimSht31 } from "./sim-sht31";

export interface PhysicalSources {
  /** Degrees Celsius. */
  temperature: ValueSource;
  /** Percent relative humidity. */
  humidity: ValueSource;
  /** Hectopascal. */
  pressure: ValueSource;
  /** Lux. */
  illuminance: ValueSource;
  /** Battery volts (before the divider). */
  battery: ValueSource;
}

export interface SimChip {
  type: string;
  address: number;
  device: SimI2cDevice;
}

export interface SimRig {
  bus: I2cSimBus;
  adc: SimAdc;
  chips: SimChip[];
}

export function createSimRig(configs: SensorConfig[], sources: PhysicalSources, clock: Clock | undefined): SimRig {
  const bus = new I2cSimBus();
  const adc = new SimAdc();
  const chips: SimChip[] = [];
  for (const c of configs) {
    let device: SimI2cDevice;
    if (c.type === "bme280") {
      device = new SimBme280({ temperature: sources.temperature, humidity: sources.humidity, pressure: sources.pressure, clock: clock });
    } else if (c.type === "sht31") {
      device = new SimSht31({ temperature: sources.temperature, humidity: sources.humidity, clock: clock });
    } else if (c.type === "bh1750") {
      device = new SimBh1750({ illuminance: sources.illuminance, clock: clock });
    } else if (c.type === "battery") {
      if (c.channel === undefined || c.divider === undefined) {
        throw new Error("sim rig: battery needs channel and divider");
      }
      adc.setBattery(c.channel, sources.battery, c.divider);
      continue;
    } else {
      throw new Error("sim rig: no simulated chip for sensor type '" + c.type + "'");
    }
    if (c.address === undefined) {
      throw new Error("sim rig: sensor " + c.type + " needs an address");
    }
    bus.attach(c.address, device);
    chips.push({ type: c.type, address: c.address, device: device });
  }
  return { bus: bus, adc: adc, chips: chips };
}
