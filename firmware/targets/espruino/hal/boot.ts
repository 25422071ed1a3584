/**
 * Boot on Espruino: join WiFi, connect the SD card, build the DeviceHal and hand it to
 * the app entry. An app entry is `bootEspruino(board, (hal) => startApp(hal))`.
 */
import type { EspSpi, EspE } from "./espruino";
import { DeviceHal } from "../../../app/device-hal";
import { errorMessage } from "../../../port/error";
import { espruinoRandomBytes } from "../random";
import { EspruinoFlashFs, EspruinoSdFs } from "./esp-fs";
import { EspruinoI2c } from "./esp-i2c";
import { EspruinoAdc, EspruinoGpio } from "./esp-io";
import { EspruinoNet } from "./esp-net";
import { EspruinoSystem } from "./esp-system";
import { wifiModule } from "./modules";

declare const E: EspE;
declare const SPI: { new (): EspSpi };
declare function print(s: string): void;

export interface EspruinoBoardConfig {
  i2c: { sda: number; scl: number; bitrate: number };
  /** SD card on SPI. */
  sd: { sck: number; mosi: number; miso: number; cs: number };
  /** ADC channel → pin. */
  adcPins: number[];
  adcFullScaleMv: number;
  /** Station credentials; empty ssid = do not join WiFi. */
  wifi: { ssid: string; password: string };
}

export type EspruinoApp = (hal: DeviceHal) => void;

export function createEspruinoHal(board: EspruinoBoardConfig): DeviceHal {
  const spi = new SPI();
  spi.setup({ mosi: board.sd.mosi, miso: board.sd.miso, sck: board.sd.sck });
  E.connectSDCard(spi, board.sd.cs);
  return {
    i2c: new EspruinoI2c(board.i2c.sda, board.i2c.scl, board.i2c.bitrate),
    adc: new EspruinoAdc(board.adcPins, board.adcFullScaleMv),
    gpio: new EspruinoGpio(),
    net: new EspruinoNet(),
    system: new EspruinoSystem(),
    sd: new EspruinoSdFs(),
    flash: new EspruinoFlashFs(),
    random: espruinoRandomBytes,
  };
}

function start(board: EspruinoBoardConfig, app: EspruinoApp): void {
  try {
    app(createEspruinoHal(board));
  } catch (e) {
    print("tsense: boot failed: " + errorMessage(e));
  }
}

export function bootEspruino(board: EspruinoBoardConfig, app: EspruinoApp): void {
  if (board.wifi.ssid === "") {
    start(board, app);
    return;
  }
  wifiModule().connect(board.wifi.ssid, { password: board.wifi.password }, (err) => {
    if (err) {
      print("tsense: WiFi failed: " + err);
      return;
    }
    start(board, app);
  });
}
