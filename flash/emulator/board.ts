// An emulated ESP32-S3 board as seen through its USB serial port: a flash chip, the reset
// circuit driven by DTR/RTS, a UART with a baud rate (and, for the benchmark, a real line
// rate), and whatever runs after reset: the ROM loader (download mode) or the application
// found in flash. The application is picked by the project name in its app descriptor, so
// an image that says "espruino" boots the Espruino REPL emulator, "nodemcu" the NodeMCU one.
import { APP_OFFSET, BOOTLOADER_OFFSET, IMAGE_MAGIC, ROM_BAUD } from "../esp/rom-protocol.js";
import { type AppDescription, imageIntegrityError, readAppDescription } from "../esp/image.js";
import { FlashMemory } from "./flash-memory.js";
import type { RomFaults } from "./rom/faults.js";
import { RomBootloader } from "./rom/bootloader.js";
import { ResetCircuit, type ResetCircuitKind } from "./reset-circuit.js";
import { type BoardHardware, boardHardware } from "./hardware.js";

/** The emulator keeps interpreter file systems in this flash window: erasing it wipes them. */
export const STORAGE_OFFSET = 0x300000;
export const STORAGE_SIZE = 0x100000;

/** ESP32-S3 reset reasons as the ROM prints them ("rst:0x1 (POWERON)"). */
export const ResetReason = {
  POWERON: 0x01,
  RTC_SW_SYS_RST: 0x03,
  TG0WDT_SYS_RST: 0x07,
  RTC_SW_CPU_RST: 0x0c,
  BROWNOUT_RST: 0x0f,
} as const;

export type BoardMode = "off" | "reset" | "rom" | "app";

/** A program that runs on the board after boot (an interpreter REPL emulator). */
export interface DeviceRuntime {
  receive(bytes: Uint8Array): void;
  stop(): void;
}

export interface RuntimeContext {
  readonly board: Board;
  readonly app: AppDescription;
  /** Bytes/text to the host over the UART. */
  print(text: string | Uint8Array): void;
  /** Software reset (node.restart(), E.reboot()). */
  restart(): void;
  /** A crash: prints a Guru Meditation and resets, as the IDF panic handler does. */
  panic(reason: string): void;
  /** File system kept across reboots, wiped when its flash window is erased. */
  files: Map<string, Uint8Array>;
}

export interface RuntimeFactory {
  projectName: string;
  start(ctx: RuntimeContext): DeviceRuntime;
}

export interface HostConnection {
  onData(bytes: Uint8Array): void;
  onDisconnect(): void;
}

export interface BoardOptions {
  flashSize?: number;
  mac?: Uint8Array;
  circuit?: ResetCircuitKind;
  runtimes?: RuntimeFactory[];
  /** Deliver bytes at the UART's line rate (10 bits per byte) instead of at once. */
  simulateLineRate?: boolean;
  /** Start in download mode (as if BOOT was held at power-on) instead of booting flash. */
  startInDownloadMode?: boolean;
  faults?: RomFaults;
}

export class Board {
  readonly flash: FlashMemory;
  readonly mac: Uint8Array;
  readonly faults: RomFaults;
  readonly circuit: ResetCircuit;
  readonly files = new Map<string, Uint8Array>();
  /** Sensors, ADC and SD card the interpreters see (the SD card survives erase). */
  readonly hardware: BoardHardware = boardHardware();
  readonly runtimes: RuntimeFactory[];
  mode: BoardMode = "off";
  loader: RomBootloader | null = null;
  runtime: DeviceRuntime | null = null;
  deviceBaud = ROM_BAUD;
  hostBaud = ROM_BAUD;
  simulateLineRate: boolean;
  /** A pty carries no baud rate: host and chip then always agree. */
  ignoreBaud = false;
  /** Bytes that crossed the wire each way (for the benchmark). */
  readonly wire = { toDevice: 0, toHost: 0 };
  /** Log of boots, for tests: "rom" or "app:<project>" or "app:none". */
  readonly boots: string[] = [];
  private host: HostConnection | null = null;
  private present = true;
  private rxFreeAt = 0;
  private txFreeAt = 0;
  private generation = 0;

  constructor(opts: BoardOptions = {}) {
    this.flash = new FlashMemory(opts.flashSize ?? 8 * 1024 * 1024);
    this.mac = opts.mac ?? Uint8Array.from([0x34, 0x85, 0x18, 0x12, 0x34, 0x56]);
    this.faults = opts.faults ?? {};
    this.runtimes = opts.runtimes ?? [];
    this.simulateLineRate = opts.simulateLineRate ?? false;
    this.circuit = new ResetCircuit(opts.circuit ?? "classic", {
      hold: () => this.hold(),
      release: (download) => this.boot(download, ResetReason.POWERON),
    });
    const erase = this.flash.erase.bind(this.flash);
    this.flash.erase = (offset: number, length: number) => {
      if (offset < STORAGE_OFFSET + STORAGE_SIZE && offset + length > STORAGE_OFFSET) this.files.clear();
      return erase(offset, length);
    };
    this.boot(opts.startInDownloadMode ?? false, ResetReason.POWERON);
  }

  get usbJtag(): boolean {
    return this.circuit.kind === "usb-jtag";
  }

  get connected(): boolean {
    return this.host !== null;
  }

  // ---- host side (the serial binding) ----

  attachHost(conn: HostConnection): void {
    if (!this.present) throw new Error("board is unplugged");
    if (this.host) throw new Error("port is busy (already open)");
    this.host = conn;
  }

  detachHost(): void {
    this.host = null;
  }

  setLines(dtr: boolean, rts: boolean): void {
    this.circuit.set(dtr, rts);
  }

  setHostBaud(baud: number): void {
    this.hostBaud = baud;
  }

  /** Bytes from the host towards the chip. */
  write(bytes: Uint8Array): void {
    this.wire.toDevice += bytes.length;
    if (this.mode === "app") {
      const f = this.faults;
      if (f.disconnectAfterAppWrites !== undefined) {
        if (f.disconnectAfterAppWrites <= 0) { f.disconnectAfterAppWrites = undefined; this.unplug(); return; }
        f.disconnectAfterAppWrites--;
      }
      if ((f.corruptAppWritesAfter ?? 0) > 0) f.corruptAppWritesAfter! -= 1;
      else if ((f.corruptAppWrites ?? 0) > 0 && bytes.length > 64) {
        f.corruptAppWrites! -= 1;
        bytes = Uint8Array.from(bytes);
        bytes[Math.floor(bytes.length / 2)] ^= 0x01; // line noise
      }
    }
    const gen = this.generation;
    const sentAt = this.hostBaud;
    const deliver = () => {
      if (gen !== this.generation) return;
      if (sentAt !== this.deviceBaud && !this.ignoreBaud) return; // framing errors: the chip sees nothing usable
      if (this.mode === "rom") this.loader?.receive(bytes);
      else if (this.mode === "app") this.runtime?.receive(bytes);
    };
    if (!this.simulateLineRate) { deliver(); return; }
    const at = this.lineSlot("rx", bytes.length);
    setTimeout(deliver, Math.max(0, at - performance.now()));
  }

  /** Unplug: the host loses the port; the chip loses power. */
  unplug(): void {
    this.present = false;
    this.hold();
    this.mode = "off";
    const host = this.host;
    this.host = null;
    host?.onDisconnect();
  }

  /** Power off with the cable still in (the end of a command that owns this board): the interpreter stops. */
  powerOff(): void {
    this.hold();
    this.mode = "off";
  }

  /** Plug back in: power-on boot. */
  plug(): void {
    this.present = true;
    this.boot(false, ResetReason.POWERON);
  }

  get isPresent(): boolean {
    return this.present;
  }

  // ---- chip side ----

  /** Bytes from the chip towards the host. */
  emit(bytes: Uint8Array | string): void {
    const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    if (data.length === 0) return;
    this.wire.toHost += data.length;
    const sentAt = this.deviceBaud;
    const deliver = () => {
      if (this.hostBaud !== sentAt && !this.ignoreBaud) return;
      this.host?.onData(data);
    };
    if (!this.simulateLineRate) { deliver(); return; }
    const at = this.lineSlot("tx", data.length);
    setTimeout(deliver, Math.max(0, at - performance.now()));
  }

  /** When the last of `n` bytes finishes on the wire in one direction (10 bits per byte). */
  private lineSlot(dir: "rx" | "tx", n: number): number {
    const now = performance.now();
    const ms = (n * 10 * 1000) / (dir === "rx" ? this.hostBaud : this.deviceBaud);
    if (dir === "rx") { this.rxFreeAt = Math.max(now, this.rxFreeAt) + ms; return this.rxFreeAt; }
    this.txFreeAt = Math.max(now, this.txFreeAt) + ms;
    return this.txFreeAt;
  }

  private hold(): void {
    this.generation++;
    this.loader?.halt();
    this.loader = null;
    this.runtime?.stop();
    this.runtime = null;
    this.mode = "reset";
  }

  /** Reset and boot: into the ROM loader, or from flash. */
  boot(download: boolean, reason: number): void {
    this.hold();
    this.deviceBaud = ROM_BAUD;
    this.rxFreeAt = this.txFreeAt = 0;
    const rst = `rst:0x${reason.toString(16)} (${reasonName(reason)})`;
    this.emit(`ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\n`);
    if (download) {
      this.mode = "rom";
      this.boots.push("rom");
      this.emit(`${rst},boot:0x0 (DOWNLOAD(USB/UART0))\r\nwaiting for download\r\n`);
      const gen = this.generation;
      this.loader = new RomBootloader({
        flash: this.flash, faults: this.faults, mac: this.mac, usbJtag: this.usbJtag,
        send: (b) => { if (gen === this.generation) this.emit(b); },
        schedule: (ms, fn) => setTimeout(fn, ms),
        setBaud: (baud) => { this.deviceBaud = baud; },
        runApp: (reboot) => setTimeout(() => { if (gen === this.generation) this.boot(false, reboot ? ResetReason.RTC_SW_SYS_RST : reason); }, 1),
        disconnect: () => this.unplug(),
      });
      return;
    }
    this.mode = "app";
    this.emit(`${rst},boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n`);
    if (this.flash.bytes[BOOTLOADER_OFFSET] !== IMAGE_MAGIC) {
      this.boots.push("app:none");
      const header = Buffer.from(this.flash.read(BOOTLOADER_OFFSET, 4)).readUInt32LE(0);
      this.emit(`invalid header: 0x${header.toString(16).padStart(8, "0")}\r\n`);
      return;
    }
    const bootloaderError = imageIntegrityError(this.flash.bytes, BOOTLOADER_OFFSET);
    if (bootloaderError) {
      this.boots.push("app:none");
      this.emit(`E (20) boot: bootloader image at 0x0 is corrupt (${bootloaderError})\r\n`);
      return;
    }
    const app = readAppDescription(this.flash.read(APP_OFFSET, 0x200));
    const appError = app ? imageIntegrityError(this.flash.bytes, APP_OFFSET) : null;
    if (appError) {
      this.boots.push("app:corrupt");
      this.emit(`E (70) esp_image: ${appError} - image is corrupt\r\nE (75) boot: Factory app partition is not bootable\r\n`);
      return;
    }
    if (!app) {
      this.boots.push("app:none");
      this.emit("E (65) boot: No bootable app partitions in the partition table\r\n");
      return;
    }
    this.emit(`I (27) boot: ESP-IDF ${app.idfVersion} 2nd stage bootloader\r\nI (120) cpu_start: Application information:\r\n` +
      `I (121) cpu_start: Project name:     ${app.projectName}\r\nI (122) cpu_start: App version:      ${app.version}\r\n`);
    const factory = this.runtimes.find((r) => r.projectName === app.projectName);
    this.boots.push(`app:${factory ? app.projectName : "unknown"}`);
    if (!factory) return;
    const gen = this.generation;
    const ctx: RuntimeContext = {
      board: this, app, files: this.files,
      print: (text) => { if (gen === this.generation) this.emit(text); },
      restart: () => setTimeout(() => { if (gen === this.generation) this.boot(false, ResetReason.RTC_SW_CPU_RST); }, 1),
      panic: (why) => {
        if (gen !== this.generation) return;
        this.emit(`Guru Meditation Error: Core  0 panic'ed (${why}).\r\n\r\nRebooting...\r\n`);
        setTimeout(() => { if (gen === this.generation) this.boot(false, ResetReason.RTC_SW_CPU_RST); }, 1);
      },
    };
    this.runtime = factory.start(ctx);
  }
}

export function reasonName(reason: number): string {
  for (const [name, value] of Object.entries(ResetReason)) if (value === reason) return name;
  return "UNKNOWN";
}
