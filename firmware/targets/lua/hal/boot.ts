/**
 * Boot on NodeMCU-ESP32: check the number model, bring up WiFi (the RNG is only truly
 * random once the radio runs), mount the SD card, build the DeviceHal and hand it to the
 * app entry. An app entry is `bootLua(board, (hal) => startApp(hal))`.
 */
import type { NodeMcuI2c, NodeMcuSdCard, NodeMcuSdmmc, NodeMcuSodium, NodeMcuWifi } from "./nodemcu";
import { DeviceHal } from "../../../app/device-hal";
import { Bytes, fromBinaryString } from "../../../port/bytes";
import { errorMessage } from "../../../port/error";
import { NUMBER_MODEL_HINT, numberModelProblem } from "./number-model";
import { LuaIoFs } from "./lua-fs";
import { LuaI2c } from "./lua-i2c";
import { LuaAdc, LuaGpio } from "./lua-io";
import { LuaNet } from "./lua-net";
import { LuaSystem } from "./lua-system";

declare const print: (this: void, s: string) => void;
declare const i2c: NodeMcuI2c;
declare const sdmmc: NodeMcuSdmmc;
declare const sodium: NodeMcuSodium;
declare const wifi: NodeMcuWifi;

/** What the board definition tells the Lua boot code. */
export interface LuaBoardConfig {
  i2c: { sda: number; scl: number; speed: number };
  /** SD card: SDMMC slot ("HS1"/"HS2", width 1 or 4) or SPI ("SPI2"/"SPI3" with pins). */
  sd: { slot: string; width: number; sck: number; mosi: number; miso: number; cs: number };
  /** Millivolts at a raw ADC reading of 4095 (11 dB attenuation). */
  adcFullScaleMv: number;
  /** Station credentials; empty ssid = do not start WiFi. */
  wifi: { ssid: string; pwd: string };
}

export const SD_MOUNT = "/SD0";

export type LuaApp = (this: void, hal: DeviceHal) => void;

function hardwareRandom(n: number): Bytes {
  return fromBinaryString(n > 0 ? sodium.random.buf(n) : "");
}

function mountSd(board: LuaBoardConfig): void {
  const sd = board.sd;
  let card: NodeMcuSdCard;
  if (sd.slot === "SPI2" || sd.slot === "SPI3") {
    card = sdmmc.init(sd.slot === "SPI2" ? sdmmc.SPI2 : sdmmc.SPI3, { sck_pin: sd.sck, mosi_pin: sd.mosi, miso_pin: sd.miso, cs_pin: sd.cs });
  } else {
    card = sdmmc.init(sd.slot === "HS1" ? sdmmc.HS1 : sdmmc.HS2, { width: sd.width === 4 ? sdmmc.W4BIT : sdmmc.W1BIT });
  }
  if (!card.mount(SD_MOUNT)) {
    throw new Error("cannot mount the SD card at " + SD_MOUNT);
  }
}

/** Builds the DeviceHal (SD mounted first). */
export function createLuaHal(board: LuaBoardConfig): DeviceHal {
  mountSd(board);
  return {
    i2c: new LuaI2c(i2c.HW0, board.i2c.sda, board.i2c.scl, board.i2c.speed),
    adc: new LuaAdc(board.adcFullScaleMv),
    gpio: new LuaGpio(),
    net: new LuaNet(),
    system: new LuaSystem(),
    sd: new LuaIoFs(SD_MOUNT + "/", SD_MOUNT),
    flash: new LuaIoFs("/", undefined),
    random: hardwareRandom,
  };
}

function start(board: LuaBoardConfig, app: LuaApp): void {
  try {
    app(createLuaHal(board));
  } catch (e) {
    print("tsense: boot failed: " + errorMessage(e));
  }
}

/**
 * Checks the runtime and starts `app`; false (with a console message, app not started)
 * when this Lua cannot run the firmware.
 */
export function bootLua(board: LuaBoardConfig, app: LuaApp): boolean {
  const problem = numberModelProblem();
  if (problem !== undefined) {
    print("tsense: refusing to start: " + problem + "; " + NUMBER_MODEL_HINT);
    return false;
  }
  if (board.wifi.ssid === "") {
    start(board, app);
    return true;
  }
  let started = false;
  wifi.mode(wifi.STATION, false);
  wifi.start();
  wifi.sta.on("got_ip", () => {
    if (!started) {
      started = true;
      start(board, app);
    }
  });
  wifi.sta.config({ ssid: board.wifi.ssid, pwd: board.wifi.pwd }, false);
  wifi.sta.connect();
  return true;
}
