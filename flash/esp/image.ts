// ESP-IDF firmware image format, as far as flashing needs it: the image header (magic 0xE9,
// segment count, SPI mode/size/frequency, entry point), the extended header (chip id: 9 for
// the ESP32-S3), the app descriptor at the start of the first segment of an application
// (project name, version, IDF version), and the partition table.
import { createHash } from "node:crypto";
import { APP_DESC_MAGIC, IMAGE_MAGIC, PARTITION_MAGIC } from "./rom-protocol.js";

export const IMAGE_HEADER_SIZE = 24;
export const SEGMENT_HEADER_SIZE = 8;
export const APP_DESC_SIZE = 256;
export const PARTITION_ENTRY_SIZE = 32;
export const PARTITION_TABLE_SIZE = 0xc00;
/** Partition types/subtypes used here. */
export const PartitionType = { APP: 0x00, DATA: 0x01 } as const;

export interface ImageHeader {
  magic: number;
  segments: number;
  flashMode: number;
  /** High nibble: flash size code (0 = 1 MB … 4 = 16 MB), low nibble: frequency. */
  flashSizeFreq: number;
  entry: number;
  chipId: number;
  minChipRevFull: number;
  hashAppended: boolean;
}

export interface AppDescription {
  version: string;
  projectName: string;
  time: string;
  date: string;
  idfVersion: string;
}

export interface Partition {
  label: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
}

export function parseImageHeader(data: Uint8Array): ImageHeader | null {
  if (data.length < IMAGE_HEADER_SIZE || data[0] !== IMAGE_MAGIC) return null;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    magic: data[0],
    segments: data[1],
    flashMode: data[2],
    flashSizeFreq: data[3],
    entry: dv.getUint32(4, true),
    chipId: dv.getUint16(12, true),
    minChipRevFull: dv.getUint16(15, true),
    hashAppended: data[23] === 1,
  };
}

/** Flash size the image header declares, in bytes. */
export function headerFlashSize(h: ImageHeader): number {
  return (1 << (h.flashSizeFreq >>> 4)) * 1024 * 1024;
}

function cString(data: Uint8Array, offset: number, max: number): string {
  let end = offset;
  while (end < offset + max && data[end] !== 0) end++;
  return new TextDecoder().decode(data.subarray(offset, end));
}

/** The app descriptor of an application image (null for bootloaders and non-images). */
export function readAppDescription(image: Uint8Array): AppDescription | null {
  const at = IMAGE_HEADER_SIZE + SEGMENT_HEADER_SIZE;
  if (!parseImageHeader(image) || image.length < at + APP_DESC_SIZE) return null;
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (dv.getUint32(at, true) !== APP_DESC_MAGIC) return null;
  return {
    version: cString(image, at + 16, 32),
    projectName: cString(image, at + 48, 32),
    time: cString(image, at + 80, 16),
    date: cString(image, at + 96, 16),
    idfVersion: cString(image, at + 112, 32),
  };
}

export function parsePartitionTable(data: Uint8Array): Partition[] {
  const out: Partition[] = [];
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + PARTITION_ENTRY_SIZE <= data.length; at += PARTITION_ENTRY_SIZE) {
    if (dv.getUint16(at, true) !== PARTITION_MAGIC) break;
    out.push({
      type: data[at + 2], subtype: data[at + 3],
      offset: dv.getUint32(at + 4, true), size: dv.getUint32(at + 8, true),
      label: cString(data, at + 12, 16),
    });
  }
  return out;
}

/**
 * Check an image in place the way the second-stage bootloader does before running it: walk the
 * segments, compare the XOR checksum and, when appended, the SHA-256. Returns null when good,
 * otherwise what is wrong.
 */
export function imageIntegrityError(flash: Uint8Array, offset: number): string | null {
  const h = parseImageHeader(flash.subarray(offset, offset + IMAGE_HEADER_SIZE));
  if (!h) return "bad magic";
  const dv = new DataView(flash.buffer, flash.byteOffset, flash.byteLength);
  let at = offset + IMAGE_HEADER_SIZE;
  let sum = 0xef;
  for (let s = 0; s < h.segments; s++) {
    if (at + SEGMENT_HEADER_SIZE > flash.length) return "truncated segment header";
    const len = dv.getUint32(at + 4, true);
    at += SEGMENT_HEADER_SIZE;
    if (at + len > flash.length || len > 0x1000000) return "segment runs past the end of flash";
    for (let i = 0; i < len; i++) sum ^= flash[at + i];
    at += len;
  }
  const end = Math.ceil((at - offset + 1) / 16) * 16 + offset; // checksum byte closes a 16-byte block
  if (flash[end - 1] !== sum) return "checksum mismatch";
  if (h.hashAppended) {
    const digest = createHash("sha256").update(flash.subarray(offset, end)).digest();
    if (!digest.equals(flash.subarray(end, end + 32))) return "image hash failed";
  }
  return null;
}
