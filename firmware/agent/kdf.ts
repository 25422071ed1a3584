/**
 * The ratchet KDFs, as in simplexmq's Crypto/Ratchet.hs: every step is HKDF-SHA512 with
 * 96 bytes of output split into three 32-byte keys, under the SimpleX labels.
 */
import { Bytes, alloc, concat, fromAscii, slice } from "../port/bytes";
import { CryptoProvider } from "../crypto/provider";

export const X3DH_INFO = "SimpleXX3DH";
export const ROOT_RATCHET_INFO = "SimpleXRootRatchet";
export const CHAIN_RATCHET_INFO = "SimpleXChainRatchet";
/** X3DH's HKDF salt: 64 zero bytes (SHA-512's hash length). */
export const X3DH_SALT_LENGTH = 64;
export const KEY_LENGTH = 32;
export const IV_LENGTH = 16;

export class Hkdf3 {
  k1: Bytes;
  k2: Bytes;
  k3: Bytes;
  constructor(k1: Bytes, k2: Bytes, k3: Bytes) {
    this.k1 = k1;
    this.k2 = k2;
    this.k3 = k3;
  }
}

export function hkdf3(p: CryptoProvider, salt: Bytes, ikm: Bytes, info: string): Hkdf3 {
  const out = p.hkdfSha512(ikm, salt, fromAscii(info), 3 * KEY_LENGTH);
  return new Hkdf3(slice(out, 0, 32), slice(out, 32, 64), slice(out, 64, 96));
}

export class RootStep {
  rootKey: Bytes;
  chainKey: Bytes;
  nextHeaderKey: Bytes;
  constructor(rootKey: Bytes, chainKey: Bytes, nextHeaderKey: Bytes) {
    this.rootKey = rootKey;
    this.chainKey = chainKey;
    this.nextHeaderKey = nextHeaderKey;
  }
}

/** KDF_RK_HE(rk, DH output ‖ KEM shared secret, when a KEM is in use). */
export function rootKdf(p: CryptoProvider, rootKey: Bytes, dhOut: Bytes, kemSecret: Bytes | undefined): RootStep {
  const ikm = kemSecret === undefined ? dhOut : concat(dhOut, kemSecret);
  const k = hkdf3(p, rootKey, ikm, ROOT_RATCHET_INFO);
  return new RootStep(k.k1, k.k2, k.k3);
}

export class ChainStep {
  chainKey: Bytes;
  messageKey: Bytes;
  messageIv: Bytes;
  headerIv: Bytes;
  constructor(chainKey: Bytes, messageKey: Bytes, messageIv: Bytes, headerIv: Bytes) {
    this.chainKey = chainKey;
    this.messageKey = messageKey;
    this.messageIv = messageIv;
    this.headerIv = headerIv;
  }
}

/** KDF_CK: next chain key, message key, the body IV and the header IV (16 bytes each). */
export function chainKdf(p: CryptoProvider, chainKey: Bytes): ChainStep {
  const k = hkdf3(p, alloc(0), chainKey, CHAIN_RATCHET_INFO);
  return new ChainStep(k.k1, k.k2, slice(k.k3, 0, 16), slice(k.k3, 16, 32));
}
