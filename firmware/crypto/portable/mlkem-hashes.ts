/**
 * The four Keccak functions ML-KEM uses (FIPS 203 §4.1): H = SHA3-256, G = SHA3-512,
 * J and PRF = SHAKE256, XOF = SHAKE128 (read as a prefix of a fixed length: SampleNTT asks
 * for more when it runs short, see mlkem-sample.ts). Passed in, so a runtime with native
 * Keccak (Node's OpenSSL) runs the same ML-KEM code with it: Keccak is about a third of
 * ML-KEM's time in portable code.
 */
import { Bytes } from "../../port/bytes";
import { sha3_256, sha3_512, shake128, shake256 } from "./sha3";

/** @noSelf */
export interface MlKemHashes {
  sha3_256(msg: Bytes): Bytes;
  sha3_512(msg: Bytes): Bytes;
  shake128(msg: Bytes, outLen: number): Bytes;
  shake256(msg: Bytes, outLen: number): Bytes;
}

export const PORTABLE_MLKEM_HASHES: MlKemHashes = {
  sha3_256: sha3_256,
  sha3_512: sha3_512,
  shake128: shake128,
  shake256: shake256,
};
