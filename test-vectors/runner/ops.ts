/**
 * The vector ops: each names one primitive operation of the CryptoProvider interface,
 * takes named inputs and produces named outputs. docs/vectors.md lists them with their
 * input and output names; a vector file may use any op listed here.
 */
import { Bytes } from "../../firmware/port/bytes";
import { CryptoProvider } from "../../firmware/crypto/provider";
import { Params } from "./params";
import { semanticsOps } from "./semantics";
import { agentOps } from "./agent-ops";
import { TranscriptSide, runNoiseTranscript } from "../../firmware/transport/grp/noise/transcript";
import { toBinaryString } from "../../firmware/port/bytes";
import { runWorkedExample } from "../../firmware/transport/grp/worked-example";
import { deriveTransportKeys } from "../../firmware/transport/grp/hybrid";

export type Op = (p: CryptoProvider, i: Params, o: Params) => void;

function opened(o: Params, name: string, v: Bytes | undefined): void {
  o.setBool("ok", v !== undefined);
  if (v !== undefined) {
    o.setBytes(name, v);
  }
}

function x25519Iterate(p: CryptoProvider, i: Params, o: Params): void {
  // RFC 7748 §5.2: k, u = X25519(k, u), k.
  let k = i.bytes("k");
  let u = i.bytes("u");
  const n = i.number("iterations");
  for (let j = 0; j < n; j++) {
    const next = p.x25519(k, u);
    u = k;
    k = next;
  }
  o.setBytes("k", k);
}

function x448Iterate(p: CryptoProvider, i: Params, o: Params): void {
  // RFC 7748 §5.2, as for X25519.
  let k = i.bytes("k");
  let u = i.bytes("u");
  const n = i.number("iterations");
  for (let j = 0; j < n; j++) {
    const next = p.x448(k, u);
    u = k;
    k = next;
  }
  o.setBytes("k", k);
}

function boxKey(p: CryptoProvider, i: Params): Bytes {
  return p.boxBeforenm(i.bytes("publicKey"), i.bytes("secretKey"));
}

function optionalBytes(i: Params, name: string): Bytes | undefined {
  return i.has(name) ? i.bytes(name) : undefined;
}

function noiseSide(i: Params, prefix: string): TranscriptSide {
  return {
    prologue: i.bytes(prefix + "Prologue"),
    staticSecret: optionalBytes(i, prefix + "Static"),
    ephemeralSecret: i.bytes(prefix + "Ephemeral"),
    remoteStatic: optionalBytes(i, prefix + "RemoteStatic"),
  };
}

/** A whole Noise session (handshake then transport), payload0.. in, message0.. out. */
function noiseHandshake(p: CryptoProvider, i: Params, o: Params): void {
  const payloads: Bytes[] = [];
  while (i.has("payload" + payloads.length)) {
    payloads.push(i.bytes("payload" + payloads.length));
  }
  const name = toBinaryString(i.bytes("protocolName"));
  const r = runNoiseTranscript(p, name, noiseSide(i, "init"), noiseSide(i, "resp"), payloads);
  for (let k = 0; k < r.messages.length; k++) {
    o.setBytes("message" + k, r.messages[k]);
  }
  o.setBytes("handshakeHash", r.handshakeHash);
}

/** A whole GRP/1 connection from fixed keys and randomness (firmware/transport/grp/worked-example.ts). */
function grpHandshake(p: CryptoProvider, i: Params, o: Params): void {
  const r = runWorkedExample(p, {
    pattern: i.number("pattern"),
    relayStatic: i.bytes("relayStatic"),
    relayKemSeed: i.bytes("relayKemSeed"),
    relayEphemeral: i.bytes("relayEphemeral"),
    clientStatic: i.bytes("clientStatic"),
    clientEphemeral: i.bytes("clientEphemeral"),
    kemRandom: i.bytes("kemRandom"),
    smpMin: i.number("smpMin"),
    smpMax: i.number("smpMax"),
    blockFill: i.number("blockFill"),
  });
  o.setBytes("clientHandshake", r.clientHandshake);
  o.setBytes("relayHandshake", r.relayHandshake);
  o.setBytes("sessionId", r.sessionId);
  o.setNumber("smpVersion", r.smpVersion);
  o.setBytes("clientFrameSha256", p.sha256(r.clientFrame));
  o.setBytes("relayFrameSha256", p.sha256(r.relayFrame));
}

function grpTransportKeys(p: CryptoProvider, i: Params, o: Params): void {
  const k = deriveTransportKeys(p, i.bytes("mlkemSharedSecret"), i.bytes("handshakeHash"), i.bytes("chainingKey"));
  o.setBytes("c2s", k.c2s);
  o.setBytes("s2c", k.s2c);
}

export function cryptoOps(): Record<string, Op> {
  const t: Record<string, Op> = {};
  t["sha256"] = (p, i, o) => o.setBytes("digest", p.sha256(i.bytes("msg")));
  t["sha512"] = (p, i, o) => o.setBytes("digest", p.sha512(i.bytes("msg")));
  t["sha3_256"] = (p, i, o) => o.setBytes("digest", p.sha3_256(i.bytes("msg")));
  t["sha3_512"] = (p, i, o) => o.setBytes("digest", p.sha3_512(i.bytes("msg")));
  t["shake128"] = (p, i, o) => o.setBytes("digest", p.shake128(i.bytes("msg"), i.number("outLen")));
  t["shake256"] = (p, i, o) => o.setBytes("digest", p.shake256(i.bytes("msg"), i.number("outLen")));
  t["hmac_sha256"] = (p, i, o) => o.setBytes("mac", p.hmacSha256(i.bytes("key"), i.bytes("msg")));
  t["hmac_sha512"] = (p, i, o) => o.setBytes("mac", p.hmacSha512(i.bytes("key"), i.bytes("msg")));
  t["hkdf_sha256"] = (p, i, o) =>
    o.setBytes("okm", p.hkdfSha256(i.bytes("ikm"), i.bytes("salt"), i.bytes("info"), i.number("length")));
  t["hkdf_sha512"] = (p, i, o) =>
    o.setBytes("okm", p.hkdfSha512(i.bytes("ikm"), i.bytes("salt"), i.bytes("info"), i.number("length")));
  t["blake2s"] = (p, i, o) => o.setBytes("digest", p.blake2s(i.bytes("msg"), i.number("outLen"), i.bytes("key")));

  t["chacha20poly1305.seal"] = (p, i, o) =>
    o.setBytes("ciphertext", p.chacha20poly1305Seal(i.bytes("key"), i.bytes("nonce"), i.bytes("aad"), i.bytes("plaintext")));
  t["chacha20poly1305.open"] = (p, i, o) =>
    opened(o, "plaintext", p.chacha20poly1305Open(i.bytes("key"), i.bytes("nonce"), i.bytes("aad"), i.bytes("ciphertext")));
  t["secretbox.seal"] = (p, i, o) => o.setBytes("boxed", p.secretboxSeal(i.bytes("key"), i.bytes("nonce"), i.bytes("plaintext")));
  t["secretbox.open"] = (p, i, o) => opened(o, "plaintext", p.secretboxOpen(i.bytes("key"), i.bytes("nonce"), i.bytes("boxed")));
  t["hsalsa20"] = (p, i, o) => o.setBytes("output", p.hsalsa20(i.bytes("key"), i.bytes("input")));
  t["box.beforenm"] = (p, i, o) => o.setBytes("key", boxKey(p, i));
  t["box.seal"] = (p, i, o) => o.setBytes("boxed", p.secretboxSeal(boxKey(p, i), i.bytes("nonce"), i.bytes("plaintext")));
  t["box.open"] = (p, i, o) => opened(o, "plaintext", p.secretboxOpen(boxKey(p, i), i.bytes("nonce"), i.bytes("boxed")));
  t["aes256gcm.seal"] = (p, i, o) =>
    o.setBytes("ciphertext", p.aes256gcmSeal(i.bytes("key"), i.bytes("iv"), i.bytes("aad"), i.bytes("plaintext")));
  t["aes256gcm.open"] = (p, i, o) =>
    opened(o, "plaintext", p.aes256gcmOpen(i.bytes("key"), i.bytes("iv"), i.bytes("aad"), i.bytes("ciphertext")));

  t["x25519"] = (p, i, o) => o.setBytes("shared", p.x25519(i.bytes("scalar"), i.bytes("u")));
  t["x25519.publicKey"] = (p, i, o) => o.setBytes("publicKey", p.x25519PublicKey(i.bytes("secretKey")));
  t["x25519.iterate"] = x25519Iterate;
  t["ed25519.publicKey"] = (p, i, o) => o.setBytes("publicKey", p.ed25519PublicKey(i.bytes("seed")));
  t["ed25519.sign"] = (p, i, o) => o.setBytes("signature", p.ed25519Sign(i.bytes("seed"), i.bytes("msg")));
  t["ed25519.verify"] = (p, i, o) => o.setBool("valid", p.ed25519Verify(i.bytes("publicKey"), i.bytes("msg"), i.bytes("signature")));
  t["x448"] = (p, i, o) => o.setBytes("shared", p.x448(i.bytes("scalar"), i.bytes("u")));
  t["x448.publicKey"] = (p, i, o) => o.setBytes("publicKey", p.x448PublicKey(i.bytes("secretKey")));
  t["x448.iterate"] = x448Iterate;
  t["ed448.verify"] = (p, i, o) => o.setBool("valid", p.ed448Verify(i.bytes("publicKey"), i.bytes("msg"), i.bytes("signature")));

  t["mlkem768.keygen"] = (p, i, o) => {
    const kp = p.mlkem768Keygen(i.bytes("seed"));
    o.setBytes("publicKey", kp.publicKey);
    o.setBytes("secretKey", kp.secretKey);
  };
  t["mlkem768.encapsulate"] = (p, i, o) => {
    const r = p.mlkem768Encapsulate(i.bytes("publicKey"), i.bytes("m"));
    o.setBytes("ciphertext", r.ciphertext);
    o.setBytes("sharedSecret", r.sharedSecret);
  };
  t["mlkem768.decapsulate"] = (p, i, o) =>
    o.setBytes("sharedSecret", p.mlkem768Decapsulate(i.bytes("secretKey"), i.bytes("ciphertext")));

  t["noise.handshake"] = noiseHandshake;
  t["grp.handshake"] = grpHandshake;
  t["grp.transportKeys"] = grpTransportKeys;
  return t;
}

/** Every op: the crypto ops plus the target-semantics and agent ops. */
export function allOps(): Record<string, Op> {
  const t = cryptoOps();
  for (const table of [semanticsOps(), agentOps()]) {
    for (const name of table.names) {
      t[name] = table.ops[name];
    }
  }
  return t;
}
