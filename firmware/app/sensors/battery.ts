/**
 * Battery voltage through an ADC pin behind a resistor divider. The ADC HAL returns
 * calibrated millivolts at the pin; the board definition gives the divider ratio
 * (V_battery / V_pin, e.g. 2 for two equal resistors). One step: nothing to wait for.
 */
import { Adc } from "../../port/hal/adc";
import { QUANTITY_VOLTAGE, Reading, SENSOR_MISSING, SENSOR_OK, SENSOR_OUT_OF_RANGE, failedReadings, reading } from "./reading";
import { STEP_DONE, Sensor } from "./sensor";

/**
 * Highest pin voltage the ESP32-S3 ADC measures at 12 dB attenuation ("0 mV ~ 3100 mV",
 * ESP-IDF ESP32-S3 ADC guide, ADC Attenuation); a reading at or above it is saturated.
 */
export const ADC_FULL_SCALE_MILLIVOLTS = 3100;

export class BatteryVoltage implements Sensor {
  readonly type: string;
  readonly quantities: number[];
  private adc: Adc;
  private channel: number;
  private divider: number;
  private result: Reading[];

  constructor(adc: Adc, channel: number, divider: number) {
    if (!(divider >= 1)) {
      throw new Error("battery: divider ratio must be >= 1 (V_battery / V_pin), got " + divider);
    }
    this.type = "battery";
    this.quantities = [QUANTITY_VOLTAGE];
    this.adc = adc;
    this.channel = channel;
    this.divider = divider;
    this.result = failedReadings(this.quantities, SENSOR_MISSING);
  }

  start(): number {
    const mv = this.adc.readMillivolts(this.channel);
    if (mv < 0) {
      this.result = failedReadings(this.quantities, SENSOR_MISSING);
    } else if (mv >= ADC_FULL_SCALE_MILLIVOLTS) {
      this.result = failedReadings(this.quantities, SENSOR_OUT_OF_RANGE);
    } else {
      this.result = [reading(QUANTITY_VOLTAGE, (mv * this.divider) / 1000, SENSOR_OK)];
    }
    return STEP_DONE;
  }

  step(): number {
    return STEP_DONE;
  }

  readings(): Reading[] {
    return this.result;
  }
}
