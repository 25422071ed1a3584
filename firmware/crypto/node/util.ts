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

// Encoding of a point of order 8 (libsodium's small-order blacklist; checked below).
const ORDER_8_POINT = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a";

/** The canonical encodings of the 8 points of small order, as latin1 strings. */
const SMALL_ORDER_ENCODINGS: ReadonlySet<string> = (() => {
  const t = ed25519.Point.fromHex(ORDER_8_POINT);
  if (t.multiply(4n).equals(ed25519.Point.ZERO) || !t.multiply(8n).equals(ed25519.Point.ZERO)) {
    throw new Error("ed25519: ORDER_8_POINT is not of order 8");
  }
  const set = new Set<string>();
  for (let k = 0n; k < 8n; k++) {
    set.add(Buffer.from(t.multiplyUnsafe(k).toBytes()).toString("latin1"));
  }
  return set;
})();

/** L (the group order) little-endian, for the S < L test without a BigInt per call. */
const ORDER_LE: Uint8Array = (() => {
  const out = new Uint8Array(32);
  let l = ed25519.Point.Fn.ORDER;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(l & 0xffn);
    l >>= 8n;
  }
  return out;
})();

function scalarCanonical(sig: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = sig[32 + i];
    if (s !== ORDER_LE[i]) return s < ORDER_LE[i];
  }
  return false; // S = L
}

/**
 * Outcome of the public-key rules (canonical encoding of a point not of small order) per
 * key: a relay verifies the same queue keys over and over, and decoding A with noble
 * costs several times OpenSSL's whole verification. Bounded; oldest entry goes first.
 */
const PUBLIC_KEY_RULES_CACHE_SIZE = 8192;
const publicKeyRules = new Map<string, boolean>();

function publicKeyAcceptable(pk: Uint8Array): boolean {
  const id = Buffer.from(pk.buffer, pk.byteOffset, 32).toString("latin1");
  let ok = publicKeyRules.get(id);
  if (ok === undefined) {
    try {
      ok = !ed25519.Point.fromBytes(pk, false).isSmallOrder();
    } catch {
      ok = false; // not a canonical encoding of a point
    }
    if (publicKeyRules.size >= PUBLIC_KEY_RULES_CACHE_SIZE) publicKeyRules.delete(publicKeyRules.keys().next().value as string);
    publicKeyRules.set(id, ok);
  }
  return ok;
}

/**
 * The Ed25519 verification rules shared by every provider (docs/crypto.md, "Ed25519
 * verification"; libsodium's rules): lengths exact, S canonical (S < L), A and R
 * canonical encodings (y < p, no x = 0 with the sign bit set) of points not of small
 * order. `check` then runs the provider's cofactorless equation; this wrapper adds the
 * rules the libraries leave out (noble accepts a small-order R, OpenSSL a small-order A
 * or R), so every provider returns the same answer on every input.
 *
 * `check` must compare the encoding of [S]B - [k]A with the bytes of R (both callers
 * do): that encoding is always canonical, so a non-canonical or undecodable R fails
 * there, and R only needs the small-order test here — a lookup among the 8 canonical
 * small-order encodings instead of a point decompression per signature.
 */
export function ed25519VerifyPolicy(pk: Bytes, sig: Bytes, check: () => boolean): boolean {
  if (pk.length !== 32 || sig.length !== 64) {
    return false;
  }
  const s = u8(sig);
  try {
    if (!scalarCanonical(s) || !publicKeyAcceptable(u8(pk))) {
      return false;
    }
    if (SMALL_ORDER_ENCODINGS.has(Buffer.from(s.buffer, s.byteOffset, 32).toString("latin1"))) {
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
