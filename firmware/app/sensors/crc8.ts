/**
 * Sensirion's CRC-8 (SHT3x-DIS datasheet section 4.12): polynomial 0x31
 * (x^8 + x^5 + x^4 + 1), initial value 0xFF, no reflection, no final XOR, over each
 * 2-byte data word. Datasheet check value: CRC(0xBEEF) = 0x92.
 */
import { Bytes } from "../../port/bytes";

export const SENSIRION_CRC_POLYNOMIAL = 0x31;
export const SENSIRION_CRC_INIT = 0xff;

/** CRC over `length` bytes of `data` starting at `offset`. */
export function sensirionCrc8(data: Bytes, offset: number, length: number): number {
  let crc = SENSIRION_CRC_INIT;
  for (let i = 0; i < length; i++) {
    crc = (crc ^ data[offset + i]) & 0xff;
    for (let bit = 0; bit < 8; bit++) {
      crc = (crc & 0x80) !== 0 ? ((crc << 1) ^ SENSIRION_CRC_POLYNOMIAL) & 0xff : (crc << 1) & 0xff;
    }
  }
  return crc;
}
