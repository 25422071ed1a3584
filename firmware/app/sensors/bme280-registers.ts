/**
 * BME280 register map and constants (Bosch BST-BME280-DS002, section 5 "Global memory
 * map and register description"). Shared by the driver and the simulated chip.
 */

/** 7-bit I2C addresses: SDO to GND 0x76, SDO to VDDIO 0x77. */
export const BME280_ADDRESS_PRIMARY = 0x76;
export const BME280_ADDRESS_SECONDARY = 0x77;

export const BME280_REG_CALIB00 = 0x88; // 0x88..0xA1: dig_T*, dig_P*, (0xA0 unused), dig_H1
export const BME280_CALIB00_LENGTH = 26;
export const BME280_REG_ID = 0xd0;
export const BME280_REG_RESET = 0xe0;
export const BME280_REG_CALIB26 = 0xe1; // 0xE1..0xE7: dig_H2..dig_H6
export const BME280_CALIB26_LENGTH = 7;
export const BME280_REG_CTRL_HUM = 0xf2;
export const BME280_REG_STATUS = 0xf3;
export const BME280_REG_CTRL_MEAS = 0xf4;
export const BME280_REG_CONFIG = 0xf5;
export const BME280_REG_PRESS_MSB = 0xf7; // burst 0xF7..0xFE: press[3], temp[3], hum[2]
export const BME280_DATA_LENGTH = 8;

/** Value of the id register. (A BMP280, the same package without humidity, answers 0x58.) */
export const BME280_CHIP_ID = 0x60;
/** Writing this to the reset register performs a power-on reset. */
export const BME280_RESET_COMMAND = 0xb6;

/** status bits: a conversion is running / NVM data is being copied to image registers. */
export const BME280_STATUS_MEASURING = 0x08;
export const BME280_STATUS_IM_UPDATE = 0x01;

/** ctrl_meas mode field (bits 1..0). */
export const BME280_MODE_SLEEP = 0;
export const BME280_MODE_FORCED = 1;
export const BME280_MODE_NORMAL = 3;

/** Oversampling field values (osrs_h, osrs_t, osrs_p): 0 skips the measurement. */
export const BME280_OSRS_SKIP = 0;
export const BME280_OSRS_X1 = 1;
export const BME280_OSRS_X2 = 2;
export const BME280_OSRS_X4 = 3;
export const BME280_OSRS_X8 = 4;
export const BME280_OSRS_X16 = 5;

/** Raw values the chip reports for a skipped measurement (reset value of the data registers). */
export const BME280_SKIPPED_20BIT = 0x80000;
export const BME280_SKIPPED_16BIT = 0x8000;

/** Start-up time after power-on or soft reset (datasheet table 1, t_startup). */
export const BME280_STARTUP_MS = 2;

/** Oversampling factor for an osrs field value (1, 2, 4, 8, 16; 0 when skipped). */
export function bme280OversamplingFactor(osrs: number): number {
  if (osrs === BME280_OSRS_SKIP) return 0;
  if (osrs === BME280_OSRS_X1) return 1;
  if (osrs === BME280_OSRS_X2) return 2;
  if (osrs === BME280_OSRS_X4) return 4;
  if (osrs === BME280_OSRS_X8) return 8;
  return 16;
}

/**
 * Maximum forced-mode measurement time in ms, rounded up (datasheet section 9.1):
 * 1.25 + 2.3*T + (2.3*P + 0.575) + (2.3*H + 0.575), with T/P/H the oversampling factors
 * and the P/H terms dropped when that measurement is skipped. Computed in hundredths
 * of a ms so the rounding is integer arithmetic on every target.
 */
export function bme280MaxMeasurementMs(osrsT: number, osrsP: number, osrsH: number): number {
  const t = bme280OversamplingFactor(osrsT);
  const p = bme280OversamplingFactor(osrsP);
  const h = bme280OversamplingFactor(osrsH);
  let hundredths = 125 + 230 * t;
  if (p > 0) hundredths += 230 * p + 58;
  if (h > 0) hundredths += 230 * h + 58;
  return Math.floor((hundredths + 99) / 100);
}
