// ESP32-S3 serial bootloader emulator: the ROM loader and, once a flasher stub has been
// uploaded to RAM and started, the stub's dialect of the same protocol. Bytes in (already
// de-framed by the board's UART), SLIP frames out through the host callbacks.
//
// What differs between the two modes, as on real silicon:
//   - SYNC: the ROM answers 8 times with a non-zero value, the stub once with 0.
//   - SPI_FLASH_MD5: the ROM answers 32 ASCII hex characters, the stub 16 raw bytes.
//   - ERASE_FLASH, ERASE_REGION, READ_FLASH exist only in the stub.
//   - FLASH_END(1): the ROM runs the user code; the stub stays in the stub.
//   - error codes: ROM 0x05..0x0b, stub 0xc0..0xff.
// The emulator cannot execute Xtensa code: MEM_END with an entry point inside the uploaded
// RAM segments is taken to start the stub.
import { Inflate } from "pako";
import {
  CHECKSUM_MAGIC, CHIP_ID_ESP32S3, DIRECTION_REQUEST, DIRECTION_RESPONSE, FLASH_SECTOR_SIZE, Op, RomError,
  SECURITY_FLAG_SECURE_DOWNLOAD, STUB_HELLO, StubError,
} from "../../esp/rom-protocol.js";
import { SlipDecoder, slipEncode } from "../../esp/slip.js";
import type { FlashMemory } from "../flash-memory.js";
import { type RomFaults, WRONG_CHIP_ID } from "./faults.js";
import { Registers } from "./registers.js";

/** Value the ROM returns in SYNC replies (any non-zero value tells a host it is the ROM). */
const ROM_SYNC_VALUE = 0x20120707;
const ROM_SYNC_REPLIES = 8;
/** Z_SYNC_FLUSH: make pako hand over everything it can decode from each block. */
const Z_SYNC_FLUSH = 2;
/** GET_SECURITY_INFO API version reported by the S3 ROM. */
const SECURITY_API_VERSION = 1;

export interface LoaderHost {
  flash: FlashMemory;
  faults: RomFaults;
  mac: Uint8Array;
  usbJtag: boolean;
  /** Bytes to the host (already SLIP-framed). */
  send(bytes: Uint8Array): void;
  schedule(ms: number, fn: () => void): void;
  setBaud(baud: number): void;
  /** Leave the loader and boot the application from flash (`reboot`: through a chip reset). */
  runApp(reboot: boolean): void;
  /** The USB device disappears (fault injection). */
  disconnect(): void;
}

interface FlashSession {
  compressed: boolean;
  offset: number;
  size: number;
  blocks: number;
  blockSize: number;
  nextSeq: number;
  written: number;
  inflate?: Inflate;
  lastData?: Uint8Array;
}

interface RamSegment { offset: number; size: number; blockSize: number; data: Uint8Array; nextSeq: number }

interface ReadSession { offset: number; length: number; packetSize: number; maxInFlight: number; sent: number; acked: number }

export class RomBootloader {
  stub = false;
  /** Counters for tests and the benchmark. */
  readonly stats = { commands: 0, dataPackets: 0, retriedBlocks: 0 };
  private readonly decoder: SlipDecoder;
  private readonly regs: Registers;
  private queue: Uint8Array[] = [];
  private busy = false;
  private session: FlashSession | null = null;
  private ram: RamSegment[] = [];
  private ramCurrent: RamSegment | null = null;
  private reading: ReadSession | null = null;
  private dead = false;

  constructor(private readonly host: LoaderHost) {
    this.decoder = new SlipDecoder((frame) => this.onFrame(frame));
    this.regs = new Registers({
      mac: host.mac, flashSize: host.flash.size, usbJtag: host.usbJtag,
      get wrongChip() { return host.faults.wrongChip === true; },
    });
  }

  receive(bytes: Uint8Array): void {
    if (!this.dead) this.decoder.push(bytes);
  }

  /** Stop reacting (chip reset or power loss). */
  halt(): void {
    this.dead = true;
    this.queue = [];
  }

  private onFrame(frame: Uint8Array): void {
    if (this.reading) { this.onReadAck(frame); return; }
    this.queue.push(frame);
    this.pump();
  }

  private pump(): void {
    while (!this.busy && !this.dead && this.queue.length > 0) {
      const frame = this.queue.shift()!;
      this.handle(frame);
    }
  }

  /** Finish a command that had to wait (slow erase): reply later, then take the next frame. */
  private later(ms: number, fn: () => void): void {
    if (ms <= 0) { fn(); return; }
    this.busy = true;
    this.host.schedule(ms, () => {
      this.busy = false;
      if (this.dead) return;
      fn();
      this.pump();
    });
  }

  private reply(op: number, value: number, data: Uint8Array = new Uint8Array(0), error = 0): void {
    const f = this.host.faults;
    if ((f.dropReplies ?? 0) > 0 && (f.dropReplyOp === undefined || f.dropReplyOp === op)) {
      f.dropReplies = f.dropReplies! - 1;
      return;
    }
    const body = new Uint8Array(8 + data.length + 2);
    const dv = new DataView(body.buffer);
    body[0] = DIRECTION_RESPONSE;
    body[1] = op;
    dv.setUint16(2, data.length + 2, true);
    dv.setUint32(4, value >>> 0, true);
    body.set(data, 8);
    body[8 + data.length] = error === 0 ? 0 : 1;
    body[9 + data.length] = error;
    const framed = slipEncode(body);
    this.host.send(framed);
    if ((f.duplicateReplies ?? 0) > 0) {
      f.duplicateReplies = f.duplicateReplies! - 1;
      this.host.send(framed);
    }
  }

  private fail(op: number, romCode: number, stubCode: number): void {
    this.reply(op, 0, new Uint8Array(0), this.stub ? stubCode : romCode);
  }

  private handle(frame: Uint8Array): void {
    if (frame.length < 8 || frame[0] !== DIRECTION_REQUEST) return; // not a request: ignored, like the ROM
    const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const op = frame[1];
    const len = dv.getUint16(2, true);
    const checksum = dv.getUint32(4, true);
    let data = frame.subarray(8);
    this.stats.commands++;
    if (data.length !== len) { this.fail(op, RomError.INVALID_MESSAGE, StubError.BAD_DATA_LEN); return; }
    const word = (i: number) => (data.length >= 4 * i + 4 ? new DataView(data.buffer, data.byteOffset).getUint32(4 * i, true) : 0);
    const faults = this.host.faults;
    const isData = op === Op.FLASH_DATA || op === Op.FLASH_DEFL_DATA || op === Op.MEM_DATA;
    if (isData && (faults.corruptDataPackets ?? 0) > 0 && data.length > 16 && (faults.corruptDataOp === undefined || faults.corruptDataOp === op)) {
      faults.corruptDataPackets! -= 1;
      data = Uint8Array.from(data);
      data[16] ^= 0x40; // a bit flipped on the wire
    }
    if (faults.secureDownload && !this.allowedInSecureDownload(op)) {
      this.fail(op, RomError.INVALID_MESSAGE, StubError.INVALID_COMMAND);
      return;
    }
    switch (op) {
      case Op.SYNC: {
        if (this.stub) { this.reply(op, 0); return; }
        for (let i = 0; i < ROM_SYNC_REPLIES; i++) this.reply(op, ROM_SYNC_VALUE);
        return;
      }
      case Op.READ_REG: this.reply(op, this.regs.read(word(0))); return;
      case Op.WRITE_REG: {
        // Groups of (addr, value, mask, delay_us); the last delay is honoured by a real chip only.
        for (let i = 0; i + 16 <= data.length; i += 16) this.regs.write(word(i / 4), word(i / 4 + 1), word(i / 4 + 2));
        this.reply(op, 0);
        return;
      }
      case Op.SPI_ATTACH:
      case Op.SPI_SET_PARAMS:
        this.reply(op, 0);
        return;
      case Op.CHANGE_BAUDRATE: {
        const baud = word(0);
        this.reply(op, 0);
        this.host.setBaud(baud); // the reply leaves at the old rate, everything after at the new one
        return;
      }
      case Op.GET_SECURITY_INFO: {
        const info = new Uint8Array(20);
        const iv = new DataView(info.buffer);
        iv.setUint32(0, faults.secureDownload ? SECURITY_FLAG_SECURE_DOWNLOAD : 0, true);
        iv.setUint32(12, faults.wrongChip ? WRONG_CHIP_ID : CHIP_ID_ESP32S3, true);
        iv.setUint32(16, SECURITY_API_VERSION, true);
        this.reply(op, 0, info);
        return;
      }
      case Op.FLASH_BEGIN:
      case Op.FLASH_DEFL_BEGIN: this.flashBegin(op, word(0), word(1), word(2), word(3)); return;
      case Op.FLASH_DATA:
      case Op.FLASH_DEFL_DATA: this.flashData(op, data, checksum); return;
      case Op.FLASH_END:
      case Op.FLASH_DEFL_END: this.flashEnd(op, word(0)); return;
      case Op.MEM_BEGIN: this.memBegin(word(0), word(1), word(2), word(3)); return;
      case Op.MEM_DATA: this.memData(data, checksum); return;
      case Op.MEM_END: this.memEnd(word(0), word(1)); return;
      case Op.SPI_FLASH_MD5: {
        const offset = word(0), size = word(1);
        if (!this.host.flash.contains(offset, size)) { this.fail(op, RomError.FLASH_READ_LENGTH_ERROR, StubError.BAD_DATA_LEN); return; }
        const digest = this.host.flash.md5(offset, size);
        this.reply(op, 0, this.stub ? digest : new TextEncoder().encode(Buffer.from(digest).toString("hex")));
        return;
      }
      case Op.ERASE_FLASH:
      case Op.ERASE_REGION:
      case Op.READ_FLASH:
        if (!this.stub) { this.fail(op, RomError.INVALID_MESSAGE, 0); return; }
        if (op === Op.ERASE_FLASH) this.erase(op, 0, this.host.flash.size);
        else if (op === Op.ERASE_REGION) {
          if (word(0) % FLASH_SECTOR_SIZE !== 0 || word(1) % FLASH_SECTOR_SIZE !== 0) { this.fail(op, 0, StubError.BAD_DATA_LEN); return; }
          this.erase(op, word(0), word(1));
        } else this.readFlash(word(0), word(1), word(2), word(3));
        return;
      case Op.RUN_USER_CODE:
        if (!this.stub) { this.fail(op, RomError.INVALID_MESSAGE, 0); return; }
        this.host.runApp(false);
        return;
      default:
        this.fail(op, RomError.INVALID_MESSAGE, StubError.CMD_NOT_IMPLEMENTED);
    }
  }

  private allowedInSecureDownload(op: number): boolean {
    const allowed: number[] = [Op.SYNC, Op.GET_SECURITY_INFO, Op.SPI_ATTACH, Op.SPI_SET_PARAMS, Op.CHANGE_BAUDRATE,
      Op.FLASH_BEGIN, Op.FLASH_DATA, Op.FLASH_END, Op.FLASH_DEFL_BEGIN, Op.FLASH_DEFL_DATA, Op.FLASH_DEFL_END];
    return allowed.includes(op);
  }

  private eraseDelay(sectors: number): number {
    return (this.host.faults.eraseMsPerSector ?? 0) * sectors;
  }

  private erase(op: number, offset: number, size: number): void {
    if (!this.host.flash.contains(offset, size)) { this.fail(op, RomError.INVALID_MESSAGE, StubError.BAD_DATA_LEN); return; }
    const sectors = this.host.flash.erase(offset, size);
    this.later(this.eraseDelay(sectors), () => this.reply(op, 0));
  }

  private flashBegin(op: number, size: number, blocks: number, blockSize: number, offset: number): void {
    const compressed = op === Op.FLASH_DEFL_BEGIN;
    // For compressed writes the stub gets the uncompressed size; the ROM gets an erase size.
    if (!this.host.flash.contains(offset, Math.min(size, this.host.flash.size))) {
      this.fail(op, RomError.INVALID_MESSAGE, StubError.BAD_DATA_LEN);
      return;
    }
    if (blockSize === 0 && blocks !== 0) { this.fail(op, RomError.INVALID_MESSAGE, StubError.BAD_BLOCKSIZE); return; }
    this.session = {
      compressed, offset, size, blocks, blockSize, nextSeq: 0, written: 0,
      inflate: compressed ? new Inflate({ chunkSize: 65536 }) : undefined,
    };
    const sectors = this.host.flash.erase(offset, Math.min(size, this.host.flash.size - offset));
    this.later(this.eraseDelay(sectors), () => this.reply(op, 0));
  }

  private flashData(op: number, data: Uint8Array, checksum: number): void {
    const s = this.session;
    const expectCompressed = op === Op.FLASH_DEFL_DATA;
    if (!s || s.compressed !== expectCompressed) { this.fail(op, RomError.FAILED_TO_ACT, StubError.NOT_IN_FLASH_MODE); return; }
    const hv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.length < 16) { this.fail(op, RomError.INVALID_MESSAGE, StubError.BAD_DATA_LEN); return; }
    const len = hv.getUint32(0, true);
    const seq = hv.getUint32(4, true);
    const payload = data.subarray(16);
    if (payload.length !== len) { this.fail(op, RomError.INVALID_MESSAGE, StubError.BAD_DATA_LEN); return; }
    let sum = CHECKSUM_MAGIC;
    for (const b of payload) sum ^= b;
    if (sum !== (checksum & 0xff)) { this.fail(op, RomError.INVALID_CRC, StubError.BAD_DATA_CHECKSUM); return; }
    // A host that lost our reply sends the same block again: acknowledge it without writing twice.
    if (seq + 1 === s.nextSeq && s.lastData && Buffer.compare(s.lastData, payload) === 0) {
      this.stats.retriedBlocks++;
      this.reply(op, 0);
      return;
    }
    if (seq !== s.nextSeq) { this.fail(op, RomError.FAILED_TO_ACT, StubError.BAD_DATA_LEN); return; }
    this.stats.dataPackets++;
    const faults = this.host.faults;
    if (faults.disconnectAfterDataPackets !== undefined) {
      if (faults.disconnectAfterDataPackets <= 0) {
        faults.disconnectAfterDataPackets = undefined;
        this.halt();
        this.host.disconnect();
        return;
      }
      faults.disconnectAfterDataPackets--;
    }
    if (s.compressed) {
      const inflate = s.inflate!;
      let failed = false;
      inflate.onData = (chunk: Uint8Array) => {
        if (s.written + chunk.length > s.size && !this.stub) { /* ROM erase size is rounded up: fine */ }
        if (!this.host.flash.contains(s.offset + s.written, chunk.length)) { failed = true; return; }
        this.host.flash.write(s.offset + s.written, chunk);
        s.written += chunk.length;
      };
      inflate.push(payload, Z_SYNC_FLUSH);
      if (inflate.err || failed) { this.fail(op, RomError.DEFLATE_ERROR, StubError.INFLATE_ERROR); return; }
    } else {
      const at = s.offset + seq * s.blockSize;
      if (!this.host.flash.contains(at, Math.min(payload.length, this.host.flash.size - at))) {
        this.fail(op, RomError.FLASH_WRITE_ERROR, StubError.TOO_MUCH_DATA);
        return;
      }
      this.host.flash.write(at, payload);
      s.written += payload.length;
    }
    s.nextSeq = seq + 1;
    s.lastData = Uint8Array.from(payload);
    this.reply(op, 0);
  }

  private flashEnd(op: number, stayFlag: number): void {
    const s = this.session;
    if (this.stub && s && s.compressed && op === Op.FLASH_DEFL_END && s.inflate && !s.inflate.ended && s.size > 0) {
      this.fail(op, 0, StubError.NOT_ENOUGH_DATA);
      return;
    }
    this.session = null;
    this.reply(op, 0);
    // ROM: 1 = run user code, 0 = reboot. Stub: 1 = stay in the stub, 0 = reboot.
    if (stayFlag === 0) this.host.runApp(true);
    else if (!this.stub) this.host.runApp(false);
  }

  private memBegin(size: number, blocks: number, blockSize: number, offset: number): void {
    if (blocks * blockSize < size) { this.fail(Op.MEM_BEGIN, RomError.INVALID_MESSAGE, StubError.BAD_BLOCKSIZE); return; }
    this.ramCurrent = { offset, size, blockSize, data: new Uint8Array(size), nextSeq: 0 };
    this.ram.push(this.ramCurrent);
    this.reply(Op.MEM_BEGIN, 0);
  }

  private memData(data: Uint8Array, checksum: number): void {
    const seg = this.ramCurrent;
    if (!seg || data.length < 16) { this.fail(Op.MEM_DATA, RomError.FAILED_TO_ACT, StubError.BAD_DATA_LEN); return; }
    const hv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const len = hv.getUint32(0, true);
    const seq = hv.getUint32(4, true);
    const payload = data.subarray(16);
    let sum = CHECKSUM_MAGIC;
    for (const b of payload) sum ^= b;
    if (payload.length !== len) { this.fail(Op.MEM_DATA, RomError.INVALID_MESSAGE, StubError.BAD_DATA_LEN); return; }
    if (sum !== (checksum & 0xff)) { this.fail(Op.MEM_DATA, RomError.INVALID_CRC, StubError.BAD_DATA_CHECKSUM); return; }
    const at = seq * seg.blockSize;
    if (at + len > seg.size) { this.fail(Op.MEM_DATA, RomError.INVALID_MESSAGE, StubError.TOO_MUCH_DATA); return; }
    seg.data.set(payload, at);
    seg.nextSeq = seq + 1;
    this.reply(Op.MEM_DATA, 0);
  }

  private memEnd(noEntry: number, entry: number): void {
    this.reply(Op.MEM_END, 0);
    if (noEntry !== 0) return;
    const inLoadedCode = this.ram.some((s) => entry >= s.offset && entry < s.offset + s.size);
    if (!inLoadedCode) { this.halt(); return; } // jumping into nowhere: the chip hangs, like the real one
    // "Run" the stub: it re-initialises and greets the host.
    this.host.schedule(1, () => {
      if (this.dead) return;
      this.stub = true;
      this.session = null;
      this.ram = [];
      this.host.send(slipEncode(new TextEncoder().encode(STUB_HELLO)));
    });
  }

  private readFlash(offset: number, length: number, packetSize: number, maxInFlight: number): void {
    if (!this.host.flash.contains(offset, length) || packetSize === 0) { this.fail(Op.READ_FLASH, 0, StubError.BAD_DATA_LEN); return; }
    this.reply(Op.READ_FLASH, 0);
    this.reading = { offset, length, packetSize, maxInFlight: Math.max(1, maxInFlight), sent: 0, acked: 0 };
    this.sendReadPackets();
  }

  private sendReadPackets(): void {
    const r = this.reading!;
    while (r.sent < r.length && r.sent - r.acked < r.maxInFlight * r.packetSize) {
      const n = Math.min(r.packetSize, r.length - r.sent);
      this.host.send(slipEncode(this.host.flash.read(r.offset + r.sent, n)));
      r.sent += n;
    }
  }

  /** During READ_FLASH the host acknowledges with the total byte count received so far. */
  private onReadAck(frame: Uint8Array): void {
    const r = this.reading!;
    if (frame.length !== 4) return;
    r.acked = new DataView(frame.buffer, frame.byteOffset).getUint32(0, true);
    if (r.acked >= r.length) {
      this.reading = null;
      this.host.send(slipEncode(this.host.flash.md5(r.offset, r.length)));
      return;
    }
    this.sendReadPackets();
  }
}
