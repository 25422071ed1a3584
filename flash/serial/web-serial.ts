// A Web-Serial-shaped port (the `SerialPort` of the browser API, the subset esptool-js uses)
// over serialport, so esptool-js runs under Node. Web Serial's setSignals() changes only the
// signals it is given; serialport's set() resets the others, so the adapter keeps both lines'
// state and always sends both.
import { SerialLink } from "./link.js";

export interface WebSerialInfo {
  usbVendorId?: number;
  usbProductId?: number;
}

export class WebSerialAdapter {
  link: SerialLink | null = null;
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  private dtr = false;
  private rts = false;

  constructor(readonly path: string, private readonly info: WebSerialInfo = {}) {}

  getInfo(): WebSerialInfo {
    return this.info;
  }

  async open(options: { baudRate: number }): Promise<void> {
    if (this.link && !this.link.closed) throw new Error(`${this.path} is already open`);
    const link = await SerialLink.open(this.path, options.baudRate);
    this.link = link;
    let unsubscribe: () => void = () => {};
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        link.discard();
        unsubscribe = link.onData((b) => {
          try { controller.enqueue(b); } catch { /* stream already cancelled */ }
        });
        const end = () => { try { controller.close(); } catch { /* already closed */ } };
        link.port.on("close", end);
        link.port.on("error", end);
      },
      cancel: () => unsubscribe(),
    });
    // esptool-js never releases its writer when a write rejects (and then waits forever for the
    // unlock), so a write on a dead link is dropped here; the lost link shows up as read timeouts.
    this.writable = new WritableStream<Uint8Array>({ write: (chunk) => link.write(chunk).catch(() => {}) });
  }

  async setSignals(signals: { dataTerminalReady?: boolean; requestToSend?: boolean; break?: boolean }): Promise<void> {
    if (signals.dataTerminalReady !== undefined) this.dtr = signals.dataTerminalReady;
    if (signals.requestToSend !== undefined) this.rts = signals.requestToSend;
    await this.link?.setLines(this.dtr, this.rts);
  }

  /** esptool-js uses this (when present) instead of closing and reopening the port. */
  async setBaudRate(baud: number): Promise<void> {
    await this.link?.setBaud(baud);
  }

  async close(): Promise<void> {
    const link = this.link;
    this.readable = null;
    this.writable = null;
    this.link = null;
    await link?.close();
  }
}
