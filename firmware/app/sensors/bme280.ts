/**
 * BME280 driver (Bosch BST-BME280-DS002): temperature, humidity, pressure in forced mode
 * with the "weather monitoring" settings of section 3.5.1 (oversampling x1 each, filter
 * off), one measurement per start().
 *
 * First start(): check the chip id, soft-reset, wait t_startup, then (step) wait for the
 * NVM copy to finish, read the trimming parameters and configure. Every measurement:
 * write ctrl_hum then ctrl_meas (ctrl_hum only takes effect on the ctrl_meas write),
 * wait the datasheet's maximum measurement time, check the status bit, burst-read
 * 0xF7..0xFE and compensate. A NACK drops the initialisation, so the next start() probes
 * the chip again (it may have been replaced or power-cycled).
 */
import { Bytes, alloc } from "../../port/bytes";
import { I2cBus, readRegisters } from "../../port/hal/i2c";
import { Bme280Calibration, parseBme280Calibration } from "./bme280-calibration";
import { bme280Humidity, bme280Pressure, bme280TFine, bme280TemperatureFine } from "./bme280-compensation";
import {
  BME280_CALIB00_LENGTH,
  BME280_CALIB26_LENGTH,
  BME280_CHIP_ID,
  BME280_DATA_LENGTH,
  BME280_MODE_FORCED,
  BME280_OSRS_X1,
  BME280_REG_CALIB00,
  BME280_REG_CALIB26,
  BME280_REG_CONFIG,
  BME280_REG_CTRL_HUM,
  BME280_REG_CTRL_MEAS,
  BME280_REG_ID,
  BME280_REG_PRESS_MSB,
  BME280_REG_RESET,
  BME280_REG_STATUS,
  BME280_RESET_COMMAND,
  BME280_SKIPPED_16BIT,
  BME280_SKIPPED_20BIT,
  BME280_STARTUP_MS,
  BME280_STATUS_IM_UPDATE,
  BME280_STATUS_MEASURING,
  bme280MaxMeasurementMs,
} from "./bme280-registers";
import {
  QUANTITY_HUMIDITY,
  QUANTITY_PRESSURE,
  QUANTITY_TEMPERATURE,
  Reading,
  SENSOR_BUS_ERROR,
  SENSOR_MISSING,
  SENSOR_OK,
  SENSOR_OUT_OF_RANGE,
  SENSOR_TIMEOUT,
  SENSOR_WRONG_CHIP,
  failedReadings,
  reading,
} from "./reading";
import { STEP_DONE, Sensor } from "./sensor";

/** Operating range (datasheet table 1); values outside are reported as out of range. */
export const BME280_MIN_CELSIUS = -40;
export const BME280_MAX_CELSIUS = 85;
export const BME280_MIN_HPA = 300;
export const BME280_MAX_HPA = 1100;

const PHASE_IDLE = 0;
const PHASE_RESETTING = 1;
const PHASE_MEASURING = 2;

/** Extra polls of the status register when a conversion or NVM copy is still running. */
const STATUS_RETRIES = 3;
const STATUS_RETRY_MS = 2;

const OSRS_T = BME280_OSRS_X1;
const OSRS_P = BME280_OSRS_X1;
const OSRS_H = BME280_OSRS_X1;

export class Bme280 implements Sensor {
  readonly type: string;
  readonly quantities: number[];
  private bus: I2cBus;
  private address: number;
  private calibration: Bme280Calibration | undefined;
  private phase: number;
  private retries: number;
  private result: Reading[];
  private scratch: Bytes;
  private command: Bytes;

  constructor(bus: I2cBus, address: number) {
    this.type = "bme280";
    this.quantities = [QUANTITY_TEMPERATURE, QUANTITY_HUMIDITY, QUANTITY_PRESSURE];
    this.bus = bus;
    this.address = address;
    this.calibration = undefined;
    this.phase = PHASE_IDLE;
    this.retries = 0;
    this.result = failedReadings(this.quantities, SENSOR_MISSING);
    this.scratch = alloc(1);
    this.command = alloc(4);
  }

  /** The trimming parameters read from the chip (undefined before the first initialisation). */
  calibrationData(): Bme280Calibration | undefined {
    return this.calibration;
  }

  start(): number {
    this.retries = 0;
    if (this.calibration === undefined) {
      return this.probe();
    }
    return this.trigger(SENSOR_MISSING);
  }

  step(): number {
    if (this.phase === PHASE_RESETTING) {
      return this.initialise();
    }
    if (this.phase === PHASE_MEASURING) {
      return this.collect();
    }
    return STEP_DONE;
  }

  readings(): Reading[] {
    return this.result;
  }

  private fail(status: number): number {
    this.result = failedReadings(this.quantities, status);
    this.phase = PHASE_IDLE;
    if (status !== SENSOR_OUT_OF_RANGE && status !== SENSOR_TIMEOUT) {
      this.calibration = undefined;
    }
    return STEP_DONE;
  }

  private writeRegister(register: number, value: number): boolean {
    const c = alloc(2);
    c[0] = register & 0xff;
    c[1] = value & 0xff;
    return this.bus.write(this.address, c);
  }

  /** Chip id check and soft reset; step() continues after t_startup. */
  private probe(): number {
    const id = readRegisters(this.bus, this.address, BME280_REG_ID, 1, this.scratch);
    if (id === undefined || id.length < 1) {
      return this.fail(SENSOR_MISSING);
    }
    if (id[0] !== BME280_CHIP_ID) {
      return this.fail(SENSOR_WRONG_CHIP);
    }
    if (!this.writeRegister(BME280_REG_RESET, BME280_RESET_COMMAND)) {
      return this.fail(SENSOR_BUS_ERROR);
    }
    this.phase = PHASE_RESETTING;
    return BME280_STARTUP_MS;
  }

  /** After the reset: wait for the NVM copy, read the trimming parameters, configure, measure. */
  private initialise(): number {
    const status = readRegisters(this.bus, this.address, BME280_REG_STATUS, 1, this.scratch);
    if (status === undefined) {
      return this.fail(SENSOR_BUS_ERROR);
    }
    if ((status[0] & BME280_STATUS_IM_UPDATE) !== 0) {
      if (this.retries >= STATUS_RETRIES) {
        return this.fail(SENSOR_TIMEOUT);
      }
      this.retries += 1;
      return STATUS_RETRY_MS;
    }
    const calib00 = readRegisters(this.bus, this.address, BME280_REG_CALIB00, BME280_CALIB00_LENGTH, this.scratch);
    const calib26 = readRegisters(this.bus, this.address, BME280_REG_CALIB26, BME280_CALIB26_LENGTH, this.scratch);
    if (calib00 === undefined || calib26 === undefined || calib00.length < BME280_CALIB00_LENGTH || calib26.length < BME280_CALIB26_LENGTH) {
      return this.fail(SENSOR_BUS_ERROR);
    }
    const c = parseBme280Calibration(calib00, calib26);
    // dig_T1 and dig_P1 are never 0 on a real part (the formulas divide by dig_P1 terms).
    if (c.digT1 === 0 || c.digP1 === 0) {
      return this.fail(SENSOR_OUT_OF_RANGE);
    }
    // config: standby irrelevant in forced mode, IIR filter off, no 3-wire SPI.
    if (!this.writeRegister(BME280_REG_CONFIG, 0)) {
      return this.fail(SENSOR_BUS_ERROR);
    }
    this.calibration = c;
    this.retries = 0;
    return this.trigger(SENSOR_BUS_ERROR);
  }

  /** ctrl_hum, then ctrl_meas with forced mode, as one write of register/value pairs. */
  private trigger(nackStatus: number): number {
    const c = this.command;
    c[0] = BME280_REG_CTRL_HUM;
    c[1] = OSRS_H;
    c[2] = BME280_REG_CTRL_MEAS;
    c[3] = ((OSRS_T << 5) | (OSRS_P << 2) | BME280_MODE_FORCED) & 0xff;
    if (!this.bus.write(this.address, c)) {
      return this.fail(nackStatus);
    }
    this.phase = PHASE_MEASURING;
    return bme280MaxMeasurementMs(OSRS_T, OSRS_P, OSRS_H);
  }

  private collect(): number {
    const status = readRegisters(this.bus, this.address, BME280_REG_STATUS, 1, this.scratch);
    if (status === undefined) {
      return this.fail(SENSOR_BUS_ERROR);
    }
    if ((status[0] & BME280_STATUS_MEASURING) !== 0) {
      if (this.retries >= STATUS_RETRIES) {
        return this.fail(SENSOR_TIMEOUT);
      }
      this.retries += 1;
      return STATUS_RETRY_MS;
    }
    const d = readRegisters(this.bus, this.address, BME280_REG_PRESS_MSB, BME280_DATA_LENGTH, this.scratch);
    const c = this.calibration;
    if (d === undefined || d.length < BME280_DATA_LENGTH || c === undefined) {
      return this.fail(SENSOR_BUS_ERROR);
    }
    const adcP = d[0] * 4096 + d[1] * 16 + ((d[2] >>> 4) & 0x0f);
    const adcT = d[3] * 4096 + d[4] * 16 + ((d[5] >>> 4) & 0x0f);
    const adcH = d[6] * 256 + d[7];
    this.phase = PHASE_IDLE;
    if (adcT === BME280_SKIPPED_20BIT) {
      // Pressure and humidity depend on t_fine: nothing is usable.
      this.result = failedReadings(this.quantities, SENSOR_OUT_OF_RANGE);
      return STEP_DONE;
    }
    const fine = bme280TemperatureFine(c, adcT);
    const celsius = fine / 5120;
    const tFine = bme280TFine(fine);
    const tOk = celsius >= BME280_MIN_CELSIUS && celsius <= BME280_MAX_CELSIUS;
    let hStatus = tOk ? SENSOR_OK : SENSOR_OUT_OF_RANGE;
    let humidity = 0;
    if (adcH === BME280_SKIPPED_16BIT) {
      hStatus = SENSOR_OUT_OF_RANGE;
    } else if (tOk) {
      humidity = bme280Humidity(c, adcH, tFine);
    }
    let pStatus = tOk ? SENSOR_OK : SENSOR_OUT_OF_RANGE;
    let hpa = 0;
    if (adcP === BME280_SKIPPED_20BIT) {
      pStatus = SENSOR_OUT_OF_RANGE;
    } else if (tOk) {
      hpa = bme280Pressure(c, adcP, tFine) / 100;
      if (hpa < BME280_MIN_HPA || hpa > BME280_MAX_HPA) {
        pStatus = SENSOR_OUT_OF_RANGE;
      }
    }
    this.result = [
      reading(QUANTITY_TEMPERATURE, celsius, tOk ? SENSOR_OK : SENSOR_OUT_OF_RANGE),
      reading(QUANTITY_HUMIDITY, humidity, hStatus),
      reading(QUANTITY_PRESSURE, hpa, pStatus),
    ];
    return STEP_DONE;
  }
}
