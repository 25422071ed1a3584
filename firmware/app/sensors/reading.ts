/**
 * A sensor reading: one physical quantity in its SI-style unit with a status saying
 * whether the value can be trusted. Codes are small integers so the app can put them
 * on the wire as they are; names are for logs and the station.
 */

/** Quantities and their units. */
export const QUANTITY_TEMPERATURE = 1; // degrees Celsius
export const QUANTITY_HUMIDITY = 2; // percent relative humidity
export const QUANTITY_PRESSURE = 3; // hectopascal
export const QUANTITY_ILLUMINANCE = 4; // lux
export const QUANTITY_VOLTAGE = 5; // volt (battery)

/** Reading status. Anything but SENSOR_OK means `value` is 0 and must not be used. */
export const SENSOR_OK = 0;
/** The device does not acknowledge its address (absent, unpowered, wrong address). */
export const SENSOR_MISSING = 1;
/** A checksum over the data did not match (SHT31 CRC-8). */
export const SENSOR_CRC_ERROR = 2;
/** The device answered with a value outside what it can measure (garbage, skipped measurement). */
export const SENSOR_OUT_OF_RANGE = 3;
/** Something answers at the address but its chip id is not the expected one. */
export const SENSOR_WRONG_CHIP = 4;
/** The device acknowledged earlier in this measurement, then stopped (NACK mid-transaction). */
export const SENSOR_BUS_ERROR = 5;
/** The measurement did not complete within the datasheet's conversion time plus retries. */
export const SENSOR_TIMEOUT = 6;

export interface Reading {
  quantity: number;
  /** In the quantity's unit; 0 unless status is SENSOR_OK. */
  value: number;
  status: number;
}

export function reading(quantity: number, value: number, status: number): Reading {
  return { quantity: quantity, value: status === SENSOR_OK ? value : 0, status: status };
}

export function quantityName(q: number): string {
  if (q === QUANTITY_TEMPERATURE) return "temperature";
  if (q === QUANTITY_HUMIDITY) return "humidity";
  if (q === QUANTITY_PRESSURE) return "pressure";
  if (q === QUANTITY_ILLUMINANCE) return "illuminance";
  if (q === QUANTITY_VOLTAGE) return "voltage";
  return "unknown";
}

/** ASCII unit symbols (portable strings are ASCII only). */
export function quantityUnit(q: number): string {
  if (q === QUANTITY_TEMPERATURE) return "C";
  if (q === QUANTITY_HUMIDITY) return "%RH";
  if (q === QUANTITY_PRESSURE) return "hPa";
  if (q === QUANTITY_ILLUMINANCE) return "lx";
  if (q === QUANTITY_VOLTAGE) return "V";
  return "";
}

export function statusName(s: number): string {
  if (s === SENSOR_OK) return "ok";
  if (s === SENSOR_MISSING) return "missing";
  if (s === SENSOR_CRC_ERROR) return "crc-error";
  if (s === SENSOR_OUT_OF_RANGE) return "out-of-range";
  if (s === SENSOR_WRONG_CHIP) return "wrong-chip";
  if (s === SENSOR_BUS_ERROR) return "bus-error";
  if (s === SENSOR_TIMEOUT) return "timeout";
  return "unknown";
}

/** One reading per quantity, all with the same failure status. */
export function failedReadings(quantities: number[], status: number): Reading[] {
  const out: Reading[] = [];
  for (const q of quantities) {
    out.push(reading(q, 0, status));
  }
  return out;
}
