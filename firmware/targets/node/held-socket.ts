/**
 * A node:net (or node:tls) socket behind the HAL's callback interface, shared by the TCP
 * and TLS sockets of the Node HAL: onClose fires exactly once, and the scheduler's virtual
 * clock is held while a connect or a write is pending, so a slow refusal or flush is never
 * overtaken by device time.
 */
import type net from "node:net";
import type { Bytes } from "../../port/bytes";
import type { Socket, SocketHandler } from "../../port/hal/net";

/** What a socket needs from the HAL's scheduler: holds on virtual time while I/O is pending, and activity. */
export interface SocketScheduler {
  hold(): () => void;
  activity(): void;
}

export class HeldSocket implements Socket {
  private closed = false;
  private readonly pendingHolds = new Set<() => void>();

  /** `connectEvent`: "connect" for TCP, "secureConnect" for TLS (onConnect after the handshake). */
  constructor(
    protected readonly sock: net.Socket,
    connectEvent: string,
    private readonly handler: SocketHandler,
    private readonly scheduler: SocketScheduler,
  ) {
    const release = scheduler.hold();
    sock.once(connectEvent, release);
    sock.once("close", release);
    sock.setNoDelay(true);
    sock.on(connectEvent, () => this.deliver(() => handler.onConnect()));
    // A view, not a copy: Node hands each read its own memory, and the protocol layers copy
    // out what they keep (a copy here was a second 16 KiB allocation per block received).
    sock.on("data", (d: Buffer) => this.deliver(() => handler.onData(new Uint8Array(d.buffer, d.byteOffset, d.length))));
    sock.on("error", (e) => this.finish(e.message || "error"));
    sock.on("close", () => {
      for (const r of [...this.pendingHolds]) r();
      this.finish("");
    });
  }

  private deliver(fn: () => void): void {
    if (this.closed) return;
    this.scheduler.activity();
    fn();
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.activity();
    this.handler.onClose(reason);
  }

  send(data: Bytes): void {
    if (this.closed) throw new Error("send on a closed socket");
    // Hold the virtual clock until the write is flushed; one close listener (in the
    // constructor) releases whatever is still held, instead of a listener per write.
    const hold = this.scheduler.hold();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.pendingHolds.delete(release);
      hold();
    };
    this.pendingHolds.add(release);
    // Written as it is, without a copy (the Socket contract: `data` is the socket's from here on).
    const u = data as unknown as Uint8Array;
    this.sock.write(Buffer.from(u.buffer, u.byteOffset, u.length), release);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Flush what send() queued, then close (as the device targets do).
    this.sock.destroySoon();
  }
}
