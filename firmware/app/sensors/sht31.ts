/**
 * SHT31 driver (Sensirion SHT3x-DIS): single-shot measurement, high repeatability,
 * clock stretching disabled. start() sends 0x2400; after the maximum measurement time
 * step() reads 6 bytes (T word, CRC, RH word, CRC) and checks each word's CRC-8.
 * Without clock stretching the sensor NACKs a read while it is still measuring, so a
 * NACK at read time is retried a few times before it counts as a bus error.
 */
import { Bytes, alloc } from "../../port/bytes";
import { I2cBus } from "../../port/hal/i2c";
import { sensirionCrc8 } from "./crc8";
import {
  QUANTITY_HUMIDITY,
  QUANTITY_TEMPERATURE,
  Reading,
  SENSOR_BUS_ERROR,
  SENSOR_CRC_ERROR,
  SENSOR_MISSING,
  SENSOR_OK,
  SENSOR_OUT_OF_RANGE,
  failedReadings,
  reading,
} from "./reading";
import { STEP_DONE, Sensor } from "./sensor";
import {
  SHT31_DURATION_HIGH_MS,
  SHT31_MAX_CELSIUS,
  SHT31_MEASURE_HIGH,
  SHT31_MIN_CELSIUS,
  SHT31_RESULT_LENGTH,
  sht31Celsius,
  sht31Humidity,
} from "./sht31-commands";

const READ_RETRIES = 2;
const READ_RETRY_MS = 5;

export class Sht31 implements Sensor {
  readonly type: string;
  readonly quantities: number[];
  private bus: I2cBus;
  private address: number;
  private measuring: boolean;
  private retries: number;
  private result: Reading[];
  private command: Bytes;

  constructor(bus: I2cBus, address: number) {
    this.type = "sht31";
    this.quantities = [QUANTITY_TEMPERATURE, QUANTITY_HUMIDITY];
    this.bus = bus;
    this.address = address;
    this.measuring = false;
    this.retries = 0;
    this.result = failedReadings(this.quantities, SENSOR_MISSING);
    this.command = alloc(2);
  }

  start(): number {
    this.command[0] = (SHT31_MEASURE_HIGH >>> 8) & 0xff;
    this.command[1] = SHT31_MEASURE_HIGH & 0xff;
    this.retries = 0;
    if (!this.bus.write(this.address, this.command)) {
      this.measuring = false;
      this.result = failedReadings(this.quantities, SENSOR_MISSING);
      return STEP_DONE;
    }
    this.measuring = true;
    return SHT31_DURATION_HIGH_MS;
  }

  step(): number {
    if (!this.measuring) {
      return STEP_DONE;
    }
    const d = this.bus.read(this.address, SHT31_RESULT_LENGTH);
    if (d === undefined || d.length < SHT31_RESULT_LENGTH) {
      if (this.retries < READ_RETRIES) {
        this.retries += 1;
        return READ_RETRY_MS;
      }
      this.measuring = false;
      this.result = failedReadings(this.quantities, SENSOR_BUS_ERROR);
      return STEP_DONE;
    }
    this.measuring = false;
    const tCrcOk = sensirionCrc8(d, 0, 2) === d[2];
    const hCrcOk = sensirionCrc8(d, 3, 2) === d[5];
    const celsius = sht31Celsius(d[0] * 256 + d[1]);
    let tStatus = SENSOR_OK;
    if (!tCrcOk) {
      tStatus = SENSOR_CRC_ERROR;
    } else if (celsius < SHT31_MIN_CELSIUS || celsius > SHT31_MAX_CELSIUS) {
      tStatus = SENSOR_OUT_OF_RANGE;
    }
    this.result = [
      reading(QUANTITY_TEMPERATURE, celsius, tStatus),
      reading(QUANTITY_HUMIDITY, sht31Humidity(d[3] * 256 + d[4]), hCrcOk ? SENSOR_OK : SENSOR_CRC_ERROR),
    ];
    return STEP_DONE;
  }

  readings(): Reading[] {
    return this.result;
  }
}
