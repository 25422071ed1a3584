// What `flash-firmware` accepts, turned into flash regions and checked before any board is
// touched: a single application image (written at 0x10000), a merged binary (bootloader at
// 0x0, partition table at 0x8000, app at 0x10000, as `esptool merge_bin` makes), or an
// ESP-IDF build's flasher_args.json (its "flash_files" map of offset -> file).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ExitCode, ToolError } from "../errors.js";
import { type AppDescription, headerFlashSize, parseImageHeader, parsePartitionTable, PartitionType, readAppDescription } from "./image.js";
import { APP_OFFSET, BOOTLOADER_OFFSET, CHIP_ID_ESP32S3, FLASH_SECTOR_SIZE, PARTITION_TABLE_OFFSET } from "./rom-protocol.js";

export interface Region {
  offset: number;
  data: Uint8Array;
  /** What it is, for messages: "bootloader", "partition-table", "app", or a file name. */
  name: string;
}

export interface FlashPlan {
  regions: Region[];
  app: AppDescription | null;
  /** Flash size the images were built for (from the bootloader or app header). */
  declaredFlashSize: number | null;
  kind: "image" | "merged" | "flasher_args";
}

const CHIP_NAMES: Record<number, string> = { 0: "ESP32", 2: "ESP32-S2", 5: "ESP32-C3", 9: "ESP32-S3", 12: "ESP32-C2", 13: "ESP32-C6", 16: "ESP32-H2", 18: "ESP32-P4" };

function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new ToolError(ExitCode.BAD_IMAGE, `cannot read ${path} (${e instanceof Error ? e.message : e}); check the path`);
  }
}

/** Trailing 0xFF of a merged binary is erased flash: no need to send it. */
function trimErased(data: Uint8Array): Uint8Array {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0xff) end--;
  return data.subarray(0, Math.ceil(end / 4) * 4);
}

export function loadFlashPlan(path: string): FlashPlan {
  if (path.endsWith(".json")) return fromFlasherArgs(path);
  const data = readInput(path);
  if (data.length > PARTITION_TABLE_OFFSET + 32 && parsePartitionTable(data.subarray(PARTITION_TABLE_OFFSET, PARTITION_TABLE_OFFSET + 0xc00)).length > 0) {
    const regions: Region[] = [
      { offset: BOOTLOADER_OFFSET, data: trimErased(data.subarray(0, PARTITION_TABLE_OFFSET)), name: "bootloader" },
      { offset: PARTITION_TABLE_OFFSET, data: trimErased(data.subarray(PARTITION_TABLE_OFFSET, PARTITION_TABLE_OFFSET + 0x1000)), name: "partition-table" },
    ];
    if (data.length > APP_OFFSET) regions.push({ offset: APP_OFFSET, data: trimErased(data.subarray(APP_OFFSET)), name: "app" });
    return checkPlan({ regions, app: null, declaredFlashSize: null, kind: "merged" }, path);
  }
  return checkPlan({ regions: [{ offset: APP_OFFSET, data, name: "app" }], app: null, declaredFlashSize: null, kind: "image" }, path);
}

function fromFlasherArgs(path: string): FlashPlan {
  let json: { flash_files?: Record<string, string>; extra_esptool_args?: { chip?: string } };
  try {
    json = JSON.parse(new TextDecoder().decode(readInput(path)));
  } catch (e) {
    if (e instanceof ToolError) throw e;
    throw new ToolError(ExitCode.BAD_IMAGE, `${path} is not valid JSON; pass the flasher_args.json from an ESP-IDF build directory`);
  }
  const chip = json.extra_esptool_args?.chip;
  if (chip && chip !== "esp32s3") throw new ToolError(ExitCode.WRONG_CHIP, `${path} was built for ${chip}, not esp32s3; rebuild with idf.py set-target esp32s3`);
  const files = json.flash_files;
  if (!files || Object.keys(files).length === 0) throw new ToolError(ExitCode.BAD_IMAGE, `${path} has no "flash_files"; pass the flasher_args.json from an ESP-IDF build directory`);
  const regions = Object.entries(files).map(([offset, file]) => ({
    offset: Number(offset), data: readInput(resolve(dirname(path), file)), name: file,
  })).sort((a, b) => a.offset - b.offset);
  return checkPlan({ regions, app: null, declaredFlashSize: null, kind: "flasher_args" }, path);
}

/** Everything that can be checked without a board: alignment, overlaps, magic, chip id, sizes. */
function checkPlan(plan: FlashPlan, path: string): FlashPlan {
  let appPartitionSize: number | null = null;
  for (const r of plan.regions) {
    if (!Number.isInteger(r.offset) || r.offset < 0 || r.offset % FLASH_SECTOR_SIZE !== 0) {
      throw new ToolError(ExitCode.BAD_IMAGE, `${path}: ${r.name} offset 0x${r.offset.toString(16)} is not 4 KiB aligned`);
    }
    if (r.data.length === 0) throw new ToolError(ExitCode.BAD_IMAGE, `${path}: ${r.name} is empty`);
    if (r.offset === PARTITION_TABLE_OFFSET) {
      const parts = parsePartitionTable(r.data);
      if (parts.length === 0) throw new ToolError(ExitCode.BAD_IMAGE, `${path}: no partition table at 0x8000 (magic AA 50 missing)`);
      const app = parts.find((p) => p.type === PartitionType.APP && p.offset === APP_OFFSET);
      if (app) appPartitionSize = app.size;
      continue;
    }
    if (r.offset !== BOOTLOADER_OFFSET && r.offset !== APP_OFFSET) continue; // data partitions: raw
    const h = parseImageHeader(r.data);
    if (!h) throw new ToolError(ExitCode.BAD_IMAGE, `${path}: ${r.name} is not an ESP image (first byte 0x${(r.data[0] ?? 0).toString(16)}, expected 0xe9); pass a .bin from an ESP-IDF build or a merged bin`);
    if (h.chipId !== CHIP_ID_ESP32S3) {
      throw new ToolError(ExitCode.WRONG_CHIP, `${path}: ${r.name} is built for ${CHIP_NAMES[h.chipId] ?? `chip id ${h.chipId}`}, not ESP32-S3; download or build the esp32s3 variant`);
    }
    plan.declaredFlashSize ??= headerFlashSize(h);
    if (r.offset === APP_OFFSET) plan.app = readAppDescription(r.data);
  }
  for (let i = 1; i < plan.regions.length; i++) {
    const a = plan.regions[i - 1], b = plan.regions[i];
    if (a.offset + a.data.length > b.offset) throw new ToolError(ExitCode.BAD_IMAGE, `${path}: ${a.name} overlaps ${b.name}`);
  }
  const app = plan.regions.find((r) => r.offset === APP_OFFSET);
  if (app && appPartitionSize !== null && app.data.length > appPartitionSize) {
    throw new ToolError(ExitCode.IMAGE_TOO_LARGE, `${path}: app is ${app.data.length} bytes but its partition holds ${appPartitionSize}; use a bigger app partition or a smaller build`);
  }
  return plan;
}

/** The last check, once the board's flash size is known. */
export function checkFits(plan: FlashPlan, flashSize: number): void {
  if (plan.declaredFlashSize !== null && plan.declaredFlashSize > flashSize) {
    throw new ToolError(ExitCode.IMAGE_TOO_LARGE, `the firmware was built for ${plan.declaredFlashSize / 1048576} MB of flash but the board has ${flashSize / 1048576} MB of flash; use the build for this flash size`);
  }
  for (const r of plan.regions) {
    if (r.offset + r.data.length > flashSize) {
      throw new ToolError(ExitCode.IMAGE_TOO_LARGE, `${r.name} ends at 0x${(r.offset + r.data.length).toString(16)} but the board has ${flashSize / 1048576} MB of flash; use the firmware build for this flash size`);
    }
  }
}
