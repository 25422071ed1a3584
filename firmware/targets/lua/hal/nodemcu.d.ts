/**
 * Types for the NodeMCU-ESP32 (dev-esp32 branch) modules the Lua HAL uses, checked against
 * docs/modules/*.md and components/modules/*.c of that branch. Types only: each HAL file
 * declares the globals it reads module-locally (as host.ts does), so nothing leaks into the
 * Node type-check. Methods called with `:` take an explicit `this` (the build sets
 * noImplicitSelf); module functions called with `.` take `this: void`.
 */
/// <reference types="@typescript-to-lua/language-extensions" />

/** tmr: `tmr.create()` objects; intervals 1..6870947 ms. */
export interface NodeMcuTimer {
  register(this: NodeMcuTimer, intervalMs: number, mode: number, fn: (this: void, t: NodeMcuTimer) => void): void;
  start(this: NodeMcuTimer): boolean;
  stop(this: NodeMcuTimer): boolean;
  unregister(this: NodeMcuTimer): void;
}
export interface NodeMcuTmr {
  create(this: void): NodeMcuTimer;
  ALARM_SINGLE: number;
  ALARM_SEMI: number;
  ALARM_AUTO: number;
}

/** net.socket: events "connection", "receive", "sent", "disconnection" (with an lwIP error code, 0 = normal close). */
export interface NodeMcuSocket {
  on(this: NodeMcuSocket, event: "connection" | "sent", fn: (this: void, s: NodeMcuSocket) => void): void;
  on(this: NodeMcuSocket, event: "receive", fn: (this: void, s: NodeMcuSocket, data: string) => void): void;
  on(this: NodeMcuSocket, event: "disconnection", fn: (this: void, s: NodeMcuSocket, code: number) => void): void;
  connect(this: NodeMcuSocket, port: number, host: string): void;
  send(this: NodeMcuSocket, data: string): void;
  close(this: NodeMcuSocket): void;
}
export interface NodeMcuNet {
  createConnection(this: void, type?: number): NodeMcuSocket;
  TCP: number;
}

/** i2c: master mode on a hardware port; queued operations run by transfer(). */
export interface NodeMcuI2c {
  setup(this: void, id: number, sda: number, scl: number, speed: number): number;
  start(this: void, id: number): void;
  stop(this: void, id: number): void;
  address(this: void, id: number, device: number, direction: number): boolean;
  write(this: void, id: number, data: string): number;
  read(this: void, id: number, len: number): void;
  /** Synchronous form: data read (nil without a read or on NACK) and the ACK flag. */
  transfer(this: void, id: number): LuaMultiReturn<[string | undefined, boolean]>;
  HW0: number;
  HW1: number;
  SW: number;
  TRANSMITTER: number;
  RECEIVER: number;
  SLOW: number;
  FAST: number;
}

export interface NodeMcuAdc {
  setwidth(this: void, adc: number, bits: number): void;
  setup(this: void, adc: number, channel: number, atten: number): void;
  /** Raw sample (0..2^width-1). */
  read(this: void, adc: number, channel: number): number;
  ADC1: number;
  ATTEN_11db: number;
}

export interface NodeMcuGpio {
  config(this: void, cfg: { gpio: number; dir: number }): void;
  write(this: void, pin: number, level: number): void;
  read(this: void, pin: number): number;
  OUT: number;
  IN: number;
  IN_OUT: number;
}

export interface NodeMcuNode {
  restart(this: void): void;
  heap(this: void): number;
  /** Microseconds since boot (first result; a float on the DOUBLE build). */
  uptime(this: void): number;
  /** rawcode, extended reason (see node.md). */
  bootreason(this: void): LuaMultiReturn<[number, number]>;
}

export interface NodeMcuSdCard {
  mount(this: NodeMcuSdCard, ldrv: string): boolean;
}
export interface NodeMcuSdmmc {
  init(this: void, slot: number, cfg?: { sck_pin?: number; mosi_pin?: number; miso_pin?: number; cs_pin?: number; width?: number }): NodeMcuSdCard;
  HS1: number;
  HS2: number;
  SPI2: number;
  SPI3: number;
  W1BIT: number;
  W4BIT: number;
}

/** file: metadata only on dev-esp32 (contents go through io). list() maps name → size. */
export interface NodeMcuFile {
  list(this: void, mountpoint?: string): object;
  exists(this: void, name: string): boolean;
}

/** sodium.random: esp_random() behind libsodium (true randomness once WiFi is started). */
export interface NodeMcuSodium {
  random: { buf(this: void, n: number): string };
}

export interface NodeMcuWifi {
  mode(this: void, mode: number, save?: boolean): number;
  start(this: void): void;
  STATION: number;
  sta: {
    config(this: void, cfg: { ssid: string; pwd: string }, save?: boolean): void;
    connect(this: void): void;
    on(this: void, event: string, fn: (this: void, event: string, info: object) => void): void;
  };
}

/** Lua io file handles as io.open returns them (write/seek give nil, message on failure). */
export interface LuaIoFile {
  read(this: LuaIoFile, what: string | number): string | undefined;
  write(this: LuaIoFile, s: string): LuaIoFile | undefined;
  close(this: LuaIoFile): boolean | undefined;
}
export interface LuaIoOpen {
  open(this: void, path: string, mode: string): LuaMultiReturn<[LuaIoFile | undefined, string | undefined]>;
}

/** The Lua standard library parts the HAL needs beyond lua.d.ts. */
export interface LuaOsFiles {
  remove(this: void, path: string): LuaMultiReturn<[boolean | undefined, string | undefined]>;
  rename(this: void, from: string, to: string): LuaMultiReturn<[boolean | undefined, string | undefined]>;
}
export interface LuaMathLimits {
  maxinteger: number;
}
