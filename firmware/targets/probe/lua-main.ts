/**
 * Lua entry of the HAL probe (bundle build/lua/probe-hal.lua): boots like the firmware
 * and runs firmware/targets/probe/probe.ts, printing one line per check.
 */
import { LuaBoardConfig, bootLua } from "../lua/hal/boot";
import { runProbe } from "./probe";

declare const print: (this: void, s: string) => void;

/** An ESP32-S3 DevKitC-like wiring; the virtual NodeMCU accepts any pins. */
const BOARD: LuaBoardConfig = {
  i2c: { sda: 8, scl: 9, speed: 100000 },
  sd: { slot: "SPI2", width: 1, sck: 12, mosi: 11, miso: 13, cs: 10 },
  adcFullScaleMv: 3100,
  wifi: { ssid: "tsense-sim", pwd: "simulated" },
};

bootLua(BOARD, (hal) => {
  runProbe(
    hal,
    (line) => print(line),
    (ok) => print(ok ? "probe result ok" : "probe result failed"),
  );
});
