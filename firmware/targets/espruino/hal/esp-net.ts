/**
 * TCP HAL on Espruino `require("net")`. Espruino buffers writes itself, so send() writes
 * straight through. An "error" is followed by "close": the handler hears once, with the
 * error's message. As on every target, onClose is not called after our own close().
 */
import type { EspSocket } from "./espruino";
import { Bytes } from "../../../port/bytes";
import { Net, Socket, SocketHandler } from "../../../port/hal/net";
import { bytesToString, stringToBytes } from "./binary";

import { netModule } from "./modules";

class EspruinoSocket implements Socket {
  private readonly sock: EspSocket;
  private closed: boolean;
  private error: string;

  constructor(host: string, port: number, handler: SocketHandler) {
    this.closed = false;
    this.error = "";
    this.sock = netModule().connect({ host: host, port: port }, () => {
      if (!this.closed) {
        handler.onConnect();
      }
    });
    this.sock.on("data", (data: string) => {
      if (!this.closed) {
        handler.onData(stringToBytes(data));
      }
    });
    this.sock.on("error", (err) => {
      this.error = err.message !== undefined ? err.message : "socket error " + err.code;
    });
    this.sock.on("close", (hadError: boolean) => {
      if (!this.closed) {
        this.closed = true;
        handler.onClose(hadError || this.error !== "" ? (this.error !== "" ? this.error : "error") : "");
      }
    });
  }

  send(data: Bytes): void {
    if (this.closed) {
      throw new Error("send on a closed socket");
    }
    if (data.length > 0) {
      this.sock.write(bytesToString(data));
    }
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.sock.end();
    }
  }
}

export class EspruinoNet implements Net {
  connect(host: string, port: number, handler: SocketHandler): Socket {
    return new EspruinoSocket(host, port, handler);
  }
}
