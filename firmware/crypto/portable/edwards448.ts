/**
 * Edwards448 (RFC 8032 §5.2): x^2 + y^2 = 1 + d x^2 y^2 with d = -39081 over
 * GF(2^448 - 2^224 - 1), in projective coordinates (X : Y : Z). The formulas of RFC 8032
 * §5.2.4 are complete on this curve. Only verification uses this file, so scalar
 * multiplication is variable time. Each formula keeps fqSub's operand bounds (field448.ts).
 */
import { Bytes } from "../../port/bytes";
import {
  Fq, fqAdd, fqCopy, fqFromBytes, fqFromLimbs, fqIsOdd, fqIsZero, fqMul, fqNeg, fqOne, fqPowP34, fqSmall, fqSqr,
  fqSub, fqZero,
} from "./field448";

export interface Point448 {
  x: Fq;
  y: Fq;
  z: Fq;
}

/** -d = 39081. */
const MINUS_D = fqSmall(39081);

const BASE_X: Fq = fqFromLimbs([0xc05e, 0xc70c, 0xa82b, 0x2626, 0x938e, 0x8b00, 0x80e1, 0x433b, 0x6511, 0x2ab6,
  0x1af7, 0x12ae, 0xa464, 0xa3d3, 0xe324, 0xea6d, 0x1767, 0x470f, 0x6570, 0x9e14, 0x36da, 0x22bf, 0x15a6, 0x221d,
  0x0ded, 0x6bed, 0x70c6, 0x4f19]);
const BASE_Y: Fq = fqFromLimbs([0xfa14, 0xf230, 0x795b, 0x9808, 0xc8ad, 0x4ed7, 0x132c, 0xfdbd, 0x39c4, 0xe67c,
  0xff1c, 0x3ad3, 0xc2d7, 0x05a0, 0x9c1e, 0x8778, 0x9840, 0x6ca3, 0x7373, 0x4bea, 0xc762, 0x56c9, 0x2037, 0x8876,
  0xbc24, 0x6eb6, 0x4671, 0x693f]);

export function ge448Identity(): Point448 {
  return { x: fqZero(), y: fqOne(), z: fqOne() };
}

export function ge448Base(): Point448 {
  const p = ge448Identity();
  fqCopy(p.x, BASE_X);
  fqCopy(p.y, BASE_Y);
  return p;
}

const SA = fqZero();
const SB = fqZero();
const SC = fqZero();
const SD = fqZero();
const SE = fqZero();
const SF = fqZero();
const SG = fqZero();
const SH = fqZero();

/** out = p + q; out may alias p or q. */
export function ge448Add(out: Point448, p: Point448, q: Point448): void {
  fqMul(SA, p.z, q.z); // A = Z1 Z2
  fqSqr(SB, SA); // B = A^2
  fqMul(SC, p.x, q.x); // C = X1 X2
  fqMul(SD, p.y, q.y); // D = Y1 Y2
  fqMul(SE, SC, SD);
  fqMul(SE, SE, MINUS_D); // -E = 39081 C D
  fqAdd(SF, SB, SE); // F = B - E
  fqSub(SG, SB, SE); // G = B + E
  fqAdd(SH, p.x, p.y);
  fqAdd(SE, q.x, q.y);
  fqMul(SH, SH, SE); // H = (X1 + Y1)(X2 + Y2)
  fqAdd(SE, SC, SD);
  fqSub(SH, SH, SE); // H - C - D
  fqSub(SD, SD, SC); // D - C
  fqMul(out.x, SA, SF);
  fqMul(out.x, out.x, SH);
  fqMul(out.y, SA, SG);
  fqMul(out.y, out.y, SD);
  fqMul(out.z, SF, SG);
}

/** out = 2p; out may alias p. */
export function ge448Double(out: Point448, p: Point448): void {
  fqAdd(SB, p.x, p.y);
  fqSqr(SB, SB); // B = (X + Y)^2
  fqSqr(SC, p.x); // C = X^2
  fqSqr(SD, p.y); // D = Y^2
  fqAdd(SE, SC, SD); // E = C + D
  fqSqr(SH, p.z);
  fqAdd(SH, SH, SH); // 2 Z^2
  fqSub(SF, SE, SH); // J = E - 2 Z^2
  fqSub(SB, SB, SE); // B - E
  fqSub(SC, SC, SD); // C - D
  fqMul(out.x, SB, SF);
  fqMul(out.y, SE, SC);
  fqMul(out.z, SE, SF);
}

export function ge448Neg(out: Point448, p: Point448): void {
  fqNeg(out.x, p.x);
  fqCopy(out.y, p.y);
  fqCopy(out.z, p.z);
}

/** [a]P + [b]Q for public little-endian scalars below 2^448 (variable time). */
export function ge448DoubleScalarMultVartime(a: Bytes, p: Point448, b: Bytes, q: Point448): Point448 {
  const pq = ge448Identity();
  ge448Add(pq, p, q);
  const r = ge448Identity();
  for (let i = 447; i >= 0; i--) {
    ge448Double(r, r);
    const ba = (a[i >>> 3] >>> (i & 7)) & 1;
    const bb = (b[i >>> 3] >>> (i & 7)) & 1;
    if (ba === 1 && bb === 1) {
      ge448Add(r, r, pq);
    } else if (ba === 1) {
      ge448Add(r, r, p);
    } else if (bb === 1) {
      ge448Add(r, r, q);
    }
  }
  return r;
}

/** True when the 56 low bytes of b encode an integer below p = 2^448 - 2^224 - 1. */
function isCanonicalY(b: Bytes): boolean {
  // p is 0xff in every byte except byte 28 (0xfe): compare from the top down.
  for (let i = 55; i >= 0; i--) {
    const pi = i === 28 ? 0xfe : 0xff;
    if (b[i] !== pi) {
      return b[i] < pi;
    }
  }
  return false;
}

/**
 * Decodes a 57-byte point (RFC 8032 §5.2.3): undefined when the last byte has bits other
 * than the sign, when y >= p, when no x exists, or when x = 0 with the sign bit set.
 */
export function ge448Decode(b: Bytes): Point448 | undefined {
  if (b.length !== 57 || (b[56] & 0x7f) !== 0 || !isCanonicalY(b)) {
    return undefined;
  }
  const y = fqZero();
  fqFromBytes(y, b);
  const yy = fqZero();
  fqSqr(yy, y);
  const u = fqZero();
  fqSub(u, yy, fqOne()); // u = y^2 - 1
  const v = fqZero();
  fqMul(v, yy, MINUS_D);
  fqAdd(v, v, fqOne());
  fqNeg(v, v); // v = d y^2 - 1 = -(39081 y^2 + 1)
  // x = u^3 v (u^5 v^3)^((p - 3) / 4)
  const u2 = fqZero();
  fqSqr(u2, u);
  const u3v = fqZero();
  fqMul(u3v, u2, u);
  fqMul(u3v, u3v, v);
  const t = fqZero();
  fqMul(t, u3v, u2); // u^5 v
  const v2 = fqZero();
  fqSqr(v2, v);
  fqMul(t, t, v2); // u^5 v^3
  fqPowP34(t, t);
  const x = fqZero();
  fqMul(x, t, u3v);
  const check = fqZero();
  fqSqr(check, x);
  fqMul(check, check, v);
  // v x^2 - u = v x^2 - y^2 + 1: subtracting the reduced y^2 keeps fqSub's operand bound.
  fqSub(check, check, yy);
  fqAdd(check, check, fqOne());
  if (!fqIsZero(check)) {
    return undefined;
  }
  const sign = b[56] >>> 7;
  if (fqIsZero(x) && sign === 1) {
    return undefined;
  }
  if (fqIsOdd(x) !== sign) {
    fqNeg(x, x);
  }
  const p = ge448Identity();
  fqCopy(p.x, x);
  fqCopy(p.y, y);
  return p;
}

/** True when the projective point is the identity (X = 0 and Y = Z). */
export function ge448IsIdentity(p: Point448): boolean {
  const d = fqZero();
  fqSub(d, p.y, p.z);
  return fqIsZero(p.x) && fqIsZero(d);
}

/** True when [4]P is the identity (P in the small-order subgroup; the cofactor is 4). */
export function ge448IsSmallOrder(p: Point448): boolean {
  const q = ge448Identity();
  ge448Double(q, p);
  ge448Double(q, q);
  return ge448IsIdentity(q);
}
