// One open serial port, real (serialport's native binding: /dev/ttyUSB0, a socat pty) or
// emulated ("emu:<name>", the in-process binding), with what the flashing and REPL code needs:
// raw writes, modem lines, baud changes, and reads with deadlines.
import { SerialPortStream } from "@serialport/stream";
import { SerialPort } from "serialport";
import { EMU_PREFIX, EmulatorBinding } from "./emulator-binding.js";

export class LinkClosedError extends Error {}

export class SerialLink {
  private buffered: Uint8Array[] = [];
  private listeners = new Set<(b: Uint8Array) => void>();
  private wakers = new Set<() => void>();
  closed = false;
  closeReason = "";
  /** False once the port refused DTR/RTS (a pty): reset sequences are then impossible. */
  linesWork = true;
  /** Bytes written and read, for wire-efficiency accounting. */
  readonly counts = { written: 0, read: 0 };

  private constructor(readonly path: string, readonly port: SerialPortStream) {
    port.on("data", (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk);
      this.counts.read += bytes.length;
      this.buffered.push(bytes);
      for (const l of this.listeners) l(bytes);
      this.wakeAll();
    });
    port.on("close", () => this.markClosed("port closed"));
    port.on("error", (e: Error) => this.markClosed(e.message));
  }

  static async open(path: string, baudRate: number): Promise<SerialLink> {
    const port: SerialPortStream = path.startsWith(EMU_PREFIX)
      ? new SerialPortStream({ binding: EmulatorBinding, path, baudRate, autoOpen: false })
      : new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return new SerialLink(path, port);
  }

  private markClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.wakeAll();
  }

  private wakeAll(): void {
    const w = [...this.wakers];
    this.wakers.clear();
    for (const f of w) f();
  }

  onData(fn: (b: Uint8Array) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async write(data: Uint8Array | string): Promise<void> {
    if (this.closed) throw new LinkClosedError(`${this.path}: ${this.closeReason || "closed"}`);
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : Buffer.from(data);
    this.counts.written += bytes.length;
    await new Promise<void>((resolve, reject) => this.port.write(bytes, (err) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve, reject) => this.port.drain((err) => (err ? reject(err) : resolve())));
  }

  /** Set both modem lines at once (a line left out would fall back to its default). */
  async setLines(dtr: boolean, rts: boolean): Promise<boolean> {
    if (!this.linesWork) return false;
    try {
      await new Promise<void>((resolve, reject) => this.port.set({ dtr, rts }, (err) => (err ? reject(err) : resolve())));
      return true;
    } catch {
      this.linesWork = false; // e.g. "Inappropriate ioctl for device" on a pty
      return false;
    }
  }

  async setBaud(baudRate: number): Promise<void> {
    await new Promise<void>((resolve, reject) => this.port.update({ baudRate }, (err) => (err ? reject(err) : resolve())));
  }

  get baudRate(): number {
    return this.port.baudRate;
  }

  /** Take everything received so far. */
  take(): Uint8Array {
    const all = Buffer.concat(this.buffered);
    this.buffered = [];
    return new Uint8Array(all);
  }

  /** Drop what has been received so far. */
  discard(): void {
    this.buffered = [];
  }

  /** Wait until more data arrives, the port closes, or the deadline passes. */
  waitData(deadline: number): Promise<void> {
    if (this.buffered.length > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wakers.delete(done); resolve(); }, Math.max(0, deadline - Date.now()));
      const done = () => { clearTimeout(t); resolve(); };
      this.wakers.add(done);
    });
  }

  /**
   * Read text until `match` finds something in what has accumulated; returns the text up to
   * and including the match, leaves the rest buffered. Throws on timeout or close.
   */
  async readUntil(match: (text: string) => number, timeoutMs: number, what: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = "";
    for (;;) {
      text += Buffer.from(this.take()).toString("latin1");
      const end = match(text);
      if (end >= 0) {
        if (end < text.length) this.buffered.unshift(new Uint8Array(Buffer.from(text.slice(end), "latin1")));
        return text.slice(0, end);
      }
      if (this.closed) throw new LinkClosedError(`${this.path} closed while waiting for ${what} (${this.closeReason})`);
      if (Date.now() >= deadline) {
        if (text) this.buffered.unshift(new Uint8Array(Buffer.from(text, "latin1")));
        throw new TimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`);
      }
      await this.waitData(deadline);
    }
  }

  async close(): Promise<void> {
    if (this.closed && !this.port.isOpen) return;
    this.closed = true;
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

export class TimeoutError extends Error {}

/** `readUntil` matcher: ends after the first occurrence of `needle`. */
export function after(needle: string | RegExp): (text: string) => number {
  return (text) => {
    if (typeof needle === "string") {
      const i = text.indexOf(needle);
      return i < 0 ? -1 : i + needle.length;
    }
    const m = needle.exec(text);
    return m ? m.index + m[0].length : -1;
  };
}
