/**
 * Espruino's built-in modules. Reached as `global.require(…)` rather than `require(…)`
 * so that esbuild does not try to bundle them (or wrap them in a Proxy-based shim
 * Espruino lacks); Espruino's built-ins are members of the root scope.
 */
import type { EspNetModule, EspFsModule, EspStorageModule, EspWifiModule } from "./espruino";
declare const global: { require(name: string): unknown };

export function netModule(): EspNetModule {
  return global.require("net") as EspNetModule;
}

export function fsModule(): EspFsModule {
  return global.require("fs") as EspFsModule;
}

export function storageModule(): EspStorageModule {
  return global.require("Storage") as EspStorageModule;
}

export function wifiModule(): EspWifiModule {
  return global.require("Wifi") as EspWifiModule;
}
