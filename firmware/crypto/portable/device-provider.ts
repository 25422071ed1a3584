/**
 * The provider the device firmware boots with: the portable provider minus the primitives
 * the device never calls, so the board bundles leave their code out (esbuild drops unused
 * functions, TSTL only bundles imported modules). Saves the X448/Ed448 family, the largest
 * part of the Espruino bundle and of the Lua heap that no device path uses:
 * - x448, x448PublicKey: the device ratchets with defaultSuite (X25519 + ML-KEM-768);
 * - ed448Verify, ed25519Verify: board builds reach their relay over GRP only (Noise with
 *   a pinned key hash; an smp:// relay is refused at boot, device-app.ts). Only the Node
 *   target has an SMP-over-TLS link, whose X.509 checks (maybe Ed448) use a full provider.
 * Each left-out method throws a clear error instead, so a future device path that needs one
 * fails at its first call, and the CryptoProvider contract stays whole for other users.
 */
import { Bytes } from "../../port/bytes";
import { CryptoProvider, RandomSource } from "../provider";
import { sha256 } from "./sha256";
import { sha512 } from "./sha512";
import { hmacSha256, hmacSha512 } from "./hmac";
import { hkdfSha256, hkdfSha512 } from "./hkdf";
import { blake2s } from "./blake2s";
import { sha3_256, sha3_512, shake128, shake256 } from "./sha3";
import { chacha20poly1305Open, chacha20poly1305Seal } from "./chacha20poly1305";
import { secretboxOpen, secretboxSeal } from "./secretbox";
import { hsalsa20 } from "./salsa20";
import { boxBeforenm } from "./box";
import { aes256gcmOpen, aes256gcmSeal } from "./aesgcm";
import { x25519, x25519PublicKey } from "./x25519";
import { ed25519PublicKey, ed25519Sign } from "./ed25519";
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768Keygen } from "./mlkem768";

export const DEVICE_PROVIDER_NAME = "portable-device";

/** The primitives the device build leaves out (see the file comment for why each). */
export const DEVICE_OMITTED = ["x448", "x448PublicKey", "ed448Verify", "ed25519Verify"];

function omitted(name: string): Error {
  return new Error(name + " is not in the device build (firmware/crypto/portable/device-provider.ts)");
}

function noX448(): Bytes {
  throw omitted("x448");
}

function noX448PublicKey(): Bytes {
  throw omitted("x448PublicKey");
}

function noEd448Verify(): boolean {
  throw omitted("ed448Verify");
}

function noEd25519Verify(): boolean {
  throw omitted("ed25519Verify");
}

export function createDeviceProvider(randomBytes: RandomSource): CryptoProvider {
  return {
    name: DEVICE_PROVIDER_NAME,
    sha256: sha256,
    sha512: sha512,
    hmacSha256: hmacSha256,
    hmacSha512: hmacSha512,
    hkdfSha256: hkdfSha256,
    hkdfSha512: hkdfSha512,
    blake2s: blake2s,
    sha3_256: sha3_256,
    sha3_512: sha3_512,
    shake128: shake128,
    shake256: shake256,
    chacha20poly1305Seal: chacha20poly1305Seal,
    chacha20poly1305Open: chacha20poly1305Open,
    secretboxSeal: secretboxSeal,
    secretboxOpen: secretboxOpen,
    hsalsa20: hsalsa20,
    boxBeforenm: boxBeforenm,
    aes256gcmSeal: aes256gcmSeal,
    aes256gcmOpen: aes256gcmOpen,
    x25519: x25519,
    x25519PublicKey: x25519PublicKey,
    ed25519PublicKey: ed25519PublicKey,
    ed25519Sign: ed25519Sign,
    ed25519Verify: noEd25519Verify,
    x448: noX448,
    x448PublicKey: noX448PublicKey,
    ed448Verify: noEd448Verify,
    mlkem768Keygen: mlkem768Keygen,
    mlkem768Encapsulate: mlkem768Encapsulate,
    mlkem768Decapsulate: mlkem768Decapsulate,
    randomBytes: randomBytes,
  };
}
