/** Shared helpers for the Node-only providers. */
import { ed25519 } from "@noble/curves/ed25519.js";
import type { Bytes } from "../../port/bytes";

/** On Node every Bytes is a Uint8Array (see port/bytes.ts). */
export function u8(b: Bytes): Uint8Array {
  return b as unknown as Uint8Array;
}

export function checkLength(what: string, b: Bytes, n: number): void {
  if (b.length !== n) {
    throw new Error(`${what}: expected ${n} bytes, got ${b.length}`);
  }
}

/**
 * The Ed25519 verification rules shared by every provider (docs/crypto.md): lengths
 * exact, S canonical (S < L), A a canonical encoding of a point not of small order,
 * then the cofactorless equation [S]B = R + [k]A. `check` runs the library's own
 * verification; this wrapper adds the rules the library leaves out.
 */
export function ed25519VerifyPolicy(pk: Bytes, sig: Bytes, check: () => boolean): boolean {
  if (pk.length !== 32 || sig.length !== 64) {
    return false;
  }
  try {
    const a = ed25519.Point.fromBytes(u8(pk), false);
    if (a.isSmallOrder()) {
      return false;
    }
    return check();
  } catch {
    return false;
  }
}
