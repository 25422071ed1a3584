/**
 * What every target's firmware entry runs once its HAL is up: read the provisioned
 * configuration from flash, build the board's sensors, start the device app, and print
 * the READY banner the flashing tools wait for. Crypto is the portable provider with the
 * target's hardware randomness.
 */
import { errorMessage } from "../port/error";
import { createPortableProvider } from "../crypto/portable/provider";
import { DeviceHal } from "./device-hal";
import { CONFIG_FILE, parseConfig } from "./config-file";
import { DeviceApp, DeviceConfig } from "./device-app";
import { SensorConfig, createSensors } from "./sensors/sensor-config";

export const FIRMWARE_VERSION = "0.1.0";

export type LogLine = (this: void, line: string) => void;

/** Starts the app; returns it, or undefined when the device is not provisioned or broken. */
export function startFirmware(hal: DeviceHal, sensors: SensorConfig[], log: LogLine): DeviceApp | undefined {
  const raw = hal.flash.read(CONFIG_FILE);
  if (raw === undefined) {
    log("TSENSE UNPROVISIONED " + FIRMWARE_VERSION + " (no " + CONFIG_FILE + "; run tsense provision)");
    return undefined;
  }
  try {
    const cfg = parseConfig(raw);
    const config = new DeviceConfig(cfg.name, cfg.relay, cfg.invitation, cfg.intervalS);
    config.version = "tsense-" + FIRMWARE_VERSION;
    const p = createPortableProvider(hal.random);
    const app = new DeviceApp(hal, p, config, createSensors(sensors, hal.i2c, hal.adc), (type: string, detail: string) => {
      log("tsense " + type + " " + detail);
    });
    app.start();
    log("TSENSE READY " + FIRMWARE_VERSION + " " + cfg.name);
    return app;
  } catch (e) {
    log("TSENSE ERROR " + errorMessage(e));
    return undefined;
  }
}
