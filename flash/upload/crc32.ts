// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): what Espruino's E.CRC32 computes and
// what the NodeMCU helper computes in Lua, so chunk checks agree on both ends. zlib's, which
// Node exposes since 20.15 (engines asks for 20.19).
import { crc32 as zlibCrc32 } from "node:zlib";

/** CRC of `data`, continuing from a previous result `seed` (0 to start). */
export function crc32(data: Uint8Array, seed = 0): number {
  return zlibCrc32(data, seed);
}
