/**
 * What every target's firmware entry runs once its HAL is up: read the provisioned
 * configuration from flash, build the board's sensors (only those reporting the
 * configured kinds, if any), start the device app, and print
 * the READY banner the flashing tools wait for. Crypto is the portable provider with the
 * target's hardware randomness.
 */
import { Bytes, fromAscii, toBinaryString } from "../port/bytes";
import { errorMessage } from "../port/error";
import { toHex } from "../port/hex";
import { createDeviceProvider } from "../crypto/portable/device-provider";
import { DeviceHal } from "./device-hal";
import { CONFIG_FILE, parseConfig } from "./config-file";
import { DeviceApp, DeviceConfig } from "./device-app";
import { SensorConfig, createSensors } from "./sensors/sensor-config";
import { parseKinds, selectKinds } from "./sensors/sensor-subset";

export const FIRMWARE_VERSION = "0.1.0";
/** The device's long-term Ed25519 identity: the secret stays in flash, the public key is reported. */
export const KEY_FILE = "tsense.key";
export const IDENTITY_FILE = "tsense.id";

export class Provisioned {
  identity: string;
  configHash: string;
  constructor(identity: string, configHash: string) {
    this.identity = identity;
    this.configHash = configHash;
  }
}

/**
 * The provisioning hook (docs/flashing.md, "App contract"): the device makes its identity
 * key from its own hardware randomness and reports only the public key and the SHA-256 of
 * the configuration it read. Target entries expose it as the global tsense_provision().
 */
export function provisionIdentity(hal: DeviceHal): Provisioned {
  const cfg = hal.flash.read(CONFIG_FILE);
  if (cfg === undefined) {
    throw new Error("no " + CONFIG_FILE + " on the device");
  }
  const p = createDeviceProvider(hal.random);
  const seed = hal.random(32);
  const identity = toHex(p.ed25519PublicKey(seed));
  hal.flash.write(KEY_FILE, seed);
  hal.flash.write(IDENTITY_FILE, fromAscii(identity));
  return new Provisioned(identity, toHex(p.sha256(cfg)));
}

/** The identity as the NodeMCU side of the contract wants it: a JSON string. */
export function provisionIdentityJson(hal: DeviceHal): string {
  const r = provisionIdentity(hal);
  return '{"identity":"' + r.identity + '","configHash":"' + r.configHash + '"}';
}

export type LogLine = (this: void, line: string) => void;

export class WifiCredentials {
  ssid: string;
  password: string;
  constructor(ssid: string, password: string) {
    this.ssid = ssid;
    this.password = password;
  }
}

/**
 * The Wi-Fi credentials in tsense.cfg, read by the target entry before it boots (the boot
 * code joins the network before the app runs). Empty when the file is missing or unreadable:
 * the device then stays offline and startFirmware reports why.
 */
export function wifiFromConfig(raw: Bytes | undefined): WifiCredentials {
  if (raw === undefined) {
    return new WifiCredentials("", "");
  }
  try {
    const c = parseConfig(raw);
    return new WifiCredentials(c.wifiSsid, c.wifiPassword);
  } catch (e) {
    return new WifiCredentials("", "");
  }
}

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
    const id = hal.flash.read(IDENTITY_FILE);
    config.identity = id === undefined ? "" : toBinaryString(id);
    const p = createDeviceProvider(hal.random);
    const built = selectKinds(createSensors(sensors, hal.i2c, hal.adc), parseKinds(cfg.kinds));
    const app = new DeviceApp(hal, p, config, built, (type: string, detail: string) => {
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
