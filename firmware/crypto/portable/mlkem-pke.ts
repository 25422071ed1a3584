/**
 * K-PKE (FIPS 203 §5): the CPA-secure encryption scheme inside ML-KEM-768. Keys and
 * ciphertexts are bytes; polynomials are arrays of residues in [0, q). Each entry of Â is
 * used once, so it is sampled just before use instead of storing the whole k×k matrix
 * (nine fewer live polynomials: it matters on Espruino's small heap). Callers check
 * input lengths and the encapsulation key's modulus (mlkem768.ts).
 */
import { Bytes, alloc, concat, slice, wipe } from "../../port/bytes";
import { CT_BYTES, DU, EK_BYTES, K, POLY_BYTES, SYM_BYTES } from "./mlkem-params";
import { addPolyInto, invNtt, mulAccNtt, newPoly, ntt, reducePoly, subPolyInto } from "./mlkem-ntt";
import {
  decode12,
  decodeDecompress1,
  decodeDecompress10,
  decodeDecompress4,
  encode12,
  encodeCompressed1,
  encodeCompressed10,
  encodeCompressed4,
} from "./mlkem-encode";
import { prfEta2, sampleCbd2, sampleNtt } from "./mlkem-sample";
import { MlKemHashes } from "./mlkem-hashes";

/** k polynomials from SamplePolyCBD_2(PRF_2(seed, n0 + i)). */
function sampleVector(h: MlKemHashes, seed: Bytes, n0: number): number[][] {
  const v: number[][] = [];
  for (let i = 0; i < K; i++) {
    const f = newPoly();
    sampleCbd2(prfEta2(h, seed, n0 + i), f);
    v.push(f);
  }
  return v;
}

export interface PkeKeys {
  ek: Bytes;
  dk: Bytes;
}

/** K-PKE.KeyGen(d) (Algorithm 13). */
export function pkeKeyGen(h: MlKemHashes, d: Bytes): PkeKeys {
  const dk1 = alloc(SYM_BYTES + 1);
  for (let i = 0; i < SYM_BYTES; i++) {
    dk1[i] = d[i];
  }
  dk1[SYM_BYTES] = K;
  const g = h.sha3_512(dk1);
  const rho = slice(g, 0, 32);
  const sigma = slice(g, 32, 64);
  const s = sampleVector(h, sigma, 0);
  const e = sampleVector(h, sigma, K);
  for (let i = 0; i < K; i++) {
    ntt(s[i]);
    ntt(e[i]);
  }
  const ek = alloc(EK_BYTES);
  const dk = alloc(POLY_BYTES * K);
  const aij = newPoly();
  for (let i = 0; i < K; i++) {
    // t̂[i] = Σ_j Â[i][j] ∘ ŝ[j] + ê[i], with Â[i][j] = SampleNTT(ρ ‖ j ‖ i)
    const acc = e[i];
    for (let j = 0; j < K; j++) {
      sampleNtt(h, rho, j, i, aij);
      mulAccNtt(acc, aij, s[j]);
    }
    reducePoly(acc);
    encode12(acc, ek, POLY_BYTES * i);
    encode12(s[i], dk, POLY_BYTES * i);
  }
  for (let i = 0; i < 32; i++) {
    ek[POLY_BYTES * K + i] = rho[i];
  }
  // Seed material (d, σ) is erased; the secret polynomials are left to the garbage collector.
  wipe(dk1);
  wipe(g);
  wipe(sigma);
  return { ek: ek, dk: dk };
}

/**
 * K-PKE.Encrypt(ek, m, r) (Algorithm 14) with t̂ already decoded (the caller decides
 * whether to check or reduce the encapsulation key's coefficients).
 */
export function pkeEncrypt(h: MlKemHashes, tHat: number[][], rho: Bytes, m: Bytes, r: Bytes): Bytes {
  const y = sampleVector(h, r, 0);
  const e1 = sampleVector(h, r, K);
  const e2 = newPoly();
  sampleCbd2(prfEta2(h, r, 2 * K), e2);
  for (let i = 0; i < K; i++) {
    ntt(y[i]);
  }
  const c = alloc(CT_BYTES);
  const aji = newPoly();
  for (let i = 0; i < K; i++) {
    // u[i] = NTT⁻¹(Σ_j Â[j][i] ∘ ŷ[j]) + e1[i], with Â[j][i] = SampleNTT(ρ ‖ i ‖ j)
    const acc = newPoly();
    for (let j = 0; j < K; j++) {
      sampleNtt(h, rho, i, j, aji);
      mulAccNtt(acc, aji, y[j]);
    }
    reducePoly(acc);
    invNtt(acc);
    addPolyInto(acc, e1[i]);
    encodeCompressed10(acc, c, 32 * DU * i);
  }
  // v = NTT⁻¹(t̂ᵀ ∘ ŷ) + e2 + Decompress_1(m)
  const v = newPoly();
  for (let j = 0; j < K; j++) {
    mulAccNtt(v, tHat[j], y[j]);
  }
  reducePoly(v);
  invNtt(v);
  addPolyInto(v, e2);
  const mu = newPoly();
  decodeDecompress1(m, 0, mu);
  addPolyInto(v, mu);
  encodeCompressed4(v, c, 32 * DU * K);
  return c;
}

/** k polynomials ByteDecode_12(b[off..off+384k)), reduced mod q. */
export function decodePolyVector(b: Bytes, off: number): number[][] {
  const t: number[][] = [];
  for (let i = 0; i < K; i++) {
    const f = newPoly();
    decode12(b, off + POLY_BYTES * i, f);
    t.push(f);
  }
  return t;
}

/** K-PKE.Decrypt(dk, c) (Algorithm 15): dk at dkPke[0..384k). */
export function pkeDecrypt(dkPke: Bytes, c: Bytes): Bytes {
  const s = decodePolyVector(dkPke, 0);
  const w = newPoly();
  for (let i = 0; i < K; i++) {
    const u = newPoly();
    decodeDecompress10(c, 32 * DU * i, u);
    ntt(u);
    mulAccNtt(w, s[i], u);
  }
  reducePoly(w);
  invNtt(w);
  const v = newPoly();
  decodeDecompress4(c, 32 * DU * K, v);
  subPolyInto(v, w);
  const m = alloc(SYM_BYTES);
  encodeCompressed1(v, m, 0);
  return m;
}

/** G(x) = SHA3-512(x) split into two 32-byte halves (FIPS 203 §4.1). */
export function hashG(h: MlKemHashes, a: Bytes, b: Bytes): Bytes[] {
  const input = concat(a, b);
  const g = h.sha3_512(input);
  wipe(input);
  const halves = [slice(g, 0, 32), slice(g, 32, 64)];
  wipe(g);
  return halves;
}
