/**
 * BME280 compensation in double precision (BST-BME280-DS002 section 8.1, "Compensation
 * formulas in double precision floating point"). Doubles behave identically on V8,
 * Espruino and Lua 5.3 (every operation here is an IEEE-754 double operation; Lua's `/`
 * always yields a float), so the three targets agree bit for bit. The integer variants of
 * section 8.2 would need 64-bit products for pressure, which portable code may only do
 * with hi/lo pairs; the double formulas avoid that.
 *
 * Temperature and pressure formulas are the BMP280's (BST-BMP280-DS001 section 8.1), so
 * that datasheet's worked example checks them (see bme280.test.ts).
 */
import { Bme280Calibration } from "./bme280-calibration";

/** var1 + var2 of the temperature formula: 5120 x degrees C. The datasheet's t_fine is its integer part. */
export function bme280TemperatureFine(c: Bme280Calibration, adcT: number): number {
  const a = adcT / 16384 - c.digT1 / 1024;
  const var1 = a * c.digT2;
  const b = adcT / 131072 - c.digT1 / 8192;
  const var2 = b * b * c.digT3;
  return var1 + var2;
}

/** t_fine = (BME280_S32_t)(var1 + var2): a C cast, so truncation toward zero. */
export function bme280TFine(fine: number): number {
  return fine < 0 ? Math.ceil(fine) : Math.floor(fine);
}

/** Temperature in degrees Celsius. */
export function bme280Temperature(c: Bme280Calibration, adcT: number): number {
  return bme280TemperatureFine(c, adcT) / 5120;
}

/** Pressure in Pa, from the raw 20-bit value and t_fine; 0 when dig_P1 makes it undefined. */
export function bme280Pressure(c: Bme280Calibration, adcP: number, tFine: number): number {
  let var1 = tFine / 2 - 64000;
  let var2 = (var1 * var1 * c.digP6) / 32768;
  var2 = var2 + var1 * c.digP5 * 2;
  var2 = var2 / 4 + c.digP4 * 65536;
  var1 = ((c.digP3 * var1 * var1) / 524288 + c.digP2 * var1) / 524288;
  var1 = (1 + var1 / 32768) * c.digP1;
  if (var1 === 0) {
    return 0; // the datasheet's guard against division by zero
  }
  let p = 1048576 - adcP;
  p = ((p - var2 / 4096) * 6250) / var1;
  var1 = (c.digP9 * p * p) / 2147483648;
  var2 = (p * c.digP8) / 32768;
  return p + (var1 + var2 + c.digP7) / 16;
}

/** Relative humidity in %, clamped to 0..100 as the datasheet does. */
export function bme280Humidity(c: Bme280Calibration, adcH: number, tFine: number): number {
  let h = tFine - 76800;
  h = (adcH - (c.digH4 * 64 + (c.digH5 / 16384) * h)) * ((c.digH2 / 65536) * (1 + (c.digH6 / 67108864) * h * (1 + (c.digH3 / 67108864) * h)));
  h = h * (1 - (c.digH1 * h) / 524288);
  if (h > 100) {
    return 100;
  }
  if (h < 0) {
    return 0;
  }
  return h;
}
