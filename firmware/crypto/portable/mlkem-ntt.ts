/**
 * The number-theoretic transform of ML-KEM (FIPS 203 §4.3): NTT (Algorithm 9), NTT⁻¹
 * (Algorithm 10) and MultiplyNTTs (Algorithms 11, 12) on polynomials stored as arrays of
 * 256 residues in [0, q). The twiddle tables are computed once at load from ζ = 17.
 */
import { N, Q } from "./mlkem-params";
import { addModQ, barrett, subModQ } from "./mlkem-reduce";

/** ζ = 17, a primitive 256-th root of unity mod q. */
const ZETA = 17;
/** 128⁻¹ mod q, the scale of NTT⁻¹. */
const INV_128 = 3303;

function bitRev7(i: number): number {
  let r = 0;
  for (let b = 0; b < 7; b++) {
    r = r | (((i >>> b) & 1) << (6 - b));
  }
  return r;
}

function powModQ(base: number, e: number): number {
  let r = 1;
  for (let i = 0; i < e; i++) {
    r = (r * base) % Q;
  }
  return r;
}

/** ZETAS[i] = ζ^BitRev7(i); GAMMAS[i] = ζ^(2·BitRev7(i)+1) (FIPS 203 Appendix A). */
const ZETAS: number[] = [];
const GAMMAS: number[] = [];
for (let i = 0; i < 128; i++) {
  ZETAS.push(powModQ(ZETA, bitRev7(i)));
  GAMMAS.push(powModQ(ZETA, 2 * bitRev7(i) + 1));
}

/** A new zero polynomial. */
export function newPoly(): number[] {
  const p: number[] = [];
  for (let i = 0; i < N; i++) {
    p.push(0);
  }
  return p;
}

/** In-place NTT (Algorithm 9). */
export function ntt(f: number[]): void {
  let k = 1;
  for (let len = 128; len >= 2; len = len >>> 1) {
    for (let start = 0; start < N; start += 2 * len) {
      const z = ZETAS[k];
      k++;
      for (let j = start; j < start + len; j++) {
        const t = barrett(z * f[j + len]);
        const a = f[j];
        f[j + len] = subModQ(a, t);
        f[j] = addModQ(a, t);
      }
    }
  }
}

/** In-place NTT⁻¹ (Algorithm 10). */
export function invNtt(f: number[]): void {
  let k = 127;
  for (let len = 2; len <= 128; len = len * 2) {
    for (let start = 0; start < N; start += 2 * len) {
      const z = ZETAS[k];
      k--;
      for (let j = start; j < start + len; j++) {
        const t = f[j];
        const u = f[j + len];
        f[j] = addModQ(t, u);
        f[j + len] = barrett(z * subModQ(u, t));
      }
    }
  }
  for (let j = 0; j < N; j++) {
    f[j] = barrett(f[j] * INV_128);
  }
}

/**
 * acc += f ×_T g (Algorithms 11, 12) without the final reduction: each step adds less
 * than 2q² < 2^25 per coefficient, so a sum of k = 3 products (plus one residue) stays far
 * below 2^32, where barrett() applies.
 */
export function mulAccNtt(acc: number[], f: number[], g: number[]): void {
  for (let i = 0; i < 128; i++) {
    const a0 = f[2 * i];
    const a1 = f[2 * i + 1];
    const b0 = g[2 * i];
    const b1 = g[2 * i + 1];
    acc[2 * i] += a0 * b0 + barrett(a1 * b1) * GAMMAS[i];
    acc[2 * i + 1] += a0 * b1 + a1 * b0;
  }
}

/** Reduces every coefficient of an accumulator (entries below 2^32) into [0, q). */
export function reducePoly(acc: number[]): void {
  for (let i = 0; i < N; i++) {
    acc[i] = barrett(acc[i]);
  }
}

/** f = (f + g) mod q coefficient-wise, for f, g in [0, q). */
export function addPolyInto(f: number[], g: number[]): void {
  for (let i = 0; i < N; i++) {
    f[i] = addModQ(f[i], g[i]);
  }
}

/** f = (f - g) mod q coefficient-wise, for f, g in [0, q). */
export function subPolyInto(f: number[], g: number[]): void {
  for (let i = 0; i < N; i++) {
    f[i] = subModQ(f[i], g[i]);
  }
}
