/**
 * GRP/1 computed a second time, by hand, straight from docs/grp.md with the noble
 * primitives: no code shared with the implementation (no Noise classes, no payload
 * encoders). Used only to cross-check the worked example and the grp vectors.
 */
import { blake2s } from "@noble/hashes/blake2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";

const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const u16 = (v: number) => Uint8Array.of(v >> 8, v & 255);
const ascii = (s: string) => new TextEncoder().encode(s);
const zeros = (n: number) => new Uint8Array(n);

/** Noise symmetric state, BLAKE2s, written out (Noise rev 34 §5.1-5.2). */
class Sym {
  h: Uint8Array;
  ck: Uint8Array;
  k: Uint8Array | undefined;
  n = 0;
  constructor(name: string) {
    const b = ascii(name);
    this.h = b.length <= 32 ? cat(b, zeros(32 - b.length)) : blake2s(b);
    this.ck = this.h;
  }
  mixHash(d: Uint8Array) {
    this.h = blake2s(cat(this.h, d));
  }
  mixKey(ikm: Uint8Array) {
    const temp = hmac(blake2s, this.ck, ikm);
    this.ck = hmac(blake2s, temp, Uint8Array.of(1));
    this.k = hmac(blake2s, temp, cat(this.ck, Uint8Array.of(2)));
    this.n = 0;
  }
  nonce() {
    const v = new Uint8Array(12);
    new DataView(v.buffer).setUint32(4, this.n++, true);
    return v;
  }
  encryptAndHash(pt: Uint8Array) {
    const c = this.k ? chacha20poly1305(this.k, this.nonce(), this.h).encrypt(pt) : pt;
    this.mixHash(c);
    return c;
  }
}

export interface IndependentInput {
  pattern: number;
  relayStatic: Uint8Array;
  relayKemSeed: Uint8Array;
  relayEphemeral: Uint8Array;
  clientStatic: Uint8Array;
  clientEphemeral: Uint8Array;
  kemRandom: Uint8Array;
  smpMin: number;
  smpMax: number;
  blockFill: number;
}

export interface IndependentResult {
  clientHandshake: Uint8Array;
  relayHandshake: Uint8Array;
  sessionId: Uint8Array;
  chainingKey: Uint8Array;
  kemKeyId: Uint8Array;
  kemCiphertext: Uint8Array;
  mlkemSharedSecret: Uint8Array;
  c2s: Uint8Array;
  s2c: Uint8Array;
  clientFrame: Uint8Array;
  relayFrame: Uint8Array;
  relayStaticPublic: Uint8Array;
}

const SIZE = 1400;
const frame = (body: Uint8Array) => cat(u16(body.length), body);
const padTo = (fields: Uint8Array, total: number) => cat(fields, zeros(total - fields.length));

export function independentGrp(x: IndependentInput): IndependentResult {
  const ik = x.pattern === 1;
  const rsPub = x25519.getPublicKey(x.relayStatic);
  const csPub = x25519.getPublicKey(x.clientStatic);
  const cePub = x25519.getPublicKey(x.clientEphemeral);
  const rePub = x25519.getPublicKey(x.relayEphemeral);
  const kem = ml_kem768.keygen(x.relayKemSeed);
  const kemId = sha256(kem.publicKey);
  const enc = ml_kem768.encapsulate(kem.publicKey, x.kemRandom);
  const version = x.smpMax; // both sides use the same range in the examples
  const relayHello = cat(Uint8Array.of(0), u16(version), kemId, kem.publicKey);
  const st = new Sym(`Noise_${ik ? "IK" : "XX"}_25519_ChaChaPoly_BLAKE2s`);
  st.mixHash(ascii("GRP/1"));
  const client: Uint8Array[] = [Uint8Array.of(1, x.pattern)];
  const relay: Uint8Array[] = [];
  if (ik) {
    st.mixHash(rsPub);
    st.mixHash(cePub);
    st.mixKey(x25519.getSharedSecret(x.clientEphemeral, rsPub)); // es
    const s = st.encryptAndHash(csPub);
    st.mixKey(x25519.getSharedSecret(x.clientStatic, rsPub)); // ss
    const p1 = st.encryptAndHash(padTo(cat(u16(x.smpMin), u16(x.smpMax), kemId, enc.cipherText), SIZE - 32 - 48 - 16));
    client.push(frame(cat(cePub, s, p1)));
    st.mixHash(rePub);
    st.mixKey(x25519.getSharedSecret(x.relayEphemeral, cePub)); // ee
    st.mixKey(x25519.getSharedSecret(x.relayEphemeral, csPub)); // se
    const p2 = st.encryptAndHash(padTo(relayHello, SIZE - 32 - 16));
    relay.push(frame(cat(rePub, p2)));
  } else {
    st.mixHash(cePub);
    const p1 = st.encryptAndHash(padTo(cat(u16(x.smpMin), u16(x.smpMax)), SIZE - 32));
    client.push(frame(cat(cePub, p1)));
    st.mixHash(rePub);
    st.mixKey(x25519.getSharedSecret(x.relayEphemeral, cePub)); // ee
    const s = st.encryptAndHash(rsPub);
    st.mixKey(x25519.getSharedSecret(x.relayStatic, cePub)); // es
    const p2 = st.encryptAndHash(padTo(relayHello, SIZE - 32 - 48 - 16));
    relay.push(frame(cat(rePub, s, p2)));
    const s3 = st.encryptAndHash(csPub);
    st.mixKey(x25519.getSharedSecret(x.clientStatic, rePub)); // se
    const p3 = st.encryptAndHash(padTo(cat(kemId, enc.cipherText), SIZE - 48 - 16));
    client.push(frame(cat(s3, p3)));
  }
  const ikm = cat(enc.sharedSecret, st.h);
  const c2s = hkdf(sha256, ikm, st.ck, ascii("GRP/1 c2s"), 32);
  const s2c = hkdf(sha256, ikm, st.ck, ascii("GRP/1 s2c"), 32);
  const block = new Uint8Array(16384).fill(x.blockFill);
  const n0 = zeros(12);
  return {
    clientHandshake: cat(...client),
    relayHandshake: cat(...relay),
    sessionId: st.h,
    chainingKey: st.ck,
    kemKeyId: kemId,
    kemCiphertext: enc.cipherText,
    mlkemSharedSecret: enc.sharedSecret,
    c2s,
    s2c,
    clientFrame: frame(chacha20poly1305(c2s, n0).encrypt(block)),
    relayFrame: frame(chacha20poly1305(s2c, n0).encrypt(block)),
    relayStaticPublic: rsPub,
  };
}
