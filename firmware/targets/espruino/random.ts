/**
 * Randomness on Espruino: E.hwRand() returns a signed 32-bit value from the chip's
 * hardware noise source; four bytes per call.
 */
import { Bytes, alloc } from "../../port/bytes";

declare const E: { hwRand: () => number };

export function espruinoRandomBytes(n: number): Bytes {
  const out = alloc(n);
  let word = 0;
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    if (k === 0) {
      word = E.hwRand() >>> 0;
    }
    out[i] = (word >>> (8 * k)) & 0xff;
  }
  return out;
}
