/**
 * A ratchet suite: the DH curve and the optional KEM that the key agreement and the
 * double ratchet use. tsense's default is X25519 + ML-KEM-768; SimpleX uses X448 +
 * sntrup761. The ratchet is written against this interface so a suite is a parameter,
 * never a second ratchet. Public DH keys travel X.509 SPKI-encoded, as in SimpleX.
 */
import { Bytes, alloc, concat, copyInto, equalBytes, slice } from "../port/bytes";
import { fromHex } from "../port/hex";
import { CryptoProvider, KemEncapsulation, KemKeyPair } from "../crypto/provider";

export interface DhAlgorithm {
  readonly name: string;
  readonly secretKeyLength: number;
  readonly publicKeyLength: number;
  publicKey(secretKey: Bytes): Bytes;
  dh(secretKey: Bytes, publicKey: Bytes): Bytes;
  /** The X.509 SubjectPublicKeyInfo DER prefix of a raw public key. */
  readonly spkiPrefix: Bytes;
}

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

// RFC 8410 SPKI prefixes: SEQUENCE { SEQUENCE { OID id-X25519 / id-X448 }, BIT STRING }
const X25519_SPKI_PREFIX = "302a300506032b656e032100";
const X448_SPKI_PREFIX = "3042300506032b656f033900";

export function x25519Algorithm(p: CryptoProvider): DhAlgorithm {
  return {
    name: "x25519",
    secretKeyLength: 32,
    publicKeyLength: 32,
    publicKey: (sk) => p.x25519PublicKey(sk),
    dh: (sk, pk) => p.x25519(sk, pk),
    spkiPrefix: fromHex(X25519_SPKI_PREFIX),
  };
}

/** X448 through a provider that has it (see CryptoProvider.x448). */
export function x448Algorithm(
  x448: (scalar: Bytes, u: Bytes) => Bytes,
  x448PublicKey: (secretKey: Bytes) => Bytes,
): DhAlgorithm {
  return {
    name: "x448",
    secretKeyLength: 56,
    publicKeyLength: 56,
    publicKey: x448PublicKey,
    dh: x448,
    spkiPrefix: fromHex(X448_SPKI_PREFIX),
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

/** X25519 without a KEM (smallest headers; no post-quantum protection). */
export function classicSuite(p: CryptoProvider): RatchetSuite {
  return new RatchetSuite("x25519", x25519Algorithm(p), undefined);
}

export function encodeSpki(alg: DhAlgorithm, raw: Bytes): Bytes {
  if (raw.length !== alg.publicKeyLength) {
    throw new Error(alg.name + " public key must be " + alg.publicKeyLength + " bytes");
  }
  return concat(alg.spkiPrefix, raw);
}

/** The raw key inside an SPKI encoding, or undefined if it is not one of this algorithm. */
export function decodeSpki(alg: DhAlgorithm, spki: Bytes): Bytes | undefined {
  const n = alg.spkiPrefix.length;
  if (spki.length !== n + alg.publicKeyLength || !equalBytes(slice(spki, 0, n), alg.spkiPrefix)) {
    return undefined;
  }
  const raw = alloc(alg.publicKeyLength);
  copyInto(raw, 0, spki, n, alg.publicKeyLength);
  return raw;
}
