/**
 * Arithmetic mod q = 3329 without secret-dependent branches or divisions (KyberSlash:
 * hardware division time depends on its operands). Products of two residues are below
 * 2^24, so they are exact in doubles and in Lua integers; reduction is Barrett with a
 * power-of-two scale (multiplying by 2^-32 is exact) and a mask-free final correction.
 */
import { Q } from "./mlkem-params";

/** floor(2^32 / q). */
const BARRETT_M = 1290167;
const TWO_POW_MINUS_32 = 1 / 4294967296;

/** r - q when r ≥ q, else r, for r in [0, 2q). The sign bit of r - q picks the result. */
export function condSubQ(r: number): number {
  const t = r - Q;
  return t + Q * (t >>> 31);
}

/** x mod q for an integer x in [0, 2^32). */
export function barrett(x: number): number {
  const t = Math.floor(x * BARRETT_M * TWO_POW_MINUS_32);
  return condSubQ(x - t * Q);
}

/** (a + b) mod q for a, b in [0, q). */
export function addModQ(a: number, b: number): number {
  return condSubQ(a + b);
}

/** (a - b) mod q for a, b in [0, q). */
export function subModQ(a: number, b: number): number {
  const t = a - b;
  return t + Q * (t >>> 31);
}
