/**
 * The shape of a board definition (boards/schema.json) as TypeScript types, and what the
 * firmware build takes from it.
 */
import type { SensorConfig } from "../firmware/app/sensors/sensor-config";

export interface I2cDevice {
  address: number;
  device: string;
}

export interface SdSpi {
  interface: "spi";
  external?: boolean;
  sck: number;
  miso: number;
  mosi: number;
  cs: number;
}

export interface SdMmc {
  interface: "sdmmc";
  external?: boolean;
  clk: number;
  cmd: number;
  d0: number;
  d1?: number;
  d2?: number;
  d3?: number;
  width: 1 | 4;
}

export type StatusLed = { kind: "gpio"; pin: number; activeLevel: 0 | 1 } | { kind: "ws2812"; pin: number };

export interface UsbId {
  vid: string;
  pid: string;
  kind: "usb-serial-jtag" | "uart-bridge" | "usb-otg-cdc";
  chip?: string;
  note?: string;
}

export interface EspruinoRuntime {
  runtime: "espruino";
  firmware: string;
  buildOptions?: string[];
  budget: { jsVars: number; appBytes: number };
  note?: string;
}

export interface LuaRuntime {
  runtime: "nodemcu-lua";
  firmware: string;
  buildOptions: string[];
  buildOptionsReason: string;
  budget: { heapBytes: number; appBytes: number };
  note?: string;
}

export type Runtime = EspruinoRuntime | LuaRuntime;

export type BoardSensor =
  | { type: "bme280" | "sht31" | "bh1750"; address: number; external?: boolean }
  | { type: "battery"; pin: number; channel: number; divider: number; external?: boolean };

export interface Board {
  id: string;
  name: string;
  vendor: string;
  chip: "esp32s3";
  module?: string;
  flash: { sizeBytes: number };
  psram: { sizeBytes: number; mode: "none" | "quad" | "octal" };
  i2c: { sda: number; scl: number; frequencyHz?: number; onboard?: I2cDevice[] };
  sd: SdSpi | SdMmc | null;
  statusLed: StatusLed | null;
  peripheralPower?: { pin: number; activeLevel: 0 | 1 };
  usb: UsbId[];
  runtimes: Runtime[];
  sensors: BoardSensor[];
  sharedPins?: { pin: number; uses: string[]; why: string }[];
  source: string[];
  notes?: string;
  /** Runtimes the board cannot run the app on, with the reason (tsense build reports it). */
  excludedRuntimes?: { runtime: Runtime["runtime"]; reason: string }[];
}

/** NodeMCU build options the Lua target cannot run without. */
export const REQUIRED_LUA_BUILD_OPTIONS = ["LUA_NUMBER_INT64", "LUA_NUMBER_DOUBLE"];

/** The sensor list in the form the portable driver factory takes (createSensors). */
export function boardSensorConfigs(board: Board): SensorConfig[] {
  return board.sensors.map((s) =>
    s.type === "battery" ? { type: s.type, channel: s.channel, divider: s.divider } : { type: s.type, address: s.address },
  );
}

export function runtimeOf(board: Board, runtime: "espruino"): EspruinoRuntime | undefined;
export function runtimeOf(board: Board, runtime: "nodemcu-lua"): LuaRuntime | undefined;
export function runtimeOf(board: Board, runtime: string): Runtime | undefined {
  return board.runtimes.find((r) => r.runtime === runtime);
}
