/**
 * TCP HAL on NodeMCU-ESP32 `net`. NodeMCU does not promise that back-to-back send()s
 * work (net.md), so sends are queued and the next one goes out on "sent". A close()
 * requested while data is queued happens once the queue has drained. Binary Lua strings
 * cross to Bytes here. As on every target, onClose is not called after our own close().
 */
import type { NodeMcuSocket, NodeMcuNet } from "./nodemcu";
import { Bytes, fromBinaryString, toBinaryString } from "../../../port/bytes";
import { errorMessage } from "../../../port/error";
import { Net, Socket, SocketHandler } from "../../../port/hal/net";

declare const net: NodeMcuNet;

class LuaSocket implements Socket {
  private readonly sock: NodeMcuSocket;
  private readonly handler: SocketHandler;
  private readonly queue: string[];
  private sending: boolean;
  private closing: boolean;
  private closed: boolean;

  constructor(host: string, port: number, handler: SocketHandler) {
    this.queue = [];
    this.sending = false;
    this.closing = false;
    this.closed = false;
    this.handler = handler;
    const sock = net.createConnection(net.TCP);
    this.sock = sock;
    sock.on("connection", () => {
      if (!this.closed) {
        handler.onConnect();
      }
    });
    sock.on("receive", (_s: NodeMcuSocket, data: string) => {
      if (!this.closed) {
        handler.onData(fromBinaryString(data));
      }
    });
    sock.on("sent", () => {
      this.sending = false;
      try {
        this.pump();
      } catch (e) {
        // The link went away between two chunks: report it instead of raising in a callback.
        if (!this.closed) {
          this.closed = true;
          this.handler.onClose("send failed: " + errorMessage(e));
        }
      }
    });
    sock.on("disconnection", (_s: NodeMcuSocket, code: number) => {
      if (!this.closed) {
        this.closed = true;
        handler.onClose(code === 0 ? "" : "lwip error " + code);
      }
    });
    sock.connect(port, host);
  }

  private pump(): void {
    if (this.closed || this.sending) {
      return;
    }
    const next = this.queue.shift();
    if (next !== undefined) {
      this.sending = true;
      this.sock.send(next);
    } else if (this.closing) {
      this.shut();
    }
  }

  private shut(): void {
    this.closed = true;
    try {
      this.sock.close();
    } catch (_e) {
      // "not connected": nothing left to close.
    }
  }

  send(data: Bytes): void {
    if (this.closed || this.closing) {
      throw new Error("send on a closed socket");
    }
    if (data.length > 0) {
      this.queue.push(toBinaryString(data));
      this.pump();
    }
  }

  close(): void {
    if (this.closed || this.closing) {
      return;
    }
    this.closing = true;
    if (!this.sending && this.queue.length === 0) {
      this.shut();
    }
  }
}

export class LuaNet implements Net {
  connect(host: string, port: number, handler: SocketHandler): Socket {
    return new LuaSocket(host, port, handler);
  }
}
