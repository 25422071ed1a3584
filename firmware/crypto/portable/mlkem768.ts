/**
 * ML-KEM-768 (FIPS 203): KeyGen_internal, Encaps_internal and Decaps_internal with the
 * input checks of §7.2 and §7.3 and implicit rejection. Decapsulation compares the
 * re-encrypted ciphertext and selects K' or K̄ with masks, never with a branch.
 */
import { Bytes, alloc, concat, slice, wipe } from "../../port/bytes";
import { ctIsZero32, ctSelectInto } from "../../port/ct";
import { KemEncapsulation, KemKeyPair } from "../provider";
import { CT_BYTES, DK_BYTES, EK_BYTES, K, N, POLY_BYTES, Q, SYM_BYTES } from "./mlkem-params";
import { decode12Raw } from "./mlkem-encode";
import { newPoly } from "./mlkem-ntt";
import { decodePolyVector, hashG, pkeDecrypt, pkeEncrypt, pkeKeyGen } from "./mlkem-pke";
import { MlKemHashes, PORTABLE_MLKEM_HASHES } from "./mlkem-hashes";

function checkLength(what: string, b: Bytes, n: number): void {
  if (b.length !== n) {
    throw new Error("ML-KEM-768: " + what + " must be " + n + " bytes, got " + b.length);
  }
}

/** OR of a[i] ^ b[i] over equal-length inputs: 0 exactly when they are equal. */
function diffBytes(a: Bytes, b: Bytes): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    d = d | (a[i] ^ b[i]);
  }
  return d;
}

/** ML-KEM.KeyGen_internal(d, z) (Algorithm 16) from seed = d ‖ z, with the given Keccak functions. */
export function mlkem768KeygenWith(h: MlKemHashes, seed: Bytes): KemKeyPair {
  checkLength("keygen seed (d || z)", seed, 2 * SYM_BYTES);
  const d = slice(seed, 0, SYM_BYTES);
  const z = slice(seed, SYM_BYTES, 2 * SYM_BYTES);
  const pke = pkeKeyGen(h, d);
  const dk = alloc(DK_BYTES);
  let off = 0;
  const parts = [pke.dk, pke.ek, h.sha3_256(pke.ek), z];
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      dk[off + i] = p[i];
    }
    off += p.length;
  }
  wipe(d);
  wipe(z);
  wipe(pke.dk);
  return { publicKey: pke.ek, secretKey: dk };
}

/**
 * §7.2 modulus check: every 12-bit value of ByteDecode_12(ek[0..384k)) must be below q,
 * i.e. ByteEncode_12(ByteDecode_12(·)) is the identity. The key is public: branching is fine.
 */
function checkEkModulus(ek: Bytes): void {
  const f = newPoly();
  for (let i = 0; i < K; i++) {
    decode12Raw(ek, POLY_BYTES * i, f);
    for (let j = 0; j < N; j++) {
      if (f[j] >= Q) {
        throw new Error("ML-KEM-768: encapsulation key fails the modulus check (coefficient " + f[j] + " >= q)");
      }
    }
  }
}

/** Encaps_internal(ek, m) (Algorithm 17) after the §7.2 type and modulus checks. */
export function mlkem768EncapsulateWith(h: MlKemHashes, publicKey: Bytes, m: Bytes): KemEncapsulation {
  checkLength("encapsulation key", publicKey, EK_BYTES);
  checkLength("encapsulation randomness m", m, SYM_BYTES);
  checkEkModulus(publicKey);
  const kr = hashG(h, m, h.sha3_256(publicKey));
  const tHat = decodePolyVector(publicKey, 0);
  const rho = slice(publicKey, POLY_BYTES * K, EK_BYTES);
  const c = pkeEncrypt(h, tHat, rho, m, kr[1]);
  wipe(kr[1]);
  return { ciphertext: c, sharedSecret: kr[0] };
}

/** Decaps_internal(dk, c) (Algorithm 18) after the §7.3 length and hash checks. */
export function mlkem768DecapsulateWith(h: MlKemHashes, secretKey: Bytes, ciphertext: Bytes): Bytes {
  checkLength("ciphertext", ciphertext, CT_BYTES);
  checkLength("decapsulation key", secretKey, DK_BYTES);
  const ekOff = POLY_BYTES * K;
  const hOff = ekOff + EK_BYTES;
  const zOff = hOff + SYM_BYTES;
  const ek = slice(secretKey, ekOff, hOff);
  const hEk = slice(secretKey, hOff, zOff);
  const hashDiff = diffBytes(h.sha3_256(ek), hEk);
  if (hashDiff !== 0) {
    throw new Error("ML-KEM-768: decapsulation key fails the hash check (H(ek) does not match)");
  }
  const mPrime = pkeDecrypt(secretKey, ciphertext);
  const kr = hashG(h, mPrime, hEk);
  const kBar = h.shake256(concat(slice(secretKey, zOff, DK_BYTES), ciphertext), SYM_BYTES);
  const cPrime = pkeEncrypt(h, decodePolyVector(ek, 0), slice(ek, POLY_BYTES * K, EK_BYTES), mPrime, kr[1]);
  // K = K' when c' == c, else K̄: a mask from the OR of all byte differences.
  const same = ctIsZero32(diffBytes(cPrime, ciphertext));
  ctSelectInto(kBar, kr[0], same);
  wipe(mPrime);
  wipe(kr[0]);
  wipe(kr[1]);
  return kBar;
}

/** ML-KEM-768 with the portable Keccak. */
export function mlkem768Keygen(seed: Bytes): KemKeyPair {
  return mlkem768KeygenWith(PORTABLE_MLKEM_HASHES, seed);
}

export function mlkem768Encapsulate(publicKey: Bytes, m: Bytes): KemEncapsulation {
  return mlkem768EncapsulateWith(PORTABLE_MLKEM_HASHES, publicKey, m);
}

export function mlkem768Decapsulate(secretKey: Bytes, ciphertext: Bytes): Bytes {
  return mlkem768DecapsulateWith(PORTABLE_MLKEM_HASHES, secretKey, ciphertext);
}
