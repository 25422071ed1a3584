/**
 * The `portable` provider: our own implementations in the portable subset, the same
 * source on Node, Espruino and Lua. Randomness is the one thing a target must supply.
 */
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
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from "./ed25519";
import { x448, x448PublicKey } from "./x448";
import { ed448Verify } from "./ed448";
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768Keygen } from "./mlkem768";

export function createPortableProvider(randomBytes: RandomSource): CryptoProvider {
  return {
    name: "portable",
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
    ed25519Verify: ed25519Verify,
    x448: x448,
    x448PublicKey: x448PublicKey,
    ed448Verify: ed448Verify,
    mlkem768Keygen: mlkem768Keygen,
    mlkem768Encapsulate: mlkem768Encapsulate,
    mlkem768Decapsulate: mlkem768Decapsulate,
    randomBytes: randomBytes,
  };
}
