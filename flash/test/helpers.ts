// Shared test helpers: an esptool-js loader on a port, quiet.
import { ESPLoader, Transport } from "esptool-js";
import { WebSerialAdapter } from "../serial/web-serial.js";

export function esptoolOn(path: string, baudrate = 115200): { loader: ESPLoader; transport: Transport; log: string[] } {
  const log: string[] = [];
  const transport = new Transport(new WebSerialAdapter(path) as never, false);
  transport.trace = () => {}; // esptool-js logs read-loop events to the console unconditionally
  const loader = new ESPLoader({
    transport, baudrate, romBaudrate: 115200,
    terminal: { clean() {}, writeLine: (s: string) => log.push(s), write: (s: string) => log.push(s) },
  } as never);
  return { loader, transport, log };
}

let counter = 0;
export function uniquePort(prefix: string): string {
  return `emu:${prefix}-${process.pid}-${++counter}`;
}
