// The Noise framework beyond the published vectors (test-vectors/published/noise.json):
// HMAC cross-checks, failure handling, nonces and rekey, checked against noble by hand.
import { describe, expect, it } from "vitest";
import { hmac } from "@noble/hashes/hmac.js";
import { blake2s } from "@noble/hashes/blake2.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { getProvider } from "../../../crypto/node/providers";
import { blake2sHash, hmacOver, noiseHkdf, sha256Hash } from "./hash-function";
import { CipherState, chachaPolyNonce } from "./cipher-state";
import { HandshakeState, keyPairFromSecret } from "./handshake-state";
import { protocolName } from "./protocol-name";

const p = getProvider("noble");
const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);

describe("Noise hash functions", () => {
  it("generic HMAC equals the provider's HMAC-SHA256 for short, block-sized and long keys", () => {
    for (const klen of [0, 20, 64, 65, 200]) {
      const key = bytes(klen, 0x0b);
      const msg = bytes(77, 0x42);
      expect(hmacOver((d) => p.sha256(d), 64, key, msg)).toEqual(p.hmacSha256(key, msg));
    }
  });
  it("HMAC-BLAKE2s equals noble's hmac(blake2s)", () => {
    const h = blake2sHash(p);
    for (const klen of [0, 32, 64, 100]) {
      const key = bytes(klen, 7);
      const msg = bytes(33, 9);
      expect(h.hmac(key, msg)).toEqual(hmac(blake2s, key, msg));
    }
  });
  it("HKDF follows Noise §4.3", () => {
    const h = sha256Hash(p);
    const ck = bytes(32, 1);
    const ikm = bytes(32, 2);
    const temp = p.hmacSha256(ck, ikm);
    const o1 = p.hmacSha256(temp, Uint8Array.of(1));
    const o2 = p.hmacSha256(temp, Uint8Array.of(...(o1 as Uint8Array), 2));
    const o3 = p.hmacSha256(temp, Uint8Array.of(...(o2 as Uint8Array), 3));
    expect(noiseHkdf(h, ck, ikm, 3)).toEqual([o1, o2, o3]);
    expect(() => noiseHkdf(h, ck, ikm, 4)).toThrow(/2 or 3/);
  });
});

describe("CipherState", () => {
  it("encodes the nonce as 4 zero bytes and a 64-bit little-endian counter", () => {
    expect(Buffer.from(chachaPolyNonce(0x01020304, 0x05060708) as Uint8Array).toString("hex")).toBe("000000000807060504030201");
  });
  it("counts nonces across the 32-bit boundary and refuses 2^64-1", () => {
    const key = bytes(32, 3);
    const cs = new CipherState(p);
    cs.initializeKey(key);
    cs.setNonce(0, 0xffffffff);
    const c = cs.encryptWithAd(new Uint8Array(0), bytes(5, 1));
    expect(c).toEqual(chacha20poly1305(key, chachaPolyNonce(0, 0xffffffff) as Uint8Array).encrypt(bytes(5, 1)));
    expect([cs.nonceHi(), cs.nonceLo()]).toEqual([1, 0]);
    cs.setNonce(0xffffffff, 0xfffffffe);
    cs.encryptWithAd(new Uint8Array(0), bytes(1, 0));
    expect(() => cs.encryptWithAd(new Uint8Array(0), bytes(1, 0))).toThrow(/exhausted/);
  });
  it("does not advance the nonce on a failed decryption", () => {
    const a = new CipherState(p);
    const b = new CipherState(p);
    a.initializeKey(bytes(32, 4));
    b.initializeKey(bytes(32, 4));
    const m = a.encryptWithAd(new Uint8Array(0), bytes(10, 1)) as Uint8Array;
    const bad = m.slice();
    bad[0] ^= 1;
    expect(b.decryptWithAd(new Uint8Array(0), bad)).toBeUndefined();
    expect(b.nonceLo()).toBe(0);
    expect(b.decryptWithAd(new Uint8Array(0), m)).toEqual(bytes(10, 1));
    expect(b.decryptWithAd(new Uint8Array(0), m)).toBeUndefined(); // a replay fails at the next nonce
  });
  it("rekeys to ENCRYPT(k, 2^64-1, empty, zeros)[0..32]", () => {
    const key = bytes(32, 5);
    const cs = new CipherState(p);
    cs.initializeKey(key.slice());
    cs.rekey();
    const expected = chacha20poly1305(key, Uint8Array.of(0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255)).encrypt(bytes(32, 0)).slice(0, 32);
    const check = new CipherState(p);
    check.initializeKey(expected);
    expect(cs.encryptWithAd(new Uint8Array(0), bytes(3, 1))).toEqual(check.encryptWithAd(new Uint8Array(0), bytes(3, 1)));
  });
});

function pair(pattern: "IK" | "XX") {
  const s1 = keyPairFromSecret(p, bytes(32, 0x11));
  const s2 = keyPairFromSecret(p, bytes(32, 0x22));
  const name = protocolName(pattern, "BLAKE2s");
  const prologue = Uint8Array.of(1, 2, 3);
  const i = new HandshakeState(p, { protocolName: name, initiator: true, prologue, s: s1, rs: pattern === "IK" ? s2.publicKey : undefined, ephemeralSecret: undefined });
  const r = new HandshakeState(p, { protocolName: name, initiator: false, prologue, s: s2, rs: undefined, ephemeralSecret: undefined });
  return { i, r, s1, s2 };
}

describe("HandshakeState", () => {
  it("completes XX with fresh ephemerals and learns both static keys", () => {
    const { i, r, s1, s2 } = pair("XX");
    r.readMessage(i.writeMessage(new Uint8Array(0)));
    i.readMessage(r.writeMessage(Uint8Array.of(9)));
    expect(r.readMessage(i.writeMessage(Uint8Array.of(8)))).toEqual(Uint8Array.of(8));
    expect(i.isComplete() && r.isComplete()).toBe(true);
    expect(i.remoteStatic()).toEqual(s2.publicKey);
    expect(r.remoteStatic()).toEqual(s1.publicKey);
    expect(i.handshakeHash()).toEqual(r.handshakeHash());
    const ti = i.split();
    const tr = r.split();
    expect(tr.receive.decryptWithAd(new Uint8Array(0), ti.send.encryptWithAd(new Uint8Array(0), Uint8Array.of(1)))).toEqual(Uint8Array.of(1));
  });
  it("fails IK when the initiator has the wrong responder key, and stays failed", () => {
    const { r } = pair("IK");
    const wrong = new HandshakeState(p, {
      protocolName: protocolName("IK", "BLAKE2s"), initiator: true, prologue: Uint8Array.of(1, 2, 3),
      s: keyPairFromSecret(p, bytes(32, 0x11)), rs: keyPairFromSecret(p, bytes(32, 0x33)).publicKey, ephemeralSecret: undefined,
    });
    const m = wrong.writeMessage(new Uint8Array(0));
    expect(() => r.readMessage(m)).toThrow(/cannot decrypt the peer's static key/);
    expect(() => r.writeMessage(new Uint8Array(0))).toThrow(/already failed/);
  });
  it("rejects a different prologue, a tampered or truncated message, and out-of-turn calls", () => {
    for (const mutate of [(m: Uint8Array) => { m[m.length - 1] ^= 1; return m; }, (m: Uint8Array) => m.slice(0, 40)]) {
      const { i, r } = pair("IK");
      expect(() => i.readMessage(new Uint8Array(48))).toThrow(/not our turn to read/);
      const m = mutate((i.writeMessage(Uint8Array.of(1, 2)) as Uint8Array).slice());
      expect(() => r.readMessage(m)).toThrow(/noise:/);
    }
    const { i } = pair("IK");
    const other = new HandshakeState(p, { protocolName: protocolName("IK", "BLAKE2s"), initiator: false, prologue: Uint8Array.of(9), s: keyPairFromSecret(p, bytes(32, 0x22)), rs: undefined, ephemeralSecret: undefined });
    expect(() => other.readMessage(i.writeMessage(new Uint8Array(0)))).toThrow(/cannot decrypt/);
  });
  it("refuses IK without the responder's key and unknown protocol parts", () => {
    expect(() => new HandshakeState(p, { protocolName: protocolName("IK", "SHA256"), initiator: true, prologue: new Uint8Array(0), s: undefined, rs: undefined, ephemeralSecret: undefined })).toThrow(/static key in advance/);
    expect(() => new HandshakeState(p, { protocolName: "Noise_NN_25519_ChaChaPoly_SHA256", initiator: true, prologue: new Uint8Array(0), s: undefined, rs: undefined, ephemeralSecret: undefined })).toThrow(/unsupported handshake pattern/);
    expect(() => new HandshakeState(p, { protocolName: "Noise_XX_448_ChaChaPoly_SHA256", initiator: true, prologue: new Uint8Array(0), s: undefined, rs: undefined, ephemeralSecret: undefined })).toThrow(/unsupported DH/);
  });
});
