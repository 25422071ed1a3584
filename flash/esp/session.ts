// A session with the ESP32-S3 serial bootloader, through esptool-js (Espressif's loader,
// unmodified) behind a Web-Serial adapter. esptool-js speaks the protocol; this file fixes
// what it gets wrong for us and drives the block loop itself:
//   - resets: our sequences (both lines at every step; hard reset really pulses EN);
//   - MD5: the ROM answers in ASCII hex, the stub in raw bytes; esptool-js compares the
//     wrong encodings without the stub, so md5() normalises both;
//   - stub upload: esptool-js does not retry a failed RAM block; runStub is retried whole;
//   - writes: esptool-js's writeFlash re-inflates every block byte by byte to show progress
//     (~0.4 s of CPU per 16 KiB block, measured here), so blocks are sent from here with its
//     per-block commands (which retry a block 3 times) and every region is verified by MD5.
import { createHash } from "node:crypto";
import { ESPLoader, Transport } from "esptool-js";
import { deflate } from "pako";
import { ExitCode, ToolError } from "../errors.js";
import type { SerialLink } from "../serial/link.js";
import { WebSerialAdapter } from "../serial/web-serial.js";
import { CHIP_ID_ESP32S3, FLASH_SECTOR_SIZE, ROM_BAUD } from "./rom-protocol.js";
import { hardReset, type ResetKind, resetIntoBootloader } from "./reset.js";

const STUB_ATTEMPTS = 3;

export interface SessionOptions {
  path: string;
  baud: number;
  /** "none": the board is already in download mode (or the port cannot drive DTR/RTS). */
  reset: ResetKind | "none";
  usbVendorId?: number;
  usbProductId?: number;
  /** Diagnostic lines from esptool-js. */
  log?: (line: string) => void;
  /** Skip the flasher stub (ROM only: slower, no compressed-write speedup from the stub). */
  noStub?: boolean;
  /** Scale for reset pulse lengths (tests use a small one). */
  resetDelayScale?: number;
}

export interface ChipInfo {
  chip: string;
  chipId: number;
  mac: string;
  flashSize: number;
  secureDownload: boolean;
  stub: boolean;
}

export interface Progress {
  (done: number, total: number): void;
}

export class EspSession {
  private constructor(
    readonly loader: ESPLoader,
    readonly transport: Transport,
    readonly adapter: WebSerialAdapter,
    readonly info: ChipInfo,
    private readonly opts: SessionOptions,
  ) {}

  get link(): SerialLink {
    return this.adapter.link!;
  }

  static async connect(opts: SessionOptions): Promise<EspSession> {
    const adapter = new WebSerialAdapter(opts.path, { usbVendorId: opts.usbVendorId, usbProductId: opts.usbProductId });
    const transport = new Transport(adapter as never, false);
    transport.trace = () => {}; // esptool-js logs read-loop events to the console unconditionally
    const log = opts.log ?? (() => {});
    const scale = opts.resetDelayScale ?? 1;
    const ours = (kind: ResetKind) => () => ({ reset: async () => { if (adapter.link) await resetIntoBootloader(adapter.link, kind, scale); } });
    const loader = new ESPLoader({
      transport, baudrate: opts.baud, romBaudrate: ROM_BAUD,
      terminal: { clean() {}, writeLine: (s: string) => log(s), write: (s: string) => log(s) },
      resetConstructors: {
        classicReset: ours("classic"),
        usbJTAGSerialReset: ours("usb-jtag"),
        hardReset: () => ({ reset: async () => { if (adapter.link) await hardReset(adapter.link, scale); } }),
      },
    } as never);
    try {
      await loader.connect(opts.reset === "none" ? "no_reset" : opts.reset === "usb-jtag" ? "usb_reset" : "default_reset", opts.reset === "none" ? 2 : 4);
    } catch (e) {
      await disconnect(transport, adapter);
      const msg = e instanceof Error ? e.message : String(e);
      if (/chip id|chip magic/i.test(msg)) throw new ToolError(ExitCode.WRONG_CHIP, `${opts.path}: ${msg}; tsense flashes ESP32-S3 boards only`);
      const linesDead = adapter.link ? !adapter.link.linesWork : false;
      throw new ToolError(ExitCode.NO_DEVICE, `${opts.path}: no answer from the ROM bootloader (${msg}); ` +
        (linesDead || opts.reset === "none"
          ? "this port cannot reset the board: hold BOOT, tap RESET, release BOOT, then retry"
          : "check the cable, close other programs using the port, or hold BOOT while tapping RESET and retry"));
    }
    try {
      const security = await loader.getSecurityInfo().catch(() => null);
      const chipId = security?.chipId ?? (loader.chip?.IMAGE_CHIP_ID as number | undefined) ?? -1;
      const chipName = loader.chip?.CHIP_NAME ?? "unknown";
      if (chipId !== CHIP_ID_ESP32S3) {
        throw new ToolError(ExitCode.WRONG_CHIP, `${opts.path}: the board is an ${chipName} (chip id ${chipId}), not an ESP32-S3; pick the right port or board`);
      }
      const secureDownload = loader.secureDownloadMode === true;
      if (secureDownload) {
        throw new ToolError(ExitCode.REFUSED, `${opts.path}: the ESP32-S3 is in Secure Download Mode: flash cannot be read back or verified, so tsense will not write it; use the signed-update path of your secure-boot setup`);
      }
      const mac = await loader.chip.readMac(loader);
      if (!opts.noStub) await runStubWithRetry(loader, log);
      if (opts.baud !== ROM_BAUD) await loader.changeBaud();
      const sizeName = await loader.detectFlashSize();
      const flashSize = sizeName ? loader.flashSizeBytes(sizeName as never) : 0;
      if (!flashSize) throw new ToolError(ExitCode.FAILED, `${opts.path}: could not read the flash chip id; check the board's flash wiring or power`);
      return new EspSession(loader, transport, adapter, {
        chip: chipName, chipId, mac, flashSize, secureDownload, stub: loader.IS_STUB,
      }, opts);
    } catch (e) {
      await disconnect(transport, adapter);
      throw e;
    }
  }

  /** MD5 of a flash region as lowercase hex, whether the ROM or the stub answers. */
  async md5(offset: number, size: number): Promise<string> {
    const raw = await this.loader.flashMd5sum(offset, size);
    // esptool-js hex-encodes the reply bytes: the stub's 16 raw bytes come out right, the ROM's
    // 32 ASCII characters come out hex-encoded twice.
    return this.loader.IS_STUB ? raw : Buffer.from(raw, "hex").toString("latin1").toLowerCase();
  }

  /** Write one region and verify it by MD5; throws ToolError(VERIFY_FAILED) on mismatch. */
  async writeRegion(offset: number, data: Uint8Array, opts: { compress?: boolean; progress?: Progress } = {}): Promise<{ wireBytes: number }> {
    if (offset % FLASH_SECTOR_SIZE !== 0) throw new ToolError(ExitCode.BAD_IMAGE, `region at 0x${offset.toString(16)} is not 4 KiB aligned`);
    const image = data.length % 4 === 0 ? data : padTo4(data);
    const loader = this.loader;
    const blockSize = loader.FLASH_WRITE_SIZE;
    const compress = opts.compress ?? true;
    const payload = compress ? deflate(image, { level: 9 }) : image;
    const before = this.link.counts.written;
    // esptool-js retries a block 3 times; past that the whole region starts over once.
    for (let attempt = 1; ; attempt++) {
      try {
        const blocks = await this.whileLinked(compress ? loader.flashDeflBegin(image.length, payload.length, offset) : loader.flashBegin(image.length, offset));
        for (let seq = 0; seq < blocks; seq++) {
          let block = payload.subarray(seq * blockSize, (seq + 1) * blockSize);
          const blockTimeout = Math.max(3000, (loader.ERASE_WRITE_TIMEOUT_PER_MB * blockSize * (compress ? 4 : 1)) / 1e6);
          if (compress) await this.whileLinked(loader.flashDeflBlock(block, seq, blockTimeout));
          else {
            if (block.length < blockSize) { const padded = new Uint8Array(blockSize).fill(0xff); padded.set(block); block = padded; }
            await this.whileLinked(loader.flashBlock(block, seq, blockTimeout));
          }
          opts.progress?.(Math.min(image.length, Math.round(((seq + 1) / blocks) * image.length)), image.length);
        }
        // FLASH_END(stay): the stub stays; the ROM would jump to the app, so it gets no END here.
        if (loader.IS_STUB) await this.whileLinked(compress ? loader.flashDeflFinish(false) : loader.flashFinish(false));
        break;
      } catch (e) {
        if (attempt >= 2 || !this.adapter.link || this.adapter.link.closed) throw e;
        this.opts.log?.(`region 0x${offset.toString(16)}: ${e instanceof Error ? e.message : e}; starting the region again`);
      }
    }
    const want = createHash("md5").update(image).digest("hex");
    const got = await this.md5(offset, image.length);
    if (got !== want) {
      throw new ToolError(ExitCode.VERIFY_FAILED, `verify failed at 0x${offset.toString(16)}: flash MD5 ${got}, expected ${want}; the board is half-written: run the same flash-firmware command again (add --erase if it keeps failing)`);
    }
    return { wireBytes: this.link.counts.written - before };
  }

  /** Fail as soon as the link drops instead of after esptool-js's timeouts and retries. */
  private whileLinked<T>(p: Promise<T>): Promise<T> {
    const link = this.adapter.link;
    if (!link) return p;
    let timer: NodeJS.Timeout | undefined;
    const lost = new Promise<never>((_, reject) => {
      const check = () => {
        if (link.closed) reject(new Error(`${this.opts.path}: ${link.closeReason || "port closed"}`));
        else timer = setTimeout(check, 20);
      };
      check();
    });
    return Promise.race([p, lost]).finally(() => clearTimeout(timer));
  }

  async eraseAll(): Promise<void> {
    if (!this.loader.IS_STUB) throw new ToolError(ExitCode.FAILED, "erasing needs the flasher stub; run without --no-stub");
    await this.loader.eraseFlash();
  }

  async eraseRegion(offset: number, size: number): Promise<void> {
    if (!this.loader.IS_STUB) throw new ToolError(ExitCode.FAILED, "erasing needs the flasher stub; run without --no-stub");
    await this.loader.checkCommand("erase region", this.loader.ESP_ERASE_REGION, concatWords(offset, size), undefined, undefined,
      this.loader.timeoutPerMb(this.loader.ERASE_REGION_TIMEOUT_PER_MB, size));
  }

  /** Reset into the application with our own sequence; leaves the port open. */
  async resetToApp(): Promise<boolean> {
    return hardReset(this.link, this.opts.resetDelayScale ?? 1);
  }

  async close(): Promise<void> {
    await disconnect(this.transport, this.adapter);
  }
}

/** esptool-js waits for its stream locks without a deadline; after a lost link that can be forever. */
async function disconnect(transport: Transport, adapter: WebSerialAdapter): Promise<void> {
  const done = transport.disconnect().catch(() => {});
  const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 2000))]);
  if (timedOut) await adapter.close().catch(() => {});
}

async function runStubWithRetry(loader: ESPLoader, log: (s: string) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await loader.runStub();
      return;
    } catch (e) {
      if (attempt >= STUB_ATTEMPTS) {
        throw new ToolError(ExitCode.FAILED, `could not start the flasher stub after ${STUB_ATTEMPTS} tries (${e instanceof Error ? e.message : e}); retry, or use --no-stub`);
      }
      log(`stub upload failed (${e instanceof Error ? e.message : e}), retrying`);
      loader.transport.flushInput();
    }
  }
}

function padTo4(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 4) * 4).fill(0xff);
  out.set(data);
  return out;
}

function concatWords(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}
