/**
 * Espruino entry of the HAL probe (bundle build/espruino/probe-hal.js): boots like the
 * firmware and runs firmware/targets/probe/probe.ts, printing one line per check.
 */
import { EspruinoBoardConfig, bootEspruino } from "../espruino/hal/boot";
import { runProbe } from "./probe";

declare function print(s: string): void;

const BOARD: EspruinoBoardConfig = {
  i2c: { sda: 8, scl: 9, bitrate: 100000 },
  sd: { sck: 12, mosi: 11, miso: 13, cs: 10 },
  adcPins: [1],
  adcFullScaleMv: 3100,
  wifi: { ssid: "tsense-sim", password: "simulated" },
};

bootEspruino(BOARD, (hal) => {
  runProbe(
    hal,
    (line) => print(line),
    (ok) => print(ok ? "probe result ok" : "probe result failed"),
  );
});
