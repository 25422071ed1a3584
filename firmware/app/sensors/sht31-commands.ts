/**
 * SHT3x-DIS command set and conversions (Sensirion datasheet, sections 4.3-4.13).
 * Commands are 16-bit, sent MSB first. Shared by the driver and the simulated chip.
 */

/** 7-bit I2C addresses: ADDR pin low 0x44, high 0x45. */
export const SHT31_ADDRESS_PRIMARY = 0x44;
export const SHT31_ADDRESS_SECONDARY = 0x45;

/** Single shot, clock stretching disabled: high / medium / low repeatability. */
export const SHT31_MEASURE_HIGH = 0x2400;
export const SHT31_MEASURE_MEDIUM = 0x240b;
export const SHT31_MEASURE_LOW = 0x2416;
export const SHT31_SOFT_RESET = 0x30a2;
export const SHT31_READ_STATUS = 0xf32d;
export const SHT31_CLEAR_STATUS = 0x3041;
export const SHT31_HEATER_ENABLE = 0x306d;
export const SHT31_HEATER_DISABLE = 0x3066;

/** Maximum measurement durations in ms (datasheet table 4). */
export const SHT31_DURATION_HIGH_MS = 15;
export const SHT31_DURATION_MEDIUM_MS = 6;
export const SHT31_DURATION_LOW_MS = 4;

/** A measurement result: temperature word, CRC, humidity word, CRC. */
export const SHT31_RESULT_LENGTH = 6;

/** Specified temperature range (datasheet table 2); the conversion spans -45..130. */
export const SHT31_MIN_CELSIUS = -40;
export const SHT31_MAX_CELSIUS = 125;

/** T = -45 + 175 * S_T / (2^16 - 1). */
export function sht31Celsius(raw: number): number {
  return -45 + (175 * raw) / 65535;
}

/** RH = 100 * S_RH / (2^16 - 1). */
export function sht31Humidity(raw: number): number {
  return (100 * raw) / 65535;
}

function clampWord(v: number): number {
  const r = Math.floor(v + 0.5);
  return r < 0 ? 0 : r > 65535 ? 65535 : r;
}

/** The raw word closest to a temperature (for the simulated chip). */
export function sht31RawCelsius(celsius: number): number {
  return clampWord(((celsius + 45) * 65535) / 175);
}

/** The raw word closest to a relative humidity (for the simulated chip). */
export function sht31RawHumidity(percent: number): number {
  return clampWord((percent * 65535) / 100);
}
