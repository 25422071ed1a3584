/** Shared helpers for the Node-only providers. */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { bytesToNumberLE, concatBytes, equalBytes } from "@noble/curves/utils.js";
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
 * The Ed25519 verification rules shared by every provider (docs/crypto.md, "Ed25519
 * verification"; libsodium's rules): lengths exact, S canonical (S < L), A and R
 * canonical encodings (y < p, no x = 0 with the sign bit set) of points not of small
 * order. `check` then runs the provider's cofactorless equation; this wrapper adds the
 * rules the libraries leave out (noble accepts a small-order R, OpenSSL a small-order A
 * or R), so every provider returns the same answer on every input.
 */
export function ed25519VerifyPolicy(pk: Bytes, sig: Bytes, check: () => boolean): boolean {
  if (pk.length !== 32 || sig.length !== 64) {
    return false;
  }
  try {
    const s = bytesToNumberLE(u8(sig).subarray(32, 64));
    if (s >= ed25519.Point.Fn.ORDER) {
      return false;
    }
    const a = ed25519.Point.fromBytes(u8(pk), false);
    const r = ed25519.Point.fromBytes(u8(sig).subarray(0, 32), false);
    if (a.isSmallOrder() || r.isSmallOrder()) {
      return false;
    }
    return check();
  } catch {
    return false;
  }
}

/**
 * The cofactorless equation with noble's points: the encoding of [S]B - [k]A, where
 * k = SHA-512(R || A || M) mod L over the exact input bytes, must equal the bytes of R.
 * noble's own `verify` checks the cofactored equation, which accepts more signatures
 * when A or R has a torsion component; call this after ed25519VerifyPolicy's checks.
 */
export function ed25519CofactorlessEquation(pk: Bytes, msg: Bytes, sig: Bytes): boolean {
  const rBytes = u8(sig).subarray(0, 32);
  const s = bytesToNumberLE(u8(sig).subarray(32, 64));
  const a = ed25519.Point.fromBytes(u8(pk), false);
  const k = ed25519.Point.Fn.create(bytesToNumberLE(sha512(concatBytes(rBytes, u8(pk), u8(msg)))));
  const check = ed25519.Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k));
  return equalBytes(check.toBytes(), rBytes);
}
