// Builds well-formed ESP32-S3 images (bootloader, partition table, application, merged bin)
// for tests, the benchmark and the emulator demo. The code inside is filler: the emulator
// boots an app by its descriptor, never by executing it.
import { createHash } from "node:crypto";
import { APP_DESC_MAGIC, APP_OFFSET, CHIP_ID_ESP32S3, CHECKSUM_MAGIC, IMAGE_MAGIC, PARTITION_MAGIC, PARTITION_TABLE_OFFSET } from "./rom-protocol.js";
import { APP_DESC_SIZE, IMAGE_HEADER_SIZE, PARTITION_ENTRY_SIZE, PARTITION_TABLE_SIZE, type Partition, PartitionType, SEGMENT_HEADER_SIZE } from "./image.js";

/** DIO mode, 80 MHz, and a size code: 3 = 8 MB. */
const SPI_MODE_DIO = 2;
const FLASH_FREQ_80M = 0x0f;
const FLASH_SIZE_CODE_8MB = 3;
const IROM_LOAD_ADDR = 0x42000020;
const BOOTLOADER_LOAD_ADDR = 0x403c9000;

export interface ImageSpec {
  projectName?: string;
  version?: string;
  idfVersion?: string;
  /** Bytes of filler code after the descriptor. */
  codeSize?: number;
  chipId?: number;
  /** Filler that deflates like real code (about 2:1) rather than like noise. */
  seed?: number;
  app?: boolean;
}

function putString(buf: Uint8Array, at: number, text: string, max: number): void {
  const b = new TextEncoder().encode(text).subarray(0, max - 1);
  buf.set(b, at);
}

/** Deterministic filler with roughly the redundancy of Xtensa machine code. */
export function fillerCode(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  const dict: number[] = [];
  for (let i = 0; i < 64; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; dict.push(x); }
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    const word = (x & 3) === 0 ? x : dict[x & 63]; // mostly repeated instruction words, some fresh
    for (let k = 0; k < 4 && i + k < size; k++) out[i + k] = (word >>> (8 * k)) & 0xff;
  }
  return out;
}

export function buildImage(spec: ImageSpec = {}): Uint8Array {
  const app = spec.app ?? true;
  const code = fillerCode(spec.codeSize ?? 4096, spec.seed ?? 1);
  const desc = new Uint8Array(app ? APP_DESC_SIZE : 0);
  if (app) {
    new DataView(desc.buffer).setUint32(0, APP_DESC_MAGIC, true);
    putString(desc, 16, spec.version ?? "0.0.0", 32);
    putString(desc, 48, spec.projectName ?? "app", 32);
    putString(desc, 80, "00:00:00", 16);
    putString(desc, 96, "Jan  1 2026", 16);
    putString(desc, 112, spec.idfVersion ?? "v5.2.2", 32);
  }
  let segLen = desc.length + code.length;
  segLen += (4 - (segLen % 4)) % 4;
  const body = IMAGE_HEADER_SIZE + SEGMENT_HEADER_SIZE + segLen;
  const padded = Math.ceil((body + 1) / 16) * 16; // checksum byte sits at the end of a 16-byte boundary
  const img = new Uint8Array(padded + 32);
  const dv = new DataView(img.buffer);
  img[0] = IMAGE_MAGIC;
  img[1] = 1;
  img[2] = SPI_MODE_DIO;
  img[3] = (FLASH_SIZE_CODE_8MB << 4) | FLASH_FREQ_80M;
  dv.setUint32(4, app ? IROM_LOAD_ADDR : BOOTLOADER_LOAD_ADDR, true);
  img[8] = 0xee; // WP pin: not used
  dv.setUint16(12, spec.chipId ?? CHIP_ID_ESP32S3, true);
  dv.setUint16(17, 0xffff, true); // max chip revision: any
  img[23] = 1; // SHA-256 appended
  dv.setUint32(24, app ? IROM_LOAD_ADDR : BOOTLOADER_LOAD_ADDR, true);
  dv.setUint32(28, segLen, true);
  img.set(desc, 32);
  img.set(code, 32 + desc.length);
  let sum = CHECKSUM_MAGIC;
  for (let i = 32; i < 32 + segLen; i++) sum ^= img[i];
  img[padded - 1] = sum;
  img.set(createHash("sha256").update(img.subarray(0, padded)).digest(), padded);
  return img;
}

export function buildPartitionTable(parts: Partition[]): Uint8Array {
  const out = new Uint8Array(PARTITION_TABLE_SIZE).fill(0xff);
  const dv = new DataView(out.buffer);
  parts.forEach((p, i) => {
    const at = i * PARTITION_ENTRY_SIZE;
    dv.setUint16(at, PARTITION_MAGIC, true);
    out[at + 2] = p.type;
    out[at + 3] = p.subtype;
    dv.setUint32(at + 4, p.offset, true);
    dv.setUint32(at + 8, p.size, true);
    out.fill(0, at + 12, at + 28);
    putString(out, at + 12, p.label, 16);
    dv.setUint32(at + 28, 0, true);
  });
  return out;
}

export const DEFAULT_PARTITIONS: Partition[] = [
  { label: "nvs", type: PartitionType.DATA, subtype: 0x02, offset: 0x9000, size: 0x6000 },
  { label: "phy_init", type: PartitionType.DATA, subtype: 0x01, offset: 0xf000, size: 0x1000 },
  { label: "factory", type: PartitionType.APP, subtype: 0x00, offset: APP_OFFSET, size: 0x2f0000 },
  { label: "storage", type: PartitionType.DATA, subtype: 0x82, offset: 0x300000, size: 0x100000 },
];

/** bootloader @0x0, partition table @0x8000, app @0x10000, gaps filled with 0xFF. */
export function buildMergedImage(app: Uint8Array, bootloader = buildImage({ app: false, codeSize: 0x4000, seed: 7 })): Uint8Array {
  const out = new Uint8Array(APP_OFFSET + app.length).fill(0xff);
  out.set(bootloader, 0);
  out.set(buildPartitionTable(DEFAULT_PARTITIONS), PARTITION_TABLE_OFFSET);
  out.set(app, APP_OFFSET);
  return out;
}
