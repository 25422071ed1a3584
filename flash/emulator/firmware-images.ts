// Stand-in interpreter firmware for the emulator: merged binaries whose app descriptor says
// "espruino" or "nodemcu", so an emulated board boots the matching REPL emulator after
// flash-firmware writes them. Sizes are in the range of the real builds.
import { buildImage, buildMergedImage } from "../esp/image-builder.js";
import { ESPRUINO_PROJECT } from "./espruino/repl.js";
import { NODEMCU_PROJECT } from "./nodemcu/repl.js";

export const ESPRUINO_VERSION = "2v24";
export const NODEMCU_VERSION = "3.0.0-dev-esp32";

export function espruinoFirmware(codeSize = 200_000): Uint8Array {
  return buildMergedImage(buildImage({ projectName: ESPRUINO_PROJECT, version: ESPRUINO_VERSION, codeSize, seed: 11 }));
}

export function nodemcuFirmware(codeSize = 200_000): Uint8Array {
  return buildMergedImage(buildImage({ projectName: NODEMCU_PROJECT, version: NODEMCU_VERSION, codeSize, seed: 13 }));
}
