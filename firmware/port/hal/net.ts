/**
 * TCP HAL, callback-driven as on NodeMCU (`net.createConnection`) and Espruino
 * (`require("net").connect`). Binary data crosses as Bytes; targets convert from the
 * binary strings their runtimes hand over.
 */
import { Bytes } from "../bytes";

export interface SocketHandler {
  onConnect(): void;
  onData(data: Bytes): void;
  /** Called once, on error or close; `reason` is "" for an orderly close. */
  onClose(reason: string): void;
}

export interface Socket {
  /** Queues `data` for writing; it may be written from later without a copy, so do not change it afterwards. */
  send(data: Bytes): void;
  close(): void;
}

export interface Net {
  connect(host: string, port: number, handler: SocketHandler): Socket;
}
