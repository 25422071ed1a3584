/**
 * A ratchet suite: the DH curve and the optional KEM that the key agreement and the
 * double ratchet use. tsense's default is X25519 + ML-KEM-768; SimpleX uses X448 +
 * sntrup761. The ratchet is written against this interface so a suite is a parameter,
 * never a second ratchet.
 */
import { Bytes } from "../port/bytes";
import { CryptoProvider, KemEncapsulation, KemKeyPair } from "../crypto/provider";
import { KeyAlgorithm } from "../transport/smp/keys";

/** @noSelf */
export interface DhAlgorithm {
  /** The key algorithm name used in SPKI encodings (transport/smp/keys.ts). */
  readonly name: KeyAlgorithm;
  readonly secretKeyLength: number;
  readonly publicKeyLength: number;
  publicKey(secretKey: Bytes): Bytes;
  dh(secretKey: Bytes, publicKey: Bytes): Bytes;
}

/** @noSelf */
export interface KemAlgorithm {
  readonly name: string;
  readonly keygenSeedLength: number;
  readonly encapsulationRandomLength: number;
  readonly encapsulationKeyLength: number;
  readonly ciphertextLength: number;
  keygen(seed: Bytes): KemKeyPair;
  encapsulate(encapsulationKey: Bytes, m: Bytes): KemEncapsulation;
  decapsulate(decapsulationKey: Bytes, ciphertext: Bytes): Bytes;
}

export class RatchetSuite {
  readonly name: string;
  readonly dhAlg: DhAlgorithm;
  readonly kemAlg: KemAlgorithm | undefined;
  constructor(name: string, dhAlg: DhAlgorithm, kemAlg: KemAlgorithm | undefined) {
    this.name = name;
    this.dhAlg = dhAlg;
    this.kemAlg = kemAlg;
  }
}

export function x25519Algorithm(p: CryptoProvider): DhAlgorithm {
  return {
    name: "x25519",
    secretKeyLength: 32,
    publicKeyLength: 32,
    publicKey: (sk) => p.x25519PublicKey(sk),
    dh: (sk, pk) => p.x25519(sk, pk),
  };
}

/** X448 through a provider that has it (see CryptoProvider.x448). */
export function x448Algorithm(p: CryptoProvider): DhAlgorithm {
  return {
    name: "x448",
    secretKeyLength: 56,
    publicKeyLength: 56,
    publicKey: (sk) => p.x448PublicKey(sk),
    dh: (sk, pk) => p.x448(sk, pk),
  };
}

export function mlkem768Algorithm(p: CryptoProvider): KemAlgorithm {
  return {
    name: "mlkem768",
    keygenSeedLength: 64,
    encapsulationRandomLength: 32,
    encapsulationKeyLength: 1184,
    ciphertextLength: 1088,
    keygen: (seed) => p.mlkem768Keygen(seed),
    encapsulate: (ek, m) => p.mlkem768Encapsulate(ek, m),
    decapsulate: (dk, ct) => p.mlkem768Decapsulate(dk, ct),
  };
}

/** The default suite: X25519 + ML-KEM-768. */
export function defaultSuite(p: CryptoProvider): RatchetSuite {
  return new RatchetSuite("x25519-mlkem768", x25519Algorithm(p), mlkem768Algorithm(p));
}

/** X448 without a KEM: the curve of SimpleX's suite (its KEM, sntrup761, is not here yet). */
export function x448Suite(p: CryptoProvider): RatchetSuite {
  return new RatchetSuite("x448", x448Algorithm(p), undefined);
}

/** X25519 without a KEM (smallest headers; no post-quantum protection). */
export function classicSuite(p: CryptoProvider): RatchetSuite {
  return new RatchetSuite("x25519", x25519Algorithm(p), undefined);
}
