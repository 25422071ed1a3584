/**
 * ML-KEM-768 for the native provider: our FIPS 203 code (firmware/crypto/portable) with
 * Node's OpenSSL Keccak. Node 20 has no ML-KEM of its own, and noble's, in pure JS, was the
 * largest single primitive of a fleet's CPU (a ratchet turn after every receipt); with
 * native Keccak ours is ≈ 2–3× faster than noble's (`npm run bench -- crypto`).
 */
import { createHash } from "node:crypto";
import type { Bytes } from "../../port/bytes";
import type { KemEncapsulation, KemKeyPair } from "../provider";
import type { MlKemHashes } from "../portable/mlkem-hashes";
import { u8 } from "./util";
import { mlkem768DecapsulateWith, mlkem768EncapsulateWith, mlkem768KeygenWith } from "../portable/mlkem768";

function digest(algorithm: string, msg: Bytes, outputLength: number | undefined): Bytes {
  const b = createHash(algorithm, outputLength === undefined ? undefined : { outputLength }).update(u8(msg)).digest();
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export const NODE_MLKEM_HASHES: MlKemHashes = {
  sha3_256: (msg) => digest("sha3-256", msg, undefined),
  sha3_512: (msg) => digest("sha3-512", msg, undefined),
  shake128: (msg, outLen) => digest("shake128", msg, outLen),
  shake256: (msg, outLen) => digest("shake256", msg, outLen),
};

export function mlkem768Keygen(seed: Bytes): KemKeyPair {
  return mlkem768KeygenWith(NODE_MLKEM_HASHES, seed);
}

export function mlkem768Encapsulate(publicKey: Bytes, m: Bytes): KemEncapsulation {
  return mlkem768EncapsulateWith(NODE_MLKEM_HASHES, publicKey, m);
}

export function mlkem768Decapsulate(secretKey: Bytes, ciphertext: Bytes): Bytes {
  return mlkem768DecapsulateWith(NODE_MLKEM_HASHES, secretKey, ciphertext);
}
