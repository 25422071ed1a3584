// An in-process serialport binding (@serialport/bindings-interface) whose ports are emulated
// boards. Unlike @serialport/binding-mock it carries DTR/RTS to the board's reset circuit and
// the baud rate to its UART, so reset sequences and baud changes are exercised for real.
// Ports are named "emu:<name>" and registered with attachBoard().
import type { Board } from "../emulator/board.js";

// The @serialport/bindings-interface types, restated: its package.json "exports" map hides
// its declarations from this project's module resolution. Structurally identical.
interface OpenOptions {
  path: string; baudRate: number; dataBits?: 5 | 6 | 7 | 8; lock?: boolean; stopBits?: 1 | 1.5 | 2; parity?: string;
  rtscts?: boolean; xon?: boolean; xoff?: boolean; xany?: boolean; hupcl?: boolean;
}
interface PortInfo {
  path: string; manufacturer: string | undefined; serialNumber: string | undefined; pnpId: string | undefined;
  locationId: string | undefined; productId: string | undefined; vendorId: string | undefined;
}
interface PortStatus { cts: boolean; dsr: boolean; dcd: boolean }
interface SetOptions { brk?: boolean; cts?: boolean; dsr?: boolean; dtr?: boolean; rts?: boolean }
interface UpdateOptions { baudRate: number }
interface BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen: boolean;
  close(): Promise<void>;
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
  write(buffer: Buffer): Promise<void>;
  update(options: UpdateOptions): Promise<void>;
  set(options: SetOptions): Promise<void>;
  get(): Promise<PortStatus>;
  getBaudRate(): Promise<{ baudRate: number }>;
  flush(): Promise<void>;
  drain(): Promise<void>;
}
interface BindingInterface<T extends BindingPortInterface> {
  list(): Promise<PortInfo[]>;
  open(options: OpenOptions): Promise<T>;
}

export const EMU_PREFIX = "emu:";

export interface EmulatedPortInfo {
  board: Board;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
}

const registry = new Map<string, EmulatedPortInfo>();

export function attachBoard(path: string, info: EmulatedPortInfo): void {
  if (!path.startsWith(EMU_PREFIX)) throw new Error(`emulated port names start with ${EMU_PREFIX}`);
  registry.set(path, info);
}

export function detachBoard(path: string): void {
  registry.delete(path);
}

export function emulatedBoard(path: string): EmulatedPortInfo | undefined {
  return registry.get(path);
}

interface CanceledError extends Error { canceled?: boolean }

function canceled(): CanceledError {
  const e: CanceledError = new Error("port closed");
  e.canceled = true;
  return e;
}

class EmulatedPort implements BindingPortInterface {
  isOpen = true;
  readonly openOptions: Required<OpenOptions>;
  private chunks: Uint8Array[] = [];
  private waiting: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private lost = false;
  private dtr = true;
  private rts = true;

  constructor(private readonly board: Board, options: OpenOptions) {
    this.openOptions = {
      dataBits: 8, lock: true, stopBits: 1, parity: "none", rtscts: false, xon: false, xoff: false, xany: false, hupcl: true,
      ...options,
    } as Required<OpenOptions>;
    board.attachHost({
      onData: (bytes) => { this.chunks.push(bytes); this.wake(); },
      onDisconnect: () => { this.lost = true; this.wake(); },
    });
    board.setHostBaud(options.baudRate);
    board.setLines(true, true); // opening a tty raises both lines, as Linux does
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.resolve();
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    while (this.chunks.length === 0) {
      if (!this.isOpen) throw canceled();
      if (this.lost) throw new Error("device disconnected (the USB port went away)");
      await new Promise<void>((resolve, reject) => { this.waiting = { resolve, reject }; });
    }
    if (!this.isOpen) throw canceled();
    let n = 0;
    while (n < length && this.chunks.length > 0) {
      const c = this.chunks[0];
      const take = Math.min(c.length, length - n);
      buffer.set(c.subarray(0, take), offset + n);
      n += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    return { buffer, bytesRead: n };
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw canceled();
    if (this.lost) throw new Error("device disconnected (the USB port went away)");
    this.board.write(Uint8Array.from(buffer));
  }

  async update(options: UpdateOptions): Promise<void> {
    this.openOptions.baudRate = options.baudRate;
    this.board.setHostBaud(options.baudRate);
  }

  async set(options: SetOptions): Promise<void> {
    if (this.lost) throw new Error("device disconnected");
    // Like the real bindings: a line that is not mentioned goes to its default (DTR on, RTS off).
    this.dtr = options.dtr ?? true;
    this.rts = options.rts ?? false;
    this.board.setLines(this.dtr, this.rts);
  }

  async get(): Promise<PortStatus> {
    return { cts: false, dsr: false, dcd: false };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    return { baudRate: this.openOptions.baudRate };
  }

  async flush(): Promise<void> {
    this.chunks = [];
  }

  async drain(): Promise<void> {}

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    if (!this.lost) {
      this.board.setLines(false, false); // closing drops both lines (hupcl)
      this.board.detachHost();
    }
    const w = this.waiting;
    this.waiting = null;
    w?.reject(canceled());
  }
}

export const EmulatorBinding: BindingInterface<EmulatedPort> = {
  async list(): Promise<PortInfo[]> {
    return [...registry.entries()].filter(([, info]) => info.board.isPresent).map(([path, info]) => ({
      path, manufacturer: "tsense emulator", serialNumber: info.serialNumber, pnpId: undefined, locationId: undefined,
      vendorId: info.vendorId, productId: info.productId,
    }));
  },
  async open(options: OpenOptions): Promise<EmulatedPort> {
    const info = registry.get(options.path);
    if (!info) throw new Error(`no emulated board at ${options.path}`);
    if (!info.board.isPresent) throw new Error(`${options.path}: no such device (unplugged)`);
    return new EmulatedPort(info.board, options);
  },
};
