/**
 * The `noble` provider: @noble/hashes, @noble/ciphers, @noble/curves and
 * @noble/post-quantum behind the CryptoProvider interface (Node only).
 */
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { blake2s } from "@noble/hashes/blake2.js";
import { sha3_256, sha3_512, shake128, shake256 } from "@noble/hashes/sha3.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hsalsa, secretbox } from "@noble/ciphers/salsa.js";
import { ecb, gcm } from "@noble/ciphers/aes.js";
import { ghash } from "@noble/ciphers/_polyval.js";
import { equalBytes } from "@noble/ciphers/utils.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { ed448, x448 } from "@noble/curves/ed448.js";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { randomBytes } from "node:crypto";
import type { Bytes } from "../../port/bytes";
import type { CryptoProvider, KemEncapsulation, KemKeyPair } from "../provider";
import { u8, checkLength, ed25519CofactorlessEquation, ed25519VerifyPolicy } from "./util";

/**
 * noble's gcm() refuses IVs shorter than 8 bytes (a library policy; SP 800-38D allows any
 * length). For those, GCM is composed here from noble's own AES block cipher (ecb) and
 * GHASH exactly as SP 800-38D §7.1 says: H = E(0), J0 = GHASH(IV ‖ pad ‖ [len(IV)]_64),
 * CTR from inc32(J0), tag = GHASH(A ‖ pad ‖ C ‖ pad ‖ lengths) ^ E(J0).
 */
const NOBLE_GCM_MIN_IV = 8;
function gcmShortIv(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, input: Uint8Array, sealing: boolean): Uint8Array | undefined {
  if (iv.length < 1) throw new Error("aes256gcm: IV must be at least 1 byte");
  const aes = (blocks: Uint8Array) => ecb(key, { disablePadding: true }).encrypt(blocks);
  const h = aes(new Uint8Array(16));
  const be64 = (n: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n) * 8n, false);
    return b;
  };
  const j0 = ghash.create(h).update(iv).update(new Uint8Array([...new Uint8Array(8), ...be64(iv.length)])).digest();
  if (!sealing && input.length < 16) return undefined;
  const body = sealing ? input : input.subarray(0, input.length - 16);
  const nBlocks = Math.ceil(body.length / 16);
  const counters = new Uint8Array(16 * nBlocks);
  const c0 = new DataView(j0.buffer, j0.byteOffset).getUint32(12, false);
  for (let i = 0; i < nBlocks; i++) {
    counters.set(j0.subarray(0, 12), 16 * i);
    new DataView(counters.buffer).setUint32(16 * i + 12, (c0 + i + 1) >>> 0, false);
  }
  const stream = nBlocks > 0 ? aes(counters) : new Uint8Array(0);
  const out = body.map((b, i) => b ^ stream[i]);
  const ct = sealing ? out : body;
  const s = ghash.create(h).update(aad).update(ct).update(new Uint8Array([...be64(aad.length), ...be64(ct.length)])).digest();
  const mask = aes(j0);
  const tag = s.map((b, i) => b ^ mask[i]);
  if (sealing) return new Uint8Array([...out, ...tag]);
  return equalBytes(tag, input.subarray(input.length - 16)) ? out : undefined;
}

function opened(f: () => Uint8Array): Bytes | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

function hsalsa20(key: Bytes, input: Bytes): Bytes {
  checkLength("hsalsa20 key", key, 32);
  checkLength("hsalsa20 input", input, 16);
  const k = new Uint32Array(u8(key).slice().buffer);
  const i = new Uint32Array(u8(input).slice().buffer);
  const out = new Uint32Array(8);
  hsalsa(SIGMA, k, i, out);
  return new Uint8Array(out.buffer);
}

function x25519Checked(scalar: Bytes, u: Bytes): Bytes {
  checkLength("x25519 scalar", scalar, 32);
  checkLength("x25519 u", u, 32);
  // noble throws on an all-zero shared secret, as our interface requires.
  return x25519.getSharedSecret(u8(scalar), u8(u));
}

export const nobleProvider: CryptoProvider = {
  name: "noble",
  sha256: (m) => sha256(u8(m)),
  sha512: (m) => sha512(u8(m)),
  hmacSha256: (k, m) => hmac(sha256, u8(k), u8(m)),
  hmacSha512: (k, m) => hmac(sha512, u8(k), u8(m)),
  hkdfSha256: (ikm, salt, info, length) => hkdf(sha256, u8(ikm), u8(salt), u8(info), length),
  hkdfSha512: (ikm, salt, info, length) => hkdf(sha512, u8(ikm), u8(salt), u8(info), length),
  blake2s: (m, outLen, key) => blake2s(u8(m), key.length > 0 ? { dkLen: outLen, key: u8(key) } : { dkLen: outLen }),
  sha3_256: (m) => sha3_256(u8(m)),
  sha3_512: (m) => sha3_512(u8(m)),
  shake128: (m, outLen) => shake128(u8(m), { dkLen: outLen }),
  shake256: (m, outLen) => shake256(u8(m), { dkLen: outLen }),

  chacha20poly1305Seal: (key, nonce, aad, pt) => chacha20poly1305(u8(key), u8(nonce), u8(aad)).encrypt(u8(pt)),
  chacha20poly1305Open: (key, nonce, aad, sealed) =>
    opened(() => chacha20poly1305(u8(key), u8(nonce), u8(aad)).decrypt(u8(sealed))),
  secretboxSeal: (key, nonce, pt) => secretbox(u8(key), u8(nonce)).seal(u8(pt)),
  secretboxOpen: (key, nonce, boxed) => opened(() => secretbox(u8(key), u8(nonce)).open(u8(boxed))),
  hsalsa20,
  boxBeforenm: (pk, sk) => hsalsa20(x25519Checked(sk, pk), new Uint8Array(16)),
  aes256gcmSeal: (key, iv, aad, pt) => {
    checkLength("aes256gcm key", key, 32);
    if (iv.length < NOBLE_GCM_MIN_IV) return gcmShortIv(u8(key), u8(iv), u8(aad), u8(pt), true) as Uint8Array;
    return gcm(u8(key), u8(iv), u8(aad)).encrypt(u8(pt));
  },
  aes256gcmOpen: (key, iv, aad, sealed) => {
    checkLength("aes256gcm key", key, 32);
    if (iv.length < NOBLE_GCM_MIN_IV) return gcmShortIv(u8(key), u8(iv), u8(aad), u8(sealed), false);
    return opened(() => gcm(u8(key), u8(iv), u8(aad)).decrypt(u8(sealed)));
  },

  x25519: x25519Checked,
  x25519PublicKey: (sk) => {
    checkLength("x25519 secret key", sk, 32);
    return x25519.getPublicKey(u8(sk));
  },
  ed25519PublicKey: (seed) => {
    checkLength("ed25519 seed", seed, 32);
    return ed25519.getPublicKey(u8(seed));
  },
  ed25519Sign: (seed, msg) => {
    checkLength("ed25519 seed", seed, 32);
    return ed25519.sign(u8(msg), u8(seed));
  },
  // noble's verify alone is cofactored and accepts a small-order R: the policy and the
  // cofactorless equation narrow it to the rules of docs/crypto.md.
  ed25519Verify: (pk, msg, sig) =>
    ed25519VerifyPolicy(pk, sig, () =>
      ed25519CofactorlessEquation(pk, msg, sig) && ed25519.verify(u8(sig), u8(msg), u8(pk), { zip215: false })),
  x448: (scalar, u) => {
    checkLength("x448 scalar", scalar, 56);
    checkLength("x448 u", u, 56);
    // noble throws on an all-zero shared secret, as our interface requires.
    return x448.getSharedSecret(u8(scalar), u8(u));
  },
  x448PublicKey: (sk) => {
    checkLength("x448 secret key", sk, 56);
    return x448.getPublicKey(u8(sk));
  },
  // noble's strict (zip215: false) Ed448 verify is exactly our rule set (docs/crypto.md);
  // it throws on wrong lengths, which is a false here.
  ed448Verify: (pk, msg, sig) => {
    try {
      return ed448.verify(u8(sig), u8(msg), u8(pk), { zip215: false });
    } catch {
      return false;
    }
  },

  mlkem768Keygen: (seed): KemKeyPair => {
    checkLength("ml-kem-768 seed", seed, 64);
    const kp = ml_kem768.keygen(u8(seed));
    return { publicKey: kp.publicKey, secretKey: kp.secretKey };
  },
  mlkem768Encapsulate: (pk, m): KemEncapsulation => {
    checkLength("ml-kem-768 randomness", m, 32);
    const r = ml_kem768.encapsulate(u8(pk), u8(m));
    return { ciphertext: r.cipherText, sharedSecret: r.sharedSecret };
  },
  mlkem768Decapsulate: (sk, ct) => ml_kem768.decapsulate(u8(ct), u8(sk)),

  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};
