/**
 * The twisted Edwards curve of Ed25519 (RFC 8032 §5.1): -x^2 + y^2 = 1 + d x^2 y^2 over
 * GF(2^255 - 19), in extended coordinates (X : Y : Z : T) with x = X/Z, y = Y/Z, xy = T/Z.
 * The addition formulas (Hisil-Wong-Carter-Dawson 2008, a = -1) are complete on this
 * curve, so one code path serves doubling, identity and every input: the constant-time
 * fixed-window scalar multiplication relies on that. Each formula keeps feSub's operand
 * bounds (field25519.ts).
 */
import { Bytes } from "../../port/bytes";
import { ctIsZero32 } from "../../port/ct";
import {
  Fe, feAdd, feCopy, feFromBytes, feFromLimbs, feInvert, feIsOdd, feIsZero, feMul, feNeg, feOne,
  fePow2523, feSqr, feSub, feToBytes, feZero,
} from "./field25519";

export interface Point {
  x: Fe;
  y: Fe;
  z: Fe;
  t: Fe;
}

/** d = -121665/121666 and 2d. */
const D: Fe = feFromLimbs([0x78a3, 0x1359, 0x4dca, 0x75eb, 0xd8ab, 0x4141, 0x0a4d, 0x0070,
  0xe898, 0x7779, 0x4079, 0x8cc7, 0xfe73, 0x2b6f, 0x6cee, 0x5203]);
const D2: Fe = feFromLimbs([0xf159, 0x26b2, 0x9b94, 0xebd6, 0xb156, 0x8283, 0x149a, 0x00e0,
  0xd130, 0xeef3, 0x80f2, 0x198e, 0xfce7, 0x56df, 0xd9dc, 0x2406]);
/** A square root of -1: 2^((p - 1) / 4). */
const SQRT_M1: Fe = feFromLimbs([0xa0b0, 0x4a0e, 0x1b27, 0xc4ee, 0xe478, 0xad2f, 0x1806, 0x2f43,
  0xd7a7, 0x3dfb, 0x0099, 0x2b4d, 0xdf0b, 0x4fc1, 0x2480, 0x2b83]);
/** The base point B: y = 4/5, x even. */
const BASE_X: Fe = feFromLimbs([0xd51a, 0x8f25, 0x2d60, 0xc956, 0xa7b2, 0x9525, 0xc760, 0x692c,
  0xdc5c, 0xfdd6, 0xe231, 0xc0a4, 0x53fe, 0xcd6e, 0x36d3, 0x2169]);
const BASE_Y: Fe = feFromLimbs([0x6658, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666,
  0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666]);

export function geIdentity(): Point {
  return { x: feZero(), y: feOne(), z: feOne(), t: feZero() };
}

export function geBase(): Point {
  const t = feZero();
  feMul(t, BASE_X, BASE_Y);
  const p = geIdentity();
  feCopy(p.x, BASE_X);
  feCopy(p.y, BASE_Y);
  feCopy(p.t, t);
  return p;
}

export function geCopy(out: Point, p: Point): void {
  feCopy(out.x, p.x);
  feCopy(out.y, p.y);
  feCopy(out.z, p.z);
  feCopy(out.t, p.t);
}

// Scratch for the formulas (synchronous code: one set is enough).
const SA = feZero();
const SB = feZero();
const SC = feZero();
const SD = feZero();
const SE = feZero();
const SF = feZero();
const SG = feZero();
const SH = feZero();

/** out = p + q; out may alias p or q. */
export function geAdd(out: Point, p: Point, q: Point): void {
  feSub(SA, p.y, p.x);
  feSub(SH, q.y, q.x);
  feMul(SA, SA, SH); // A = (Y1 - X1)(Y2 - X2)
  feAdd(SB, p.y, p.x);
  feAdd(SH, q.y, q.x);
  feMul(SB, SB, SH); // B = (Y1 + X1)(Y2 + X2)
  feMul(SC, p.t, q.t);
  feMul(SC, SC, D2); // C = 2d T1 T2
  feMul(SD, p.z, q.z);
  feAdd(SD, SD, SD); // D = 2 Z1 Z2
  feSub(SE, SB, SA); // E = B - A
  feSub(SF, SD, SC); // F = D - C
  feAdd(SG, SD, SC); // G = D + C
  feAdd(SH, SB, SA); // H = B + A
  feMul(out.x, SE, SF);
  feMul(out.y, SG, SH);
  feMul(out.t, SE, SH);
  feMul(out.z, SF, SG);
}

/** out = 2p; out may alias p. */
export function geDouble(out: Point, p: Point): void {
  feSqr(SA, p.x); // XX
  feSqr(SB, p.y); // YY
  feSqr(SC, p.z);
  feAdd(SC, SC, SC); // 2 ZZ
  feAdd(SD, p.x, p.y);
  feSqr(SD, SD); // (X + Y)^2
  feAdd(SE, SB, SA); // YY + XX
  feSub(SF, SB, SA); // YY - XX
  feSub(SG, SD, SE); // 2XY = (X + Y)^2 - YY - XX
  feAdd(SH, SC, SA);
  feSub(SH, SH, SB); // 2 ZZ - (YY - XX), with the sum first so feSub's operand stays small
  feMul(out.x, SG, SH);
  feMul(out.y, SE, SF);
  feMul(out.z, SF, SH);
  feMul(out.t, SG, SE);
}

export function geNeg(out: Point, p: Point): void {
  feNeg(out.x, p.x);
  feCopy(out.y, p.y);
  feCopy(out.z, p.z);
  feNeg(out.t, p.t);
}

/** out = 2p without the T coordinate (out.t is left stale): for doublings followed by a doubling. */
function geDoubleNoT(out: Point, p: Point): void {
  feSqr(SA, p.x);
  feSqr(SB, p.y);
  feSqr(SC, p.z);
  feAdd(SC, SC, SC);
  feAdd(SD, p.x, p.y);
  feSqr(SD, SD);
  feAdd(SE, SB, SA);
  feSub(SF, SB, SA);
  feSub(SG, SD, SE);
  feAdd(SH, SC, SA);
  feSub(SH, SH, SB);
  feMul(out.x, SG, SH);
  feMul(out.y, SE, SF);
  feMul(out.z, SF, SH);
}

/** Sets every coordinate of out to p's when bit is 1 (limbs below 2^26, as feCswap assumes). */
function geCmov(out: Point, p: Point, bit: number): void {
  const mask = bit * 0x3ffffff;
  const ox = out.x;
  const oy = out.y;
  const oz = out.z;
  const ot = out.t;
  const px = p.x;
  const py = p.y;
  const pz = p.z;
  const pt = p.t;
  for (let i = 0; i < 16; i++) {
    ox[i] = ox[i] ^ (mask & (ox[i] ^ px[i]));
    oy[i] = oy[i] ^ (mask & (oy[i] ^ py[i]));
    oz[i] = oz[i] ^ (mask & (oz[i] ^ pz[i]));
    ot[i] = ot[i] ^ (mask & (ot[i] ^ pt[i]));
  }
}

/** Window width of geScalarMult: 4 bits, a table of 16 multiples. */
const WINDOW_ENTRIES = 16;
const WINDOWS = 64;

/**
 * [k]P for a 32-byte little-endian k, in constant time: a fixed 4-bit window over all 64
 * nibbles (4 doublings and one addition each; the formulas are complete, so adding the
 * identity for a zero nibble is fine). The table entry is picked by masked moves over
 * all 16 entries, so no branch or index depends on k. About 1.6x fewer field operations
 * than the bit-by-bit ladder this replaces.
 */
export function geScalarMult(p: Point, k: Bytes): Point {
  const table: Point[] = [geIdentity(), geIdentity()];
  geCopy(table[1], p);
  for (let j = 2; j < WINDOW_ENTRIES; j++) {
    const e = geIdentity();
    if ((j & 1) === 0) {
      geDouble(e, table[j >>> 1]);
    } else {
      geAdd(e, table[j - 1], p);
    }
    table.push(e);
  }
  const r = geIdentity();
  const sel = geIdentity();
  for (let w = WINDOWS - 1; w >= 0; w--) {
    if (w !== WINDOWS - 1) {
      // r is the identity before the first window: no doubling needed there.
      geDoubleNoT(r, r);
      geDoubleNoT(r, r);
      geDoubleNoT(r, r);
      geDouble(r, r);
    }
    const byte = k[w >>> 1];
    const nibble = (w & 1) === 1 ? byte >>> 4 : byte & 15;
    geCopy(sel, table[0]);
    for (let j = 1; j < WINDOW_ENTRIES; j++) {
      geCmov(sel, table[j], ctIsZero32(j ^ nibble));
    }
    geAdd(r, r, sel);
  }
  return r;
}

/** [a]P + [b]Q for public scalars (variable time: verification only). */
export function geDoubleScalarMultVartime(a: Bytes, p: Point, b: Bytes, q: Point): Point {
  const pq = geIdentity();
  geAdd(pq, p, q);
  const r = geIdentity();
  for (let i = 255; i >= 0; i--) {
    geDouble(r, r);
    const ba = (a[i >>> 3] >>> (i & 7)) & 1;
    const bb = (b[i >>> 3] >>> (i & 7)) & 1;
    if (ba === 1 && bb === 1) {
      geAdd(r, r, pq);
    } else if (ba === 1) {
      geAdd(r, r, p);
    } else if (bb === 1) {
      geAdd(r, r, q);
    }
  }
  return r;
}

/** The 32-byte encoding (RFC 8032 §5.1.2): y with the low bit of x in bit 255. */
export function geEncode(p: Point): Bytes {
  const zi = feZero();
  const x = feZero();
  const y = feZero();
  feInvert(zi, p.z);
  feMul(x, p.x, zi);
  feMul(y, p.y, zi);
  const out = feToBytes(y);
  out[31] = out[31] | (feIsOdd(x) * 128);
  return out;
}

/** True when the low 255 bits of b encode an integer below p = 2^255 - 19. */
export function isCanonicalY(b: Bytes): boolean {
  if ((b[31] & 0x7f) !== 0x7f) {
    return true;
  }
  for (let i = 30; i >= 1; i--) {
    if (b[i] !== 0xff) {
      return true;
    }
  }
  return b[0] < 0xed;
}

/**
 * Decodes a 32-byte point (RFC 8032 §5.1.3): undefined when y >= p, when no x exists, or
 * when x = 0 with the sign bit set. Variable time: points decoded here are public.
 */
export function geDecode(b: Bytes): Point | undefined {
  if (b.length !== 32 || !isCanonicalY(b)) {
    return undefined;
  }
  const y = feZero();
  feFromBytes(y, b);
  const yy = feZero();
  feSqr(yy, y);
  const u = feZero();
  feSub(u, yy, feOne()); // u = y^2 - 1
  const v = feZero();
  feMul(v, yy, D);
  feAdd(v, v, feOne()); // v = d y^2 + 1
  // x = u v^3 (u v^7)^((p - 5) / 8)
  const v3 = feZero();
  feSqr(v3, v);
  feMul(v3, v3, v);
  const x = feZero();
  feSqr(x, v3);
  feMul(x, x, v);
  feMul(x, x, u); // u v^7
  fePow2523(x, x);
  feMul(x, x, v3);
  feMul(x, x, u);
  const check = feZero();
  feSqr(check, x);
  feMul(check, check, v); // v x^2
  const diff = feZero();
  // v x^2 - u = v x^2 - y^2 + 1: subtracting the reduced y^2 keeps feSub's operand bound.
  feSub(diff, check, yy);
  feAdd(diff, diff, feOne());
  if (!feIsZero(diff)) {
    feAdd(diff, check, u);
    if (!feIsZero(diff)) {
      return undefined;
    }
    feMul(x, x, SQRT_M1);
  }
  const sign = b[31] >>> 7;
  if (feIsZero(x) && sign === 1) {
    return undefined;
  }
  if (feIsOdd(x) !== sign) {
    feNeg(x, x);
  }
  const p = geIdentity();
  feCopy(p.x, x);
  feCopy(p.y, y);
  feMul(p.t, x, y);
  return p;
}

/** True when [8]P is the identity, i.e. P lies in the small-order (torsion) subgroup. */
export function geIsSmallOrder(p: Point): boolean {
  const q = geIdentity();
  geDouble(q, p);
  geDouble(q, q);
  geDouble(q, q);
  // Points with x = 0 are the identity (y = 1) and the point of order 2 (y = -1); after
  // multiplying by 8 only the identity remains, so X = 0 is the test.
  return feIsZero(q.x);
}
