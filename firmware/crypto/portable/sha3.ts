/**
 * SHA3-256, SHA3-512, SHAKE128 and SHAKE256 (FIPS 202 §6) on the Keccak sponge.
 * Rates are 200 - 2·(capacity/2) bytes: 136 (SHA3-256, SHAKE256), 72 (SHA3-512),
 * 168 (SHAKE128).
 */
import { Bytes, alloc } from "../../port/bytes";
import { KeccakSponge } from "./keccak";

/** Domain-separation suffix 01 plus the first pad bit (FIPS 202 §6.1, B.2). */
const SHA3_DS = 0x06;
/** Suffix 1111 plus the first pad bit (FIPS 202 §6.2, B.2). */
const SHAKE_DS = 0x1f;

export const SHA3_256_RATE = 136;
export const SHA3_512_RATE = 72;
export const SHAKE128_RATE = 168;
export const SHAKE256_RATE = 136;

function oneShot(rate: number, ds: number, msg: Bytes, outLen: number): Bytes {
  if (outLen < 0 || outLen !== Math.floor(outLen)) {
    throw new Error("sha3: bad output length " + outLen);
  }
  const sponge = new KeccakSponge(rate, ds);
  sponge.absorb(msg);
  const out = alloc(outLen);
  sponge.squeezeInto(out, 0, outLen);
  return out;
}

export function sha3_256(msg: Bytes): Bytes {
  return oneShot(SHA3_256_RATE, SHA3_DS, msg, 32);
}

export function sha3_512(msg: Bytes): Bytes {
  return oneShot(SHA3_512_RATE, SHA3_DS, msg, 64);
}

export function shake128(msg: Bytes, outLen: number): Bytes {
  return oneShot(SHAKE128_RATE, SHAKE_DS, msg, outLen);
}

export function shake256(msg: Bytes, outLen: number): Bytes {
  return oneShot(SHAKE256_RATE, SHAKE_DS, msg, outLen);
}

/** An incremental SHAKE128 sponge (ML-KEM's XOF). */
export function shake128Sponge(): KeccakSponge {
  return new KeccakSponge(SHAKE128_RATE, SHAKE_DS);
}

/** An incremental SHAKE256 sponge (ML-KEM's PRF and J). */
export function shake256Sponge(): KeccakSponge {
  return new KeccakSponge(SHAKE256_RATE, SHAKE_DS);
}

/** An incremental SHA3-256 sponge; squeeze exactly 32 bytes. */
export function sha3_256Sponge(): KeccakSponge {
  return new KeccakSponge(SHA3_256_RATE, SHA3_DS);
}

/** An incremental SHA3-512 sponge; squeeze exactly 64 bytes. */
export function sha3_512Sponge(): KeccakSponge {
  return new KeccakSponge(SHA3_512_RATE, SHA3_DS);
}
