/**
 * A CryptoProvider whose randomBytes hands out scripted values in order (everything else
 * is delegated). It makes a whole GRP handshake reproducible for the worked example in
 * docs/grp.md and the grp.handshake vector op, without test hooks in the sessions.
 */
import { Bytes } from "../../port/bytes";
import { CryptoProvider, KemEncapsulation, KemKeyPair } from "../../crypto/provider";

export class ScriptedRandomProvider implements CryptoProvider {
  readonly name: string;
  private base: CryptoProvider;
  private script: Bytes[];
  private next: number;

  constructor(base: CryptoProvider, script: Bytes[]) {
    this.name = base.name + "+scripted";
    this.base = base;
    this.script = script;
    this.next = 0;
  }

  randomBytes(n: number): Bytes {
    if (this.next >= this.script.length) {
      throw new Error("scripted random: asked for " + n + " bytes after the script ended");
    }
    const v = this.script[this.next];
    if (v.length !== n) {
      throw new Error("scripted random: value " + this.next + " has " + v.length + " bytes, asked for " + n);
    }
    this.next++;
    return v;
  }

  /** True when every scripted value was used. */
  finished(): boolean {
    return this.next === this.script.length;
  }

  sha256(msg: Bytes): Bytes {
    return this.base.sha256(msg);
  }

  sha512(msg: Bytes): Bytes {
    return this.base.sha512(msg);
  }

  hmacSha256(key: Bytes, msg: Bytes): Bytes {
    return this.base.hmacSha256(key, msg);
  }

  hmacSha512(key: Bytes, msg: Bytes): Bytes {
    return this.base.hmacSha512(key, msg);
  }

  hkdfSha256(ikm: Bytes, salt: Bytes, info: Bytes, length: number): Bytes {
    return this.base.hkdfSha256(ikm, salt, info, length);
  }

  hkdfSha512(ikm: Bytes, salt: Bytes, info: Bytes, length: number): Bytes {
    return this.base.hkdfSha512(ikm, salt, info, length);
  }

  blake2s(msg: Bytes, outLen: number, key: Bytes): Bytes {
    return this.base.blake2s(msg, outLen, key);
  }

  sha3_256(msg: Bytes): Bytes {
    return this.base.sha3_256(msg);
  }

  sha3_512(msg: Bytes): Bytes {
    return this.base.sha3_512(msg);
  }

  shake128(msg: Bytes, outLen: number): Bytes {
    return this.base.shake128(msg, outLen);
  }

  shake256(msg: Bytes, outLen: number): Bytes {
    return this.base.shake256(msg, outLen);
  }

  chacha20poly1305Seal(key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes {
    return this.base.chacha20poly1305Seal(key, nonce, aad, plaintext);
  }

  chacha20poly1305Open(key: Bytes, nonce: Bytes, aad: Bytes, sealed: Bytes): Bytes | undefined {
    return this.base.chacha20poly1305Open(key, nonce, aad, sealed);
  }

  secretboxSeal(key: Bytes, nonce: Bytes, plaintext: Bytes): Bytes {
    return this.base.secretboxSeal(key, nonce, plaintext);
  }

  secretboxOpen(key: Bytes, nonce: Bytes, boxed: Bytes): Bytes | undefined {
    return this.base.secretboxOpen(key, nonce, boxed);
  }

  hsalsa20(key: Bytes, input: Bytes): Bytes {
    return this.base.hsalsa20(key, input);
  }

  boxBeforenm(publicKey: Bytes, secretKey: Bytes): Bytes {
    return this.base.boxBeforenm(publicKey, secretKey);
  }

  aes256gcmSeal(key: Bytes, iv: Bytes, aad: Bytes, plaintext: Bytes): Bytes {
    return this.base.aes256gcmSeal(key, iv, aad, plaintext);
  }

  aes256gcmOpen(key: Bytes, iv: Bytes, aad: Bytes, sealed: Bytes): Bytes | undefined {
    return this.base.aes256gcmOpen(key, iv, aad, sealed);
  }

  x25519(scalar: Bytes, u: Bytes): Bytes {
    return this.base.x25519(scalar, u);
  }

  x25519PublicKey(secretKey: Bytes): Bytes {
    return this.base.x25519PublicKey(secretKey);
  }

  ed25519PublicKey(seed: Bytes): Bytes {
    return this.base.ed25519PublicKey(seed);
  }

  ed25519Sign(seed: Bytes, msg: Bytes): Bytes {
    return this.base.ed25519Sign(seed, msg);
  }

  ed25519Verify(publicKey: Bytes, msg: Bytes, sig: Bytes): boolean {
    return this.base.ed25519Verify(publicKey, msg, sig);
  }

  mlkem768Keygen(seed: Bytes): KemKeyPair {
    return this.base.mlkem768Keygen(seed);
  }

  mlkem768Encapsulate(publicKey: Bytes, m: Bytes): KemEncapsulation {
    return this.base.mlkem768Encapsulate(publicKey, m);
  }

  mlkem768Decapsulate(secretKey: Bytes, ciphertext: Bytes): Bytes {
    return this.base.mlkem768Decapsulate(secretKey, ciphertext);
  }
}
