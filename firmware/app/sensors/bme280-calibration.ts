/**
 * BME280 trimming parameters (datasheet section 4.2.2, table 16): little-endian 16-bit
 * words in 0x88..0x9F, dig_H1 at 0xA1, and dig_H2..dig_H6 in 0xE1..0xE7 where dig_H4
 * and dig_H5 are signed 12-bit values packed around the shared nibble register 0xE5:
 *   dig_H4 = 0xE4[7:0] << 4 | 0xE5[3:0],   dig_H5 = 0xE6[7:0] << 4 | 0xE5[7:4]
 * (the sign comes from the whole-byte register, as in Bosch's reference driver).
 */
import { Bytes, alloc } from "../../port/bytes";

export interface Bme280Calibration {
  digT1: number; // unsigned 16
  digT2: number; // signed 16
  digT3: number;
  digP1: number; // unsigned 16
  digP2: number;
  digP3: number;
  digP4: number;
  digP5: number;
  digP6: number;
  digP7: number;
  digP8: number;
  digP9: number;
  digH1: number; // unsigned 8
  digH2: number; // signed 16
  digH3: number; // unsigned 8
  digH4: number; // signed 12
  digH5: number; // signed 12
  digH6: number; // signed 8
}

function u16le(b: Bytes, off: number): number {
  return b[off] + b[off + 1] * 256;
}

function s16le(b: Bytes, off: number): number {
  const v = u16le(b, off);
  return v >= 0x8000 ? v - 0x10000 : v;
}

function s8(v: number): number {
  return v >= 0x80 ? v - 0x100 : v;
}

/** Parses the 26 bytes read from 0x88 and the 7 bytes read from 0xE1. */
export function parseBme280Calibration(calib00: Bytes, calib26: Bytes): Bme280Calibration {
  if (calib00.length < 26 || calib26.length < 7) {
    throw new Error("BME280 calibration: need 26 + 7 bytes, got " + calib00.length + " + " + calib26.length);
  }
  return {
    digT1: u16le(calib00, 0),
    digT2: s16le(calib00, 2),
    digT3: s16le(calib00, 4),
    digP1: u16le(calib00, 6),
    digP2: s16le(calib00, 8),
    digP3: s16le(calib00, 10),
    digP4: s16le(calib00, 12),
    digP5: s16le(calib00, 14),
    digP6: s16le(calib00, 16),
    digP7: s16le(calib00, 18),
    digP8: s16le(calib00, 20),
    digP9: s16le(calib00, 22),
    digH1: calib00[25],
    digH2: s16le(calib26, 0),
    digH3: calib26[2],
    digH4: s8(calib26[3]) * 16 + (calib26[4] & 0x0f),
    digH5: s8(calib26[5]) * 16 + ((calib26[4] >>> 4) & 0x0f),
    digH6: s8(calib26[6]),
  };
}

function putU16le(b: Bytes, off: number, v: number): void {
  const u = v < 0 ? v + 0x10000 : v;
  b[off] = u & 0xff;
  b[off + 1] = (u >>> 8) & 0xff;
}

function u8(v: number): number {
  return (v < 0 ? v + 0x100 : v) & 0xff;
}

function checkRange(name: string, v: number, lo: number, hi: number): void {
  if (v !== Math.floor(v) || v < lo || v > hi) {
    throw new Error("BME280 calibration: " + name + " = " + v + " is not an integer in " + lo + ".." + hi);
  }
}

/**
 * The register image of a calibration (the inverse of parseBme280Calibration), for the
 * simulated chip: [bytes for 0x88..0xA1, bytes for 0xE1..0xE7]. Throws when a value does
 * not fit its field.
 */
export function encodeBme280Calibration(c: Bme280Calibration): Bytes[] {
  checkRange("digT1", c.digT1, 0, 65535);
  checkRange("digP1", c.digP1, 0, 65535);
  const signed16 = [c.digT2, c.digT3, c.digP2, c.digP3, c.digP4, c.digP5, c.digP6, c.digP7, c.digP8, c.digP9, c.digH2];
  for (const v of signed16) {
    checkRange("16-bit trimming value", v, -32768, 32767);
  }
  checkRange("digH1", c.digH1, 0, 255);
  checkRange("digH3", c.digH3, 0, 255);
  checkRange("digH4", c.digH4, -2048, 2047);
  checkRange("digH5", c.digH5, -2048, 2047);
  checkRange("digH6", c.digH6, -128, 127);
  const a = alloc(26);
  putU16le(a, 0, c.digT1);
  putU16le(a, 2, c.digT2);
  putU16le(a, 4, c.digT3);
  putU16le(a, 6, c.digP1);
  putU16le(a, 8, c.digP2);
  putU16le(a, 10, c.digP3);
  putU16le(a, 12, c.digP4);
  putU16le(a, 14, c.digP5);
  putU16le(a, 16, c.digP6);
  putU16le(a, 18, c.digP7);
  putU16le(a, 20, c.digP8);
  putU16le(a, 22, c.digP9);
  a[25] = c.digH1 & 0xff;
  const e = alloc(7);
  putU16le(e, 0, c.digH2);
  e[2] = c.digH3 & 0xff;
  // 12-bit two's complement, split into a high byte and a nibble.
  const h4 = c.digH4 < 0 ? c.digH4 + 4096 : c.digH4;
  const h5 = c.digH5 < 0 ? c.digH5 + 4096 : c.digH5;
  e[3] = (h4 >>> 4) & 0xff;
  e[4] = ((h4 & 0x0f) | ((h5 & 0x0f) << 4)) & 0xff;
  e[5] = (h5 >>> 4) & 0xff;
  e[6] = u8(c.digH6);
  return [a, e];
}
