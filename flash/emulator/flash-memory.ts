// NOR flash as the chip sees it: erased bytes read 0xFF, programming can only clear bits (a
// write over unerased data ANDs into it, which is why every region is verified by MD5), and
// erasing works on whole 4 KiB sectors.
import { createHash } from "node:crypto";
import { FLASH_SECTOR_SIZE } from "../esp/rom-protocol.js";

export class FlashMemory {
  readonly bytes: Uint8Array;
  constructor(readonly size: number) {
    this.bytes = new Uint8Array(size).fill(0xff);
  }

  contains(offset: number, length: number): boolean {
    return offset >= 0 && length >= 0 && offset + length <= this.size;
  }

  /** Erase every sector touched by [offset, offset+length). Returns the number of sectors. */
  erase(offset: number, length: number): number {
    if (length === 0) return 0;
    const start = Math.floor(offset / FLASH_SECTOR_SIZE) * FLASH_SECTOR_SIZE;
    const end = Math.min(this.size, Math.ceil((offset + length) / FLASH_SECTOR_SIZE) * FLASH_SECTOR_SIZE);
    this.bytes.fill(0xff, start, end);
    return (end - start) / FLASH_SECTOR_SIZE;
  }

  write(offset: number, data: Uint8Array): void {
    const n = Math.min(data.length, this.size - offset);
    for (let i = 0; i < n; i++) this.bytes[offset + i] &= data[i];
  }

  read(offset: number, length: number): Uint8Array {
    return this.bytes.slice(offset, offset + length);
  }

  md5(offset: number, length: number): Uint8Array {
    return new Uint8Array(createHash("md5").update(this.bytes.subarray(offset, offset + length)).digest());
  }
}
