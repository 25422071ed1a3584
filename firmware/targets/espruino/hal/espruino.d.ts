/**
 * Types for the Espruino 2v29 API the HAL uses (checked against src/jswrap_*.c,
 * libs/filesystem/jswrap_fs.c, libs/network/jswrap_net.c). Types only: each HAL file
 * declares the globals it reads module-locally.
 */
export interface EspSocket {
  on(event: "data", fn: (data: string) => void): void;
  on(event: "close", fn: (hadError: boolean) => void): void;
  on(event: "error", fn: (err: { code?: number; message?: string }) => void): void;
  on(event: "drain", fn: () => void): void;
  /** Binary data goes as a string (one char per byte). */
  write(data: string): boolean;
  end(): void;
}
export interface EspNetModule {
  connect(options: { host: string; port: number }, onConnect: () => void): EspSocket;
}
export interface EspFsModule {
  /** Throws for a missing file; undefined for an empty one. */
  readFileSync(path: string): string | undefined;
  writeFileSync(path: string, data: string): boolean;
  appendFileSync(path: string, data: string): boolean;
  unlinkSync(path: string): boolean;
  readdirSync(path?: string): string[] | undefined;
}
export interface EspStorageModule {
  read(name: string): string | undefined;
  write(name: string, data: string): boolean;
  erase(name: string): void;
  list(): string[];
}
export interface EspWifiModule {
  connect(ssid: string, options: { password: string }, callback: (err: string | null) => void): void;
}
export interface EspI2c {
  setup(options: { scl: number; sda: number; bitrate: number }): void;
  writeTo(address: number, data: Uint8Array): void;
  readFrom(address: number, quantity: number): Uint8Array;
}
export interface EspSpi {
  setup(options: { mosi: number; miso: number; sck: number }): void;
}
export interface EspE {
  hwRand(): number;
  connectSDCard(spi: EspSpi, csPin: number): void;
  reboot(): void;
  /** Bytes (array, typed array) → binary string. */
  toString(data: Uint8Array): string;
  /** Binary string → Uint8Array. */
  toUint8Array(data: string): Uint8Array;
}
export interface EspProcess {
  memory(): { free: number; usage: number; total: number; blocksize?: number };
}
