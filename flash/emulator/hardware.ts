// What is soldered to an emulated board besides the chip, for the interpreters it boots: the
// usual tsense sensors on I2C (BME280 at 0x76, SHT31 at 0x44, BH1750 at 0x23), a battery at
// half scale on every ADC channel (a 2:1 divider, 3.8 V), and an SD card that keeps its files
// across reboots and is not touched by erasing the flash. Readings are plausible room values.
import { SettableAdc } from "../../firmware/targets/node/settable-io";
import type { I2cBus } from "../../firmware/port/hal/i2c";
import { createSimRig } from "../../firmware/app/sensors/sim/sim-rig";

export interface BoardHardware {
  i2c: I2cBus;
  adc: SettableAdc;
  sdCard: Map<string, Uint8Array>;
}

const BATTERY_MV_AT_PIN = 1900;
const ADC_CHANNELS = 10;

export function boardHardware(): BoardHardware {
  const start = Date.now();
  const rig = createSimRig(
    [{ type: "bme280", address: 0x76 }, { type: "sht31", address: 0x44 }, { type: "bh1750", address: 0x23 }],
    { temperature: () => 22.5, humidity: () => 45, pressure: () => 1013, illuminance: () => 120, battery: () => 3.8 },
    () => Date.now() - start,
  );
  const adc = new SettableAdc();
  for (let ch = 0; ch < ADC_CHANNELS; ch++) adc.set(ch, BATTERY_MV_AT_PIN);
  return { i2c: rig.bus, adc, sdCard: new Map() };
}
