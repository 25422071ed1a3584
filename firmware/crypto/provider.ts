/**
 * CryptoProvider: the one interface every primitive is reached through. Implementations:
 * `portable` (our own code in the portable subset, the byte-for-byte reference), `noble`
 * (the noble libraries) and `native` (node:crypto where it has the primitive). All are
 * synchronous and take/return Bytes. Authentication failures are results, not
 * exceptions: `open`-style calls return undefined and `verify` returns false; malformed
 * arguments (wrong key or nonce length) throw an Error with a clear message.
 */
import { Bytes } from "../port/bytes";

export interface KemKeyPair {
  publicKey: Bytes;
  secretKey: Bytes;
}

export interface KemEncapsulation {
  ciphertext: Bytes;
  sharedSecret: Bytes;
}

/**
 * A source of random bytes. `this: void` keeps it a plain function on Lua (TSTL passes no
 * `self`), wherever it is stored.
 */
export type RandomSource = (this: void, n: number) => Bytes;

/** @noSelf — a table of plain functions on Lua, called without `self`. */
export interface CryptoProvider {
  readonly name: string;

  // Hashes, MACs, KDFs
  sha256(msg: Bytes): Bytes;
  sha512(msg: Bytes): Bytes;
  hmacSha256(key: Bytes, msg: Bytes): Bytes;
  hmacSha512(key: Bytes, msg: Bytes): Bytes;
  /** RFC 5869; an empty salt means HashLen zero bytes. */
  hkdfSha256(ikm: Bytes, salt: Bytes, info: Bytes, length: number): Bytes;
  hkdfSha512(ikm: Bytes, salt: Bytes, info: Bytes, length: number): Bytes;
  /** RFC 7693 BLAKE2s with output length 1..32 and a key of 0..32 bytes (empty = unkeyed). */
  blake2s(msg: Bytes, outLen: number, key: Bytes): Bytes;
  sha3_256(msg: Bytes): Bytes;
  sha3_512(msg: Bytes): Bytes;
  shake128(msg: Bytes, outLen: number): Bytes;
  shake256(msg: Bytes, outLen: number): Bytes;

  // AEADs and stream ciphers
  /** RFC 8439: returns ciphertext ‖ 16-byte tag. key 32, nonce 12. */
  chacha20poly1305Seal(key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes;
  chacha20poly1305Open(key: Bytes, nonce: Bytes, aad: Bytes, sealed: Bytes): Bytes | undefined;
  /** NaCl crypto_secretbox: returns 16-byte tag ‖ ciphertext. key 32, nonce 24. */
  secretboxSeal(key: Bytes, nonce: Bytes, plaintext: Bytes): Bytes;
  secretboxOpen(key: Bytes, nonce: Bytes, boxed: Bytes): Bytes | undefined;
  /** HSalsa20 core: 32-byte key, 16-byte input, 32-byte output. */
  hsalsa20(key: Bytes, input: Bytes): Bytes;
  /** NaCl crypto_box_beforenm: HSalsa20(X25519(secretKey, publicKey), 0^16). */
  boxBeforenm(publicKey: Bytes, secretKey: Bytes): Bytes;
  /** AES-256-GCM (SP 800-38D) with any IV length ≥ 1 (SimpleX uses 16); returns ciphertext ‖ 16-byte tag. */
  aes256gcmSeal(key: Bytes, iv: Bytes, aad: Bytes, plaintext: Bytes): Bytes;
  aes256gcmOpen(key: Bytes, iv: Bytes, aad: Bytes, sealed: Bytes): Bytes | undefined;

  // Curves
  /** RFC 7748 X25519(scalar, u); throws on an all-zero result (small-order input). */
  x25519(scalar: Bytes, u: Bytes): Bytes;
  x25519PublicKey(secretKey: Bytes): Bytes;
  /** RFC 8032 Ed25519 from a 32-byte seed. */
  ed25519PublicKey(seed: Bytes): Bytes;
  ed25519Sign(seed: Bytes, msg: Bytes): Bytes;
  /** Verification rules: docs/crypto.md ("Ed25519 verification"). */
  ed25519Verify(publicKey: Bytes, msg: Bytes, sig: Bytes): boolean;
  /** RFC 7748 X448(scalar, u), 56-byte arguments; throws on an all-zero result (small-order input). */
  x448(scalar: Bytes, u: Bytes): Bytes;
  x448PublicKey(secretKey: Bytes): Bytes;
  /** RFC 8032 Ed448 (empty context) verification; rules: docs/crypto.md ("Ed448 verification"). */
  ed448Verify(publicKey: Bytes, msg: Bytes, sig: Bytes): boolean;

  // Post-quantum KEM (FIPS 203)
  /** Deterministic ML-KEM-768.KeyGen_internal(d, z) from a 64-byte seed d ‖ z. */
  mlkem768Keygen(seed: Bytes): KemKeyPair;
  /** ML-KEM-768.Encaps_internal(ek, m) with the 32-byte randomness m. */
  mlkem768Encapsulate(publicKey: Bytes, m: Bytes): KemEncapsulation;
  /** ML-KEM-768.Decaps, including implicit rejection. */
  mlkem768Decapsulate(secretKey: Bytes, ciphertext: Bytes): Bytes;

  /** Cryptographically secure random bytes from the target's source. */
  randomBytes(n: number): Bytes;
}
