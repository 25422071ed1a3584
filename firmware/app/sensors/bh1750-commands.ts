/**
 * BH1750FVI instruction set and conversion (ROHM datasheet, "Instruction Set
 * Architecture" and "Measurement sequence"). One-byte opcodes; results are 16-bit
 * big-endian. Shared by the driver and the simulated chip.
 */

/** 7-bit I2C addresses: ADDR pin low 0x23, high 0x5C. */
export const BH1750_ADDRESS_LOW = 0x23;
export const BH1750_ADDRESS_HIGH = 0x5c;

export const BH1750_POWER_DOWN = 0x00;
export const BH1750_POWER_ON = 0x01;
/** Clears the data register; accepted only while powered on. */
export const BH1750_RESET = 0x07;
export const BH1750_CONTINUOUS_H = 0x10;
export const BH1750_CONTINUOUS_H2 = 0x11;
export const BH1750_CONTINUOUS_L = 0x13;
/** One measurement, then the chip powers down by itself. */
export const BH1750_ONE_TIME_H = 0x20;
export const BH1750_ONE_TIME_H2 = 0x21;
export const BH1750_ONE_TIME_L = 0x23;
/** Measurement-time register: 01000_MT[7:5] and 011_MT[4:0]. */
export const BH1750_MTREG_HIGH = 0x40;
export const BH1750_MTREG_LOW = 0x60;
export const BH1750_MTREG_DEFAULT = 69;

/** Maximum measurement times in ms at the default MTreg (H/H2: 180, L: 24). */
export const BH1750_H_RES_MAX_MS = 180;
export const BH1750_L_RES_MAX_MS = 24;

/** Count-to-lux divisor at the default MTreg ("Measurement accuracy" 1.2 typ). */
export const BH1750_COUNTS_PER_LUX = 1.2;

/** H-resolution mode at the default MTreg: lux = count / 1.2. */
export function bh1750Lux(raw: number): number {
  return raw / BH1750_COUNTS_PER_LUX;
}
