/** Binary strings (what Espruino's net, fs and Storage hand over) ↔ Bytes, via E's native converters. */
import type { EspE } from "./espruino";
import { Bytes } from "../../../port/bytes";

declare const E: EspE;

export function bytesToString(b: Bytes): string {
  return E.toString(b as unknown as Uint8Array);
}

export function stringToBytes(s: string): Bytes {
  return E.toUint8Array(s) as unknown as Bytes;
}
