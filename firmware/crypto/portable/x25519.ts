/**
 * X25519 (RFC 7748 §5): the Montgomery ladder over GF(2^255 - 19), constant time
 * (the scalar only drives conditional swaps by masks).
 */
import { Bytes, alloc } from "../../port/bytes";
import { Fe, feAdd, feCopy, feCswap, feFromBytes, feFromLimbs, feInvert, feMul, feOne, feSqr, feSub, feToBytes, feZero } from "./field25519";

const KEY_BYTES = 32;

/** a24 = (A - 2) / 4 = 121665 for curve25519's A = 486662, as two 16-bit limbs. */
const A24: Fe = feFromLimbs([0xdb41, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

function checkLength(what: string, b: Bytes): void {
  if (b.length !== KEY_BYTES) {
    throw new Error("x25519: " + what + " must be 32 bytes, got " + b.length);
  }
}

/** decodeScalar25519: clear bits 0-2 and 255, set bit 254. */
function clamp(scalar: Bytes): Bytes {
  const k = alloc(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) {
    k[i] = scalar[i];
  }
  k[0] = k[0] & 248;
  k[31] = (k[31] & 127) | 64;
  return k;
}

/** The ladder of RFC 7748 §5 on a clamped scalar; returns the u-coordinate bytes. */
function ladder(k: Bytes, u: Bytes): Bytes {
  const x1 = feZero();
  feFromBytes(x1, u); // masks bit 255 of u
  const x2 = feOne();
  const z2 = feZero();
  const x3 = feZero();
  feCopy(x3, x1);
  const z3 = feOne();
  const a = feZero();
  const aa = feZero();
  const b = feZero();
  const bb = feZero();
  const e = feZero();
  const c = feZero();
  const d = feZero();
  let swap = 0;
  for (let t = 254; t >= 0; t--) {
    const bit = (k[t >>> 3] >>> (t & 7)) & 1;
    swap = swap ^ bit;
    feCswap(x2, x3, swap);
    feCswap(z2, z3, swap);
    swap = bit;
    feAdd(a, x2, z2);
    feSqr(aa, a);
    feSub(b, x2, z2);
    feSqr(bb, b);
    feSub(e, aa, bb);
    feAdd(c, x3, z3);
    feSub(d, x3, z3);
    feMul(d, d, a); // DA
    feMul(c, c, b); // CB
    feAdd(x3, d, c);
    feSqr(x3, x3); // (DA + CB)^2
    feSub(z3, d, c);
    feSqr(z3, z3);
    feMul(z3, z3, x1); // x1 * (DA - CB)^2
    feMul(x2, aa, bb);
    feMul(z2, e, A24);
    feAdd(z2, z2, aa);
    feMul(z2, z2, e); // E * (AA + a24 * E)
  }
  feCswap(x2, x3, swap);
  feCswap(z2, z3, swap);
  feInvert(z2, z2);
  feMul(x2, x2, z2);
  return feToBytes(x2);
}

/** X25519(scalar, u); throws on an all-zero result (u of small order). */
export function x25519(scalar: Bytes, u: Bytes): Bytes {
  checkLength("scalar", scalar);
  checkLength("u", u);
  const out = ladder(clamp(scalar), u);
  let acc = 0;
  for (let i = 0; i < KEY_BYTES; i++) {
    acc = acc | out[i];
  }
  if (acc === 0) {
    throw new Error("x25519: all-zero shared secret (small-order input)");
  }
  return out;
}

const BASE_U: Bytes = (function (): Bytes {
  const b = alloc(KEY_BYTES);
  b[0] = 9;
  return b;
})();

/** The public key X25519(secretKey, 9). */
export function x25519PublicKey(secretKey: Bytes): Bytes {
  checkLength("secret key", secretKey);
  return ladder(clamp(secretKey), BASE_U);
}
