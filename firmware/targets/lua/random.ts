/**
 * Randomness on the Lua target. The default source reads /dev/urandom (standalone lua5.3
 * and wasmoon have it). NodeMCU has no /dev/urandom: its firmware entry must call
 * setRandomSource() with the board's hardware RNG before anything asks for bytes.
 * There is deliberately no math.random fallback: a missing source is an error.
 */
import { Bytes, fromBinaryString } from "../../port/bytes";
import { RandomSource } from "../../crypto/provider";
import { openForRead } from "./host";

function urandomBytes(n: number): Bytes {
  const f = openForRead("/dev/urandom");
  if (f === undefined) {
    throw new Error("no randomness source: /dev/urandom is missing (call setRandomSource)");
  }
  const s = n > 0 ? f.read(n) : "";
  f.close();
  if (s === undefined || s.length !== n) {
    throw new Error("short read from /dev/urandom");
  }
  return fromBinaryString(s);
}

let source: RandomSource = urandomBytes;

/** Replaces the randomness source (NodeMCU: the hardware RNG). */
export function setRandomSource(s: RandomSource): void {
  source = s;
}

/** n bytes from the current source. */
export function randomBytes(n: number): Bytes {
  return source(n);
}
