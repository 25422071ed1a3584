// Our HKDF-SHA512 on libsodium's SHA-512 against OpenSSL's (node:crypto hkdfSync): salts
// empty, short, one block and longer than a block (hashed first), every output length class.
import { hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hkdfSha512 } from "./hkdf-sha512";
import { getProvider } from "./providers";

const openssl = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, n: number) => new Uint8Array(hkdfSync("sha512", ikm, salt, info, n));

describe("hkdfSha512 (libsodium SHA-512)", () => {
  it("equals OpenSSL's HKDF-SHA512 for every salt size and output length class", () => {
    for (const saltLen of [0, 1, 32, 64, 127, 128, 129, 300]) {
      for (const n of [1, 32, 63, 64, 65, 96, 128, 1000]) {
        const ikm = randomBytes(1 + ((saltLen * 7 + n) % 90));
        const salt = randomBytes(saltLen);
        const info = randomBytes(n % 40);
        expect(Buffer.from(hkdfSha512(ikm, salt, info, n)).toString("hex")).toBe(Buffer.from(openssl(ikm, salt, info, n)).toString("hex"));
      }
    }
    const ikm = randomBytes(32);
    expect(hkdfSha512(ikm, new Uint8Array(0), new Uint8Array(0), 255 * 64)).toEqual(openssl(ikm, new Uint8Array(0), new Uint8Array(0), 255 * 64));
    expect(hkdfSha512(ikm, new Uint8Array(0), new Uint8Array(0), 0)).toEqual(new Uint8Array(0));
  });

  it("refuses lengths HKDF cannot give", () => {
    expect(() => hkdfSha512(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), 255 * 64 + 1)).toThrow(/length must be 0\.\.16320/);
    expect(() => hkdfSha512(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), 1.5)).toThrow(/length/);
  });

  it("is the native provider's hkdfSha512; its ChaCha20-Poly1305 (libsodium) matches noble's and rejects a bad tag", () => {
    const native = getProvider("native");
    const noble = getProvider("noble");
    const ikm = randomBytes(32), salt = randomBytes(64), info = Buffer.from("SimpleXChainRatchet");
    expect(native.hkdfSha512(ikm, salt, info, 96)).toEqual(noble.hkdfSha512(ikm, salt, info, 96));
    const key = randomBytes(32), nonce = randomBytes(12), aad = randomBytes(5), pt = randomBytes(16384);
    const sealed = native.chacha20poly1305Seal(key, nonce, aad, pt);
    expect(sealed).toEqual(noble.chacha20poly1305Seal(key, nonce, aad, pt));
    expect(native.chacha20poly1305Open(key, nonce, aad, sealed)).toEqual(new Uint8Array(pt));
    const bad = new Uint8Array(sealed);
    bad[100] ^= 1;
    expect(native.chacha20poly1305Open(key, nonce, aad, bad)).toBeUndefined();
    expect(native.chacha20poly1305Open(key, nonce, aad, new Uint8Array(15))).toBeUndefined();
  });
});
