/**
 * X448 (RFC 7748 §5): the Montgomery ladder over GF(2^448 - 2^224 - 1), constant time
 * (the scalar only drives conditional swaps by masks).
 */
import { Bytes, alloc } from "../../port/bytes";
import { fqAdd, fqCopy, fqCswap, fqFromBytes, fqInvert, fqMul, fqOne, fqSmall, fqSqr, fqSub, fqToBytes, fqZero } from "./field448";

const KEY_BYTES = 56;

/** a24 = (A - 2) / 4 = 39081 for Curve448's A = 156326. */
const A24 = fqSmall(39081);

function checkLength(what: string, b: Bytes): void {
  if (b.length !== KEY_BYTES) {
    throw new Error("x448: " + what + " must be 56 bytes, got " + b.length);
  }
}

/** decodeScalar448: clear bits 0-1, set bit 447. */
function clamp(scalar: Bytes): Bytes {
  const k = alloc(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) {
    k[i] = scalar[i];
  }
  k[0] = k[0] & 252;
  k[55] = k[55] | 128;
  return k;
}

function ladder(k: Bytes, u: Bytes): Bytes {
  const x1 = fqZero();
  fqFromBytes(x1, u);
  const x2 = fqOne();
  const z2 = fqZero();
  const x3 = fqZero();
  fqCopy(x3, x1);
  const z3 = fqOne();
  const a = fqZero();
  const aa = fqZero();
  const b = fqZero();
  const bb = fqZero();
  const e = fqZero();
  const c = fqZero();
  const d = fqZero();
  let swap = 0;
  for (let t = 447; t >= 0; t--) {
    const bit = (k[t >>> 3] >>> (t & 7)) & 1;
    swap = swap ^ bit;
    fqCswap(x2, x3, swap);
    fqCswap(z2, z3, swap);
    swap = bit;
    fqAdd(a, x2, z2);
    fqSqr(aa, a);
    fqSub(b, x2, z2);
    fqSqr(bb, b);
    fqSub(e, aa, bb);
    fqAdd(c, x3, z3);
    fqSub(d, x3, z3);
    fqMul(d, d, a); // DA
    fqMul(c, c, b); // CB
    fqAdd(x3, d, c);
    fqSqr(x3, x3);
    fqSub(z3, d, c);
    fqSqr(z3, z3);
    fqMul(z3, z3, x1);
    fqMul(x2, aa, bb);
    fqMul(z2, e, A24);
    fqAdd(z2, z2, aa);
    fqMul(z2, z2, e);
  }
  fqCswap(x2, x3, swap);
  fqCswap(z2, z3, swap);
  fqInvert(z2, z2);
  fqMul(x2, x2, z2);
  return fqToBytes(x2);
}

/** X448(scalar, u); throws on an all-zero result (u of small order). */
export function x448(scalar: Bytes, u: Bytes): Bytes {
  checkLength("scalar", scalar);
  checkLength("u", u);
  const out = ladder(clamp(scalar), u);
  let acc = 0;
  for (let i = 0; i < KEY_BYTES; i++) {
    acc = acc | out[i];
  }
  if (acc === 0) {
    throw new Error("x448: all-zero shared secret (small-order input)");
  }
  return out;
}

const BASE_U: Bytes = (function (): Bytes {
  const b = alloc(KEY_BYTES);
  b[0] = 5;
  return b;
})();

/** The public key X448(secretKey, 5). */
export function x448PublicKey(secretKey: Bytes): Bytes {
  checkLength("secret key", secretKey);
  return ladder(clamp(secretKey), BASE_U);
}
