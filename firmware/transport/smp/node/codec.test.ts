// Byte-exact tests of the SMP codec. Where a value comes from simplexmq, the comment names
// the file and line (simplexmq at tag 6.5.5.0, github.com/simplex-chat/simplexmq).
import { describe, expect, it } from "vitest";
import { ed448 } from "@noble/curves/ed448.js";
import { getProvider } from "../../../crypto/node/providers";
import { fromBase64 } from "../../../port/base64";
import { fromHex, toHex } from "../../../port/hex";
import { Bytes } from "../../../port/bytes";
import { SmpReader, SmpWriter, asciiBytes, bytesToAscii } from "../../../port/encoding";
import { pad, unpad } from "../pad";
import { decodeSpki, encodeSpki } from "../keys";
import { encodeCommand, parseCommand } from "../commands";
import { encodeBrokerMsg, parseBrokerMsg } from "../responses";
import { authKind, encodeAuthorized, encodeTransmission, parseTransmission, signedBytes } from "../transmission";
import { SMP_BLOCK_SIZE, encodeBlock, encodeBlocks, parseBlock } from "../block";
import { encodeClientHello, encodeServerHello, parseClientHello, parseServerHello } from "../handshake";
import { encodeQueueUri, encodeServerAddress, parseQueueUri, parseServerAddress } from "../server-address";
import { decryptRcvMsg, encryptRcvMsg, RCV_MSG_PADDED_LEN } from "../msg-body";
import { cbAuthenticate, cbKey, cbVerifyAuthenticator } from "../crypto-box";
import { openEnvelope, parseEnvelope, sealEnvelope } from "../client-envelope";
import { checkChain, parseCertificate } from "../x509";
import { errorText } from "../errors";
import { FIXTURE_CA_ED25519, FIXTURE_CA_ED448, FIXTURE_SERVER_ED25519, FIXTURE_SERVER_ED448, FIXTURE_TEST_KEY_HASH } from "./simplexmq-fixtures";
import { nodeSignatureVerifier } from "./signature-verifier";

const noble = getProvider("noble");
const a = (s: string) => asciiBytes(s);
const hex = (b: Bytes) => toHex(b);

// tests/ServerTests.hs lines 1423, 1426, 1429
const samplePubKey = fromBase64("MCowBQYDK2VwAyEAfAOflyvbJv1fszgzkQ6buiZJVgSpQWsucXq7U6zjMgY=");
const sampleDhPubKey = fromBase64("MCowBQYDK2VuAyEAriy+HcARIhqsgSjVnjKqoft+y6pxrxdY68zn4+LjYhQ=");
const sampleSig = fromBase64("e8JK+8V3fq6kOLqco/SaKlpNaQ7i1gfOrXoqekEl42u4mF8Bgu14T5j0189CGcUhJHw2RwCMvON+qbvQ9ecJAA==");

describe("encoding primitives (Encoding.hs)", () => {
  it("Int64: the EncodingTests.hs example is out of our 2^53 range and is rejected, not misread", () => {
    // tests/CoreTests/EncodingTests.hs line 34: 1234567890123456789 = "\17\34\16\244\125\233\129\21"
    const r = new SmpReader(new Uint8Array([17, 34, 16, 244, 125, 233, 129, 21]));
    r.int64();
    expect(r.failed).toBe("Int64 out of range");
  });
  it("SystemTime 2022-01-01T10:24:05Z = 1641032645 s as Int64 (EncodingTests.hs line 44)", () => {
    const b = new SmpWriter().int64(1641032645).finish();
    expect(hex(b)).toBe("0000000061d02bc5");
    expect(new SmpReader(b).int64()).toBe(1641032645);
  });
  it("shortString, Large, Bool, Maybe", () => {
    const w = new SmpWriter().short(a("abc")).large(a("xy")).bool(true).bool(false).byte(0x30).byte(0x31).short(a("k"));
    expect(hex(w.finish())).toBe("036162630002787954463031016b");
    const r = new SmpReader(w.finish());
    expect(bytesToAscii(r.short())).toBe("abc");
    expect(bytesToAscii(r.large())).toBe("xy");
    expect([r.bool(), r.bool(), r.maybeTag(), r.maybeTag()]).toEqual([true, false, false, true]);
    expect(bytesToAscii(r.short())).toBe("k");
    r.end();
    expect(r.failed).toBeUndefined();
  });
  it("readers fail softly on truncated input", () => {
    const r = new SmpReader(a("\x05ab"));
    expect(r.short().length).toBe(0);
    expect(r.failed).toBe("unexpected end of input");
    expect(() => new SmpWriter().short(new Uint8Array(256))).toThrow(/255/);
  });
  it("pad / unpad (Crypto.hs pad): Word16 length, message, '#' fill", () => {
    expect(hex(pad(a("hi"), 8))).toBe("0002686923232323");
    expect(() => pad(a("hello"), 6)).toThrow();
    const u = unpad(fromHex("0005616263"));
    expect(u.ok).toBe(false);
  });
});

describe("keys as X.509 SPKI", () => {
  it("decodes simplexmq's sample and dummy keys (ServerTests.hs 1423/1426, Server.hs 1341-1347)", () => {
    const ed = decodeSpki(samplePubKey);
    expect(ed.ok && ed.value.alg).toBe("ed25519");
    const x = decodeSpki(sampleDhPubKey);
    expect(x.ok && x.value.alg).toBe("x25519");
    const e448 = decodeSpki(fromBase64("MEMwBQYDK2VxAzoA6ibQc9XpkSLtwrf7PLvp81qW/etiumckVFImCMRdftcG/XopbOSaq9qyLhrgJWKOLyNrQPNVvpMA"));
    expect(e448.ok && e448.value.alg).toBe("ed448");
    expect(e448.ok && encodeSpki(e448.value).length).toBe(69);
    if (ed.ok) expect(hex(encodeSpki(ed.value))).toBe(hex(samplePubKey));
    expect(decodeSpki(a("garbage")).ok).toBe(false);
  });
});

describe("commands (Protocol.hs encodeProtocol / protocolP)", () => {
  const key = decodeSpki(samplePubKey);
  const dh = decodeSpki(sampleDhPubKey);
  if (!key.ok || !dh.ok) throw new Error("fixture keys");
  it("NEW v9 = 'NEW ' rKey dhKey Maybe(auth) mode sndSecure", () => {
    const b = encodeCommand(9, { tag: "NEW", rcvAuthKey: key.value, rcvDhKey: dh.value, basicAuth: undefined, subscribe: true, sndSecure: true });
    expect(hex(b)).toBe(hex(a("NEW ")) + "2c" + hex(samplePubKey) + "2c" + hex(sampleDhPubKey) + hex(a("0ST")));
    const p = parseCommand(9, b);
    expect(p.ok && p.command.tag).toBe("NEW");
  });
  it("NEW v7/v8 = 'NEW ' rKey dhKey ['A' auth] mode", () => {
    const b = encodeCommand(7, { tag: "NEW", rcvAuthKey: key.value, rcvDhKey: dh.value, basicAuth: a("pw"), subscribe: false, sndSecure: false });
    expect(hex(b).endsWith(hex(a("A")) + "02" + hex(a("pw")) + hex(a("C")))).toBe(true);
    const p = parseCommand(7, b);
    expect(p.ok && p.command.tag === "NEW" && bytesToAscii(p.command.basicAuth!)).toBe("pw");
  });
  it("SEND, ACK, KEY, simple commands", () => {
    expect(bytesToAscii(encodeCommand(9, { tag: "SEND", notification: false, body: a("hello") }))).toBe("SEND F hello");
    expect(hex(encodeCommand(9, { tag: "ACK", msgId: a("1234") }))).toBe(hex(a("ACK ")) + "04" + hex(a("1234")));
    expect(hex(encodeCommand(9, { tag: "KEY", key: key.value }))).toBe(hex(a("KEY ")) + "2c" + hex(samplePubKey));
    for (const t of ["SUB", "GET", "OFF", "DEL", "PING"] as const) expect(bytesToAscii(encodeCommand(9, { tag: t }))).toBe(t);
    const s = parseCommand(9, a("SEND Txyz body with spaces"));
    expect(s.ok && s.command.tag === "SEND" && [s.command.notification, bytesToAscii(s.command.body)]).toEqual([true, "body with spaces"]);
  });
  it("errors: unknown tag → CMD UNKNOWN, bad params → CMD SYNTAX (ServerTests.hs 1446-1480)", () => {
    const e = (s: string) => {
      const p = parseCommand(9, a(s));
      return p.ok ? "ok" : errorText(p.error);
    };
    expect(e("HELLO")).toBe("CMD UNKNOWN");
    expect(e("SUB=")).toBe("CMD UNKNOWN");
    expect(e("OK")).toBe("CMD UNKNOWN");
    expect(e("NEW")).toBe("CMD SYNTAX");
    expect(e("KEY")).toBe("CMD SYNTAX");
    expect(e("SEND")).toBe("CMD SYNTAX");
    expect(e("ACK")).toBe("CMD SYNTAX");
    expect(e("SUB ")).toBe("CMD SYNTAX");
    expect(e("KEY \x01A" + bytesToAscii(samplePubKey))).toBe("CMD SYNTAX");
  });
});

describe("broker messages", () => {
  it("IDS v9 carries sndSecure; v7 does not", () => {
    const dh = decodeSpki(sampleDhPubKey);
    if (!dh.ok) throw new Error();
    const m = { tag: "IDS" as const, rcvId: a("r"), sndId: a("s"), srvDhKey: dh.value, sndSecure: true };
    expect(hex(encodeBrokerMsg(9, m))).toBe(hex(a("IDS ")) + "0172" + "0173" + "2c" + hex(sampleDhPubKey) + hex(a("T")));
    expect(encodeBrokerMsg(7, m).length).toBe(encodeBrokerMsg(9, m).length - 1);
    const p = parseBrokerMsg(9, encodeBrokerMsg(9, m));
    expect(p.ok && p.msg.tag === "IDS" && p.msg.sndSecure).toBe(true);
  });
  it("ERR codes round-trip; DELD is END before v10", () => {
    for (const s of ["ERR AUTH", "ERR CMD PROHIBITED", "ERR QUOTA", "ERR NO_MSG", "ERR LARGE_MSG", "ERR BLOCK", "ERR SESSION", "ERR INTERNAL", "ERR EXPIRED", "ERR CMD NO_ENTITY"]) {
      const p = parseBrokerMsg(9, a(s));
      expect(p.ok && bytesToAscii(encodeBrokerMsg(9, p.msg))).toBe(s);
    }
    const old = parseBrokerMsg(9, a("ERR CMD NO_QUEUE"));
    expect(old.ok && old.msg.tag === "ERR" && old.msg.error.cmd).toBe("NO_ENTITY");
    expect(bytesToAscii(encodeBrokerMsg(9, { tag: "DELD" }))).toBe("END");
    expect(bytesToAscii(encodeBrokerMsg(10, { tag: "DELD" }))).toBe("DELD");
    expect(parseBrokerMsg(9, a("ERR NOPE")).ok).toBe(false);
  });
});

describe("transmissions and blocks", () => {
  it("transmission = auth ‖ corrId ‖ entityId ‖ command; signed = shortString(sessionId) ‖ the rest", () => {
    const authorized = encodeAuthorized(a("abcd"), a("12345678"), a("SUB"));
    const t = encodeTransmission(sampleSig, authorized);
    expect(hex(t)).toBe("40" + hex(sampleSig) + "04" + hex(a("abcd")) + "08" + hex(a("12345678")) + hex(a("SUB")));
    const p = parseTransmission(t);
    expect(p.ok && [bytesToAscii(p.value.corrId), bytesToAscii(p.value.entityId), bytesToAscii(p.value.command)]).toEqual(["abcd", "12345678", "SUB"]);
    expect(hex(signedBytes(a("sess"), authorized))).toBe("04" + hex(a("sess")) + hex(authorized));
    expect(authKind(sampleSig)).toBe("ed25519");
    expect(authKind(new Uint8Array(80))).toBe("x25519");
    expect(authKind(new Uint8Array(114))).toBe("ed448");
    expect(authKind(new Uint8Array(63))).toBeUndefined();
    expect(parseTransmission(a("\x00\x05ab")).ok).toBe(false);
  });
  it("block = pad(count ‖ Large(t)…, 16384), batches split when full", () => {
    const b = encodeBlock([a("one"), a("two")]);
    expect(b.length).toBe(SMP_BLOCK_SIZE);
    expect(hex((b as Uint8Array).subarray(0, 14))).toBe("000b02" + "0003" + hex(a("one")) + "0003" + hex(a("two")) + "23");
    const p = parseBlock(b);
    expect(p.ok && p.value.map(bytesToAscii)).toEqual(["one", "two"]);
    const big = new Uint8Array(9000);
    const r = encodeBlocks([big, big, a("x"), new Uint8Array(20000)]);
    expect(r.blocks.length).toBe(2);
    expect(r.tooLarge).toEqual([3]);
    expect(parseBlock(new Uint8Array(100)).ok).toBe(false);
    expect(parseBlock(pad(new Uint8Array([0]), SMP_BLOCK_SIZE)).ok).toBe(false);
    expect(parseBlock(pad(new Uint8Array([2, 0, 1, 0x41]), SMP_BLOCK_SIZE)).ok).toBe(false);
  });
});

describe("handshake messages (Transport.hs)", () => {
  it("server hello with chain and signed key, client hello with and without key", () => {
    const h = { versions: { min: 7, max: 9 }, sessionId: new Uint8Array(32).fill(7), certChain: [a("leaf"), a("id")], signedKey: a("sk") };
    const b = encodeServerHello(h);
    expect(hex(b)).toBe("00070009" + "20" + "07".repeat(32) + "02" + "0004" + hex(a("leaf")) + "0002" + hex(a("id")) + "0002" + hex(a("sk")));
    const p = parseServerHello(b);
    expect(p.ok && p.value.certChain!.map(bytesToAscii)).toEqual(["leaf", "id"]);
    const legacy = parseServerHello(encodeServerHello({ versions: { min: 6, max: 6 }, sessionId: a("s"), certChain: undefined, signedKey: undefined }));
    expect(legacy.ok && legacy.value.certChain).toBeUndefined();
    const dh = decodeSpki(sampleDhPubKey);
    if (!dh.ok) throw new Error();
    const c = encodeClientHello({ version: 9, keyHash: new Uint8Array(32), clientKey: dh.value });
    expect(hex(c)).toBe("0009" + "20" + "00".repeat(32) + "2c" + hex(sampleDhPubKey));
    const pc = parseClientHello(c);
    expect(pc.ok && pc.value.clientKey!.alg).toBe("x25519");
    const pn = parseClientHello(encodeClientHello({ version: 9, keyHash: new Uint8Array(32), clientKey: undefined }));
    expect(pn.ok && pn.value.clientKey).toBeUndefined();
  });
});

describe("certificates (simplexmq tests/fixtures)", () => {
  it("keyHash of tests/fixtures/ca.crt equals testKeyHash (tests/SMPClient.hs line 83)", () => {
    const ca = fromBase64(FIXTURE_CA_ED448);
    expect(Buffer.from(noble.sha256(ca)).toString("base64url") + "=").toBe(FIXTURE_TEST_KEY_HASH);
  });
  it("verifies the Ed448 and Ed25519 fixture chains [server, ca] and rejects a wrong anchor", () => {
    const now = Date.UTC(2026, 5, 1) / 1000;
    const v = nodeSignatureVerifier(noble);
    const c448 = checkChain(v, [fromBase64(FIXTURE_SERVER_ED448), fromBase64(FIXTURE_CA_ED448)], now);
    expect(c448.ok && c448.value.leaf.alg).toBe("ed448");
    const c255 = checkChain(v, [fromBase64(FIXTURE_SERVER_ED25519), fromBase64(FIXTURE_CA_ED25519)], now);
    expect(c255.ok && c255.value.leaf.publicKey.alg).toBe("ed25519");
    const bad = checkChain(v, [fromBase64(FIXTURE_SERVER_ED448), fromBase64(FIXTURE_CA_ED25519)], now);
    expect(bad.ok).toBe(false);
    expect(checkChain(v, [fromBase64(FIXTURE_CA_ED448)], now).ok).toBe(false);
    // the leaf is not a CA: it may not sign (a chain [ca, server] reversed fails on that first)
    const reversed = checkChain(v, [fromBase64(FIXTURE_CA_ED25519), fromBase64(FIXTURE_SERVER_ED25519)], now);
    expect(reversed.ok ? "" : reversed.error).toMatch(/not a CA/);
    expect(c255.ok && [c255.value.leaf.isCa, c255.value.id.isCa]).toEqual([false, true]);
    const cert = parseCertificate(fromBase64(FIXTURE_CA_ED25519));
    // ed25519/ca.crt validity: 2026-02-02T09:11:35Z .. 2126-01-09T09:11:35Z
    expect(cert.ok && [cert.value.notBefore, cert.value.notAfter]).toEqual([Date.UTC(2026, 1, 2, 9, 11, 35) / 1000, Date.UTC(2126, 0, 9, 9, 11, 35) / 1000]);
    expect(ed448).toBeDefined();
  });
});

describe("encryption layers", () => {
  const rcvSk = new Uint8Array(32).fill(1);
  const srvSk = new Uint8Array(32).fill(2);
  it("server→recipient MSG body is always 16,122 bytes and opens with nonce = msgId", () => {
    const kSrv = cbKey(noble, noble.x25519PublicKey(rcvSk), srvSk);
    const kRcv = cbKey(noble, noble.x25519PublicKey(srvSk), rcvSk);
    const enc = encryptRcvMsg(noble, kSrv, a("msgid"), { quota: false, ts: 1641032645, notification: true, body: a("hello") });
    expect(enc.length).toBe(RCV_MSG_PADDED_LEN + 16);
    const d = decryptRcvMsg(noble, kRcv, a("msgid"), enc);
    expect(d.ok && !d.value.quota && [d.value.ts, d.value.notification, bytesToAscii(d.value.body)]).toEqual([1641032645, true, "hello"]);
    const q = decryptRcvMsg(noble, kRcv, a("m2"), encryptRcvMsg(noble, kSrv, a("m2"), { quota: true, ts: 5 }));
    expect(q.ok && q.value.quota).toBe(true);
    expect(decryptRcvMsg(noble, kRcv, a("other"), enc).ok).toBe(false);
  });
  it("X25519 authenticator is 80 bytes and binds the corrId and the signed bytes", () => {
    const k1 = cbKey(noble, noble.x25519PublicKey(srvSk), rcvSk);
    const k2 = cbKey(noble, noble.x25519PublicKey(rcvSk), srvSk);
    const auth = cbAuthenticate(noble, k1, a("corr"), a("signed"));
    expect(auth.length).toBe(80);
    expect(cbVerifyAuthenticator(noble, k2, a("corr"), auth, a("signed"))).toBe(true);
    expect(cbVerifyAuthenticator(noble, k2, a("corx"), auth, a("signed"))).toBe(false);
    expect(cbVerifyAuthenticator(noble, k2, a("corr"), auth, a("signex"))).toBe(false);
  });
  it("client envelope: confirmation padded to 15,904, message to 16,000", () => {
    const k = cbKey(noble, noble.x25519PublicKey(rcvSk), srvSk);
    const dh = decodeSpki(sampleDhPubKey);
    if (!dh.ok) throw new Error();
    const env = sealEnvelope(noble, k, new Uint8Array(24), 4, dh.value, { senderKey: undefined, body: a("hi") });
    expect(env.length).toBe(2 + 1 + 45 + 24 + 15904 + 16);
    const p = parseEnvelope(env);
    if (!p.ok) throw new Error(p.error);
    const o = openEnvelope(noble, k, p.value);
    expect(o.ok && bytesToAscii(o.value.body)).toBe("hi");
    expect(sealEnvelope(noble, k, new Uint8Array(24), 4, undefined, { senderKey: undefined, body: a("hi") }).length).toBe(2 + 1 + 24 + 16000 + 16);
  });
});

describe("addresses and queue URIs", () => {
  it("server address round trip with default and explicit port", () => {
    const s = "smp://" + FIXTURE_TEST_KEY_HASH + "@smp.example.com,abc.onion:5224";
    const p = parseServerAddress(s);
    expect(p.ok && [p.value.hosts, p.value.port]).toEqual([["smp.example.com", "abc.onion"], 5224]);
    expect(p.ok && encodeServerAddress(p.value)).toBe(s);
    expect(parseServerAddress("smp://short@h").ok).toBe(false);
  });
  it("queue URI: /<senderId>#/?v=1-4&dh=<escaped>&q=m", () => {
    const dh = decodeSpki(sampleDhPubKey);
    const srv = parseServerAddress("smp://" + FIXTURE_TEST_KEY_HASH + "@localhost:5001");
    if (!dh.ok || !srv.ok) throw new Error();
    const u = encodeQueueUri({ server: srv.value, senderId: a("sender-id-123"), clientVersions: { min: 1, max: 4 }, dhPublicKey: dh.value, queueMode: "m" });
    expect(u).toBe("smp://" + FIXTURE_TEST_KEY_HASH + "@localhost:5001/c2VuZGVyLWlkLTEyMw%3D%3D".replace("%3D%3D", "==") + "#/?v=1-4&dh=MCowBQYDK2VuAyEAriy-HcARIhqsgSjVnjKqoft-y6pxrxdY68zn4-LjYhQ%3D&q=m");
    const p = parseQueueUri(u);
    expect(p.ok && [bytesToAscii(p.value.senderId), p.value.queueMode, p.value.clientVersions]).toEqual(["sender-id-123", "m", { min: 1, max: 4 }]);
    const legacy = parseQueueUri("smp://" + FIXTURE_TEST_KEY_HASH + "@h/YWJj#/?v=1-3&dh=MCowBQYDK2VuAyEAriy-HcARIhqsgSjVnjKqoft-y6pxrxdY68zn4-LjYhQ%3D&k=s");
    expect(legacy.ok && legacy.value.queueMode).toBe("m");
    expect(parseQueueUri("smp://" + FIXTURE_TEST_KEY_HASH + "@h/YWJj#/?v=1-3").ok).toBe(false);
  });
});

describe("malformed input never throws out of the codec", () => {
  it("random and truncated inputs give typed errors", () => {
    const parsers: ((b: Uint8Array) => unknown)[] = [
      (b) => parseCommand(9, b), (b) => parseCommand(7, b), (b) => parseBrokerMsg(9, b), (b) => parseTransmission(b),
      (b) => parseBlock(b), (b) => parseServerHello(b), (b) => parseClientHello(b), (b) => decodeSpki(b),
      (b) => parseCertificate(b), (b) => parseEnvelope(b), (b) => unpad(b),
      (b) => decryptRcvMsg(noble, new Uint8Array(32), new Uint8Array(24), b),
      (b) => parseQueueUri(Buffer.from(b).toString("latin1")), (b) => parseServerAddress(Buffer.from(b).toString("latin1")),
    ];
    const valid = [
      encodeCommand(9, { tag: "SEND", notification: false, body: a("hello") }),
      encodeServerHello({ versions: { min: 7, max: 9 }, sessionId: new Uint8Array(32), certChain: [fromBase64(FIXTURE_SERVER_ED25519), fromBase64(FIXTURE_CA_ED25519)], signedKey: a("k") }),
      fromBase64(FIXTURE_CA_ED448),
      a("smp://" + FIXTURE_TEST_KEY_HASH + "@h/YWJj#/?v=1-3&dh=MCowBQYDK2VuAyEAriy-HcARIhqsgSjVnjKqoft-y6pxrxdY68zn4-LjYhQ%3D"),
    ];
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    const inputs: Uint8Array[] = [new Uint8Array(0), new Uint8Array(SMP_BLOCK_SIZE).fill(0xff)];
    for (let i = 0; i < 200; i++) inputs.push(Uint8Array.from({ length: rnd() % 120 }, rnd));
    for (const v of valid) {
      for (let cut = 0; cut < v.length; cut += Math.max(1, Math.floor(v.length / 40))) inputs.push((v as Uint8Array).slice(0, cut));
      for (let i = 0; i < 40; i++) {
        const m = (v as Uint8Array).slice();
        m[rnd() % m.length] = rnd();
        inputs.push(m);
      }
    }
    for (const p of parsers) for (const inp of inputs) expect(() => p(inp)).not.toThrow();
  });
});
