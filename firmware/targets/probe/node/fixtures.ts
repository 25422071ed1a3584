/**
 * What the probe needs around it in tests: a loopback TCP echo server, an I2C bus with
 * one register-map device, per-device SD/flash directories with probe.cfg written, and
 * the lines the probe must print on every runtime.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bytes } from "../../../port/bytes";
import type { I2cBus } from "../../../port/hal/i2c";

/** A device at `address` whose registers hold reg ^ 0x5a; writes set the register pointer. */
export class RegisterBus implements I2cBus {
  private pointer = 0;
  readonly log: string[] = [];

  constructor(readonly address: number) {}

  write(address: number, data: Bytes): boolean {
    this.log.push(`w ${address} ${data.length}`);
    if (address !== this.address) return false;
    if (data.length > 0) this.pointer = data[0];
    return true;
  }

  read(address: number, length: number): Bytes | undefined {
    this.log.push(`r ${address} ${length}`);
    if (address !== this.address) return undefined;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = ((this.pointer + i) & 0xff) ^ 0x5a;
    this.pointer = (this.pointer + length) & 0xff;
    return out;
  }
}

export interface EchoServer {
  port: number;
  close(): Promise<void>;
}

/** Echoes every byte back; closes all connections on close(). */
export async function startEchoServer(): Promise<EchoServer> {
  const conns = new Set<net.Socket>();
  const server = net.createServer((s) => {
    conns.add(s);
    s.on("close", () => conns.delete(s));
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const c of conns) c.destroy();
        server.close(() => r());
      }),
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export const PROBE_I2C_ADDRESS = 0x76;
export const PROBE_REGISTER = 0xd0;
export const PROBE_LENGTH = 6;

export interface DeviceDirs {
  root: string;
  sd: string;
  flash: string;
  remove(): void;
}

/** Optional probe.cfg keys: a port nobody listens on, and the long-timer check. */
export interface ProbeExtras {
  refused?: number;
  long?: boolean;
}

export function deviceDirs(port: number, extras: ProbeExtras = {}): DeviceDirs {
  const root = mkdtempSync(join(tmpdir(), "tsense-probe-"));
  const sd = join(root, "sd");
  const flash = join(root, "flash");
  mkdirSync(sd);
  mkdirSync(flash);
  writeFileSync(join(flash, "probe.cfg"), `host=127.0.0.1\nport=${port}\ni2c=${PROBE_I2C_ADDRESS}\nreg=${PROBE_REGISTER}\nlen=${PROBE_LENGTH}\n${extras.refused !== undefined ? `refused=${extras.refused}\n` : ""}${extras.long === true ? "long=1\n" : ""}`);
  return { root, sd, flash, remove: () => rmSync(root, { recursive: true, force: true }) };
}

function hex(bytes: number[]): string {
  return Buffer.from(bytes).toString("hex");
}

/** The lines every runtime must print, in order. */
export function expectedProbeLines(port: number, adcMv: number, extras: ProbeExtras = {}): string[] {
  const regs: number[] = [];
  for (let i = 0; i < PROBE_LENGTH; i++) regs.push(((PROBE_REGISTER + i) & 0xff) ^ 0x5a);
  return [
    `cfg 127.0.0.1 ${port}`,
    `i2c ${hex(regs)}`,
    "i2c-missing ok",
    `adc ${adcMv}`,
    "gpio 1",
    `sd 259 fafbfcfdfeff656e64 cut ${hex([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])} empty 0 list empty.bin,probe.bin removed yes`,
    "timer ok",
    "net echo 556 ok",
    "heap ok",
    "random 16",
    ...(extras.refused !== undefined ? ["refused ok"] : []),
    ...(extras.long === true ? ["long timer ok"] : []),
    "probe done",
  ];
}
