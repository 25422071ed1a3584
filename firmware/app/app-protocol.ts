/**
 * The application messages device and station exchange inside agent data messages.
 * Compact binary, one tag byte first:
 *
 *   readings = 'R' ‖ Word16 count ‖ count × (Int64 timeMs ‖ kind ‖ status ‖ Int32 value)
 *   status   = 'S' ‖ Int64 timeMs ‖ Word32 uptimeS ‖ Word32 freeHeap ‖ Word32 intervalS
 *              ‖ Word32 dropped ‖ Word32 queued ‖ shortString(firmware version) ‖ shortString(boot reason)
 *   command  = 'C' ‖ Word32 id ‖ op ‖ Int32 arg          (station → device)
 *   result   = 'A' ‖ Word32 id ‖ ok(Bool) ‖ shortString(detail)   (device → station)
 *
 * Values are fixed-point integers per kind (READING_KINDS below), so no float formatting is
 * needed on the device; the station turns them into physical units.
 */
import { Bytes, fromAscii } from "../port/bytes";
import { SmpReader, SmpWriter, bytesToAscii } from "../port/encoding";

export const TAG_READINGS = 0x52; // 'R'
export const TAG_STATUS = 0x53; // 'S'
export const TAG_COMMAND = 0x43; // 'C'
export const TAG_RESULT = 0x41; // 'A'

export const KIND_TEMPERATURE = 1;
export const KIND_HUMIDITY = 2;
export const KIND_PRESSURE = 3;
export const KIND_ILLUMINANCE = 4;
export const KIND_BATTERY = 5;

export const STATUS_OK = 0;
export const STATUS_MISSING = 1;
export const STATUS_CRC = 2;
export const STATUS_RANGE = 3;

/** A reading kind: its code, its name and its fixed-point scale (units live with the station). */
export class ReadingKind {
  code: number;
  name: string;
  /** value = round(physical × scale) */
  scale: number;
  constructor(code: number, name: string, scale: number) {
    this.code = code;
    this.name = name;
    this.scale = scale;
  }
}

export const READING_KINDS: ReadingKind[] = [
  new ReadingKind(KIND_TEMPERATURE, "temperature", 100),
  new ReadingKind(KIND_HUMIDITY, "humidity", 100),
  new ReadingKind(KIND_PRESSURE, "pressure", 100),
  new ReadingKind(KIND_ILLUMINANCE, "illuminance", 100),
  new ReadingKind(KIND_BATTERY, "battery", 1000),
];

export function readingKind(code: number): ReadingKind | undefined {
  for (const k of READING_KINDS) {
    if (k.code === code) {
      return k;
    }
  }
  return undefined;
}

export const STATUS_NAMES = ["ok", "missing", "crc", "range"];

export class Reading {
  timeMs: number;
  kind: number;
  status: number;
  /** Fixed-point value (see READING_KINDS). */
  value: number;
  constructor(timeMs: number, kind: number, status: number, value: number) {
    this.timeMs = timeMs;
    this.kind = kind;
    this.status = status;
    this.value = value;
  }
}

/** Bytes one reading takes in a batch. */
export const READING_SIZE = 8 + 1 + 1 + 4;

function writeInt32(w: SmpWriter, v: number): void {
  w.word32(v < 0 ? (v + 0x100000000) >>> 0 : v >>> 0);
}

function readInt32(r: SmpReader): number {
  const u = r.word32();
  return u >= 0x80000000 ? u - 0x100000000 : u;
}

export function encodeReadings(readings: Reading[]): Bytes {
  const w = new SmpWriter().byte(TAG_READINGS).word16(readings.length);
  for (const x of readings) {
    w.int64(x.timeMs).byte(x.kind).byte(x.status);
    writeInt32(w, x.value);
  }
  return w.finish();
}

export class DeviceStatus {
  timeMs: number;
  uptimeS: number;
  freeHeap: number;
  intervalS: number;
  dropped: number;
  queued: number;
  version: string;
  bootReason: string;
  constructor(timeMs: number, uptimeS: number, freeHeap: number, intervalS: number, dropped: number, queued: number, version: string, bootReason: string) {
    this.timeMs = timeMs;
    this.uptimeS = uptimeS;
    this.freeHeap = freeHeap;
    this.intervalS = intervalS;
    this.dropped = dropped;
    this.queued = queued;
    this.version = version;
    this.bootReason = bootReason;
  }
}

export function encodeStatus(s: DeviceStatus): Bytes {
  return new SmpWriter()
    .byte(TAG_STATUS)
    .int64(s.timeMs)
    .word32(s.uptimeS)
    .word32(s.freeHeap)
    .word32(s.intervalS)
    .word32(s.dropped)
    .word32(s.queued)
    .short(fromAscii(s.version))
    .short(fromAscii(s.bootReason))
    .finish();
}

export const OP_SET_INTERVAL = 1;
export const OP_READ_NOW = 2;
export const OP_REBOOT = 3;
export const OP_ROTATE_KEYS = 4;
export const OP_SET_GPIO = 5;
export const OP_STATUS = 6;
export const COMMAND_NAMES = ["", "set-interval", "read-now", "reboot", "rotate-keys", "gpio", "status"];

export class Command {
  id: number;
  op: number;
  arg: number;
  constructor(id: number, op: number, arg: number) {
    this.id = id;
    this.op = op;
    this.arg = arg;
  }
}

export function encodeCommand(c: Command): Bytes {
  const w = new SmpWriter().byte(TAG_COMMAND).word32(c.id).byte(c.op);
  writeInt32(w, c.arg);
  return w.finish();
}

export class CommandResult {
  id: number;
  ok: boolean;
  detail: string;
  constructor(id: number, ok: boolean, detail: string) {
    this.id = id;
    this.ok = ok;
    this.detail = detail;
  }
}

export function encodeResult(r: CommandResult): Bytes {
  return new SmpWriter().byte(TAG_RESULT).word32(r.id).bool(r.ok).short(fromAscii(r.detail)).finish();
}

/** One decoded application message; exactly one of the fields is set. */
export class AppMessage {
  readings: Reading[] | undefined;
  status: DeviceStatus | undefined;
  command: Command | undefined;
  result: CommandResult | undefined;
  constructor() {
    this.readings = undefined;
    this.status = undefined;
    this.command = undefined;
    this.result = undefined;
  }
}

/** Decodes any application message, or returns why it is malformed. */
export function decodeAppMessage(b: Bytes): AppMessage | string {
  const r = new SmpReader(b);
  const tag = r.byte();
  const m = new AppMessage();
  if (tag === TAG_READINGS) {
    const n = r.word16();
    const list: Reading[] = [];
    for (let i = 0; i < n && r.failed === undefined; i++) {
      const t = r.int64();
      const kind = r.byte();
      const status = r.byte();
      const value = readInt32(r);
      list.push(new Reading(t, kind, status, value));
    }
    m.readings = list;
  } else if (tag === TAG_STATUS) {
    const t = r.int64();
    const up = r.word32();
    const heap = r.word32();
    const interval = r.word32();
    const dropped = r.word32();
    const queued = r.word32();
    const version = bytesToAscii(r.short());
    const boot = bytesToAscii(r.short());
    m.status = new DeviceStatus(t, up, heap, interval, dropped, queued, version, boot);
  } else if (tag === TAG_COMMAND) {
    const id = r.word32();
    const op = r.byte();
    const arg = readInt32(r);
    m.command = new Command(id, op, arg);
  } else if (tag === TAG_RESULT) {
    const id = r.word32();
    const ok = r.bool();
    const detail = bytesToAscii(r.short());
    m.result = new CommandResult(id, ok, detail);
  } else {
    return "app message: unknown tag " + tag;
  }
  r.end();
  return r.failed === undefined ? m : "app message: " + r.failed;
}
