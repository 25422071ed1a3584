/**
 * The conformance catalogue: named cases runnable against any SMP relay. Each names what
 * it checks (`ref`): the protocol version and the simplexmq source (the code is the
 * normative reference; docs/smp.md lists where it differs from the prose spec).
 */
import { fromBase64 } from "../../firmware/port/base64";
import type { Bytes } from "../../firmware/port/bytes";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import { encodeBlocks, SMP_BLOCK_SIZE } from "../../firmware/transport/smp/block";
import { Command } from "../../firmware/transport/smp/commands";
import { cbKey } from "../../firmware/transport/smp/crypto-box";
import { decodeSpki, PublicKey } from "../../firmware/transport/smp/keys";
import { decryptRcvMsg, RCV_MSG_PADDED_LEN, RcvMsgBody } from "../../firmware/transport/smp/msg-body";
import { pad } from "../../firmware/transport/smp/pad";
import { checkChain, parseSignedObject, verifySignedBy } from "../../firmware/transport/smp/x509";
import { nodeSignatureVerifier } from "../../firmware/transport/smp/node/signature-verifier";
import { maxMessageLength, SMP_MAX_VERSION, SMP_MIN_VERSION } from "../../firmware/transport/smp/version";
import { parseServerAddress } from "../../firmware/transport/smp/server-address";
import { ConformanceTransport, Key, newKey, Reply, TestClient } from "./connection";
import { rawHandshake } from "./smp-transport";

export interface CaseContext {
  address: string;
  transport: ConformanceTransport;
  provider: CryptoProvider;
  /** a new connection, closed after the case */
  connect(opts?: { versions?: { min: number; max: number }; tlsVersion?: "TLSv1.2" | "TLSv1.3" }): Promise<TestClient>;
  /** give up looking for ERR QUOTA after this many messages */
  quotaLimit: number;
}

export interface ConformanceCase {
  id: string;
  title: string;
  /** what it checks: protocol version and the simplexmq source */
  ref: string;
  /** transports it applies to (default: all) */
  schemes?: string[];
  run(ctx: CaseContext): Promise<void>;
}

export class CaseFailure extends Error {}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new CaseFailure(msg);
}

function expectReply(r: Reply, text: string, what: string): void {
  check(r.text === text, `${what}: expected ${text}, got ${r.text}`);
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const same = (a: Bytes, b: Bytes) => Buffer.from(a as Uint8Array).equals(Buffer.from(b as Uint8Array));
const pub = (k: Key): PublicKey => ({ alg: k.alg, key: k.publicKey });
const SHORT = (b: Bytes) => Buffer.concat([Buffer.from([b.length]), Buffer.from(b as Uint8Array)]);

// tests/ServerTests.hs lines 1423-1429 (samplePubKey, sampleDhPubKey, sampleSig)
const SAMPLE_PUB_KEY = fromBase64("MCowBQYDK2VwAyEAfAOflyvbJv1fszgzkQ6buiZJVgSpQWsucXq7U6zjMgY=");
const SAMPLE_DH_KEY = fromBase64("MCowBQYDK2VuAyEAriy+HcARIhqsgSjVnjKqoft+y6pxrxdY68zn4+LjYhQ=");
const SAMPLE_SIG = fromBase64("e8JK+8V3fq6kOLqco/SaKlpNaQ7i1gfOrXoqekEl42u4mF8Bgu14T5j0189CGcUhJHw2RwCMvON+qbvQ9ecJAA==");

export interface TestQueue {
  rid: Bytes;
  sid: Bytes;
  rcvKey: Key;
  /** crypto_box key for MSG bodies */
  rcvDh: Bytes;
  sndSecure: boolean;
}

async function createQueue(c: TestClient, o: { alg?: Key["alg"]; sndSecure?: boolean; subscribe?: boolean } = {}): Promise<TestQueue> {
  const rcvKey = newKey(c.provider, o.alg ?? "ed25519");
  const dhSk = c.provider.randomBytes(32);
  const cmd: Command = {
    tag: "NEW", rcvAuthKey: pub(rcvKey), rcvDhKey: { alg: "x25519", key: c.provider.x25519PublicKey(dhSk) },
    basicAuth: undefined, subscribe: o.subscribe ?? true, sndSecure: o.sndSecure ?? false,
  };
  const r = await c.request({ command: cmd, key: rcvKey });
  check(r.msg.tag === "IDS", `NEW: expected IDS, got ${r.text}`);
  if (r.msg.tag !== "IDS") throw new Error();
  check(r.entityId.length === 0, "IDS must have an empty entity id");
  return { rid: r.msg.rcvId, sid: r.msg.sndId, rcvKey, rcvDh: cbKey(c.provider, r.msg.srvDhKey.key, dhSk), sndSecure: r.msg.sndSecure };
}

function decrypt(c: TestClient, q: TestQueue, r: Reply): { msgId: Bytes; body: RcvMsgBody } {
  check(r.msg.tag === "MSG", `expected MSG, got ${r.text}`);
  if (r.msg.tag !== "MSG") throw new Error();
  check(r.msg.encBody.length === RCV_MSG_PADDED_LEN + 16, `MSG body must be ${RCV_MSG_PADDED_LEN + 16} bytes, got ${r.msg.encBody.length}`);
  const d = decryptRcvMsg(c.provider, q.rcvDh, r.msg.msgId, r.msg.encBody);
  check(d.ok, "MSG body does not decrypt with nonce = msgId: " + (d.ok ? "" : d.error));
  if (!d.ok) throw new Error();
  return { msgId: r.msg.msgId, body: d.value };
}

function bodyText(b: RcvMsgBody): string {
  return b.quota ? "<QUOTA>" : Buffer.from(b.body as Uint8Array).toString("latin1");
}

const send = (c: TestClient, sid: Bytes, text: string | Bytes, key?: Key) =>
  c.request({ entityId: sid, key, command: { tag: "SEND", notification: false, body: typeof text === "string" ? enc(text) : text } });

const rcmd = (c: TestClient, q: TestQueue, command: Command, key: Key = q.rcvKey) => c.request({ entityId: q.rid, key, command });

async function secure(c: TestClient, q: TestQueue, alg: Key["alg"] = "ed25519"): Promise<Key> {
  const sk = newKey(c.provider, alg);
  expectReply(await rcmd(c, q, { tag: "KEY", key: pub(sk) }), "OK", "KEY");
  return sk;
}

const REF_SERVER = "simplexmq src/Simplex/Messaging/Server.hs";
const REF_TESTS = "simplexmq tests/ServerTests.hs";
const REF_TRANSPORT = "simplexmq src/Simplex/Messaging/Transport.hs";
const REF_PROTOCOL = "simplexmq src/Simplex/Messaging/Protocol.hs";

const cases: ConformanceCase[] = [];
const add = (c: ConformanceCase) => cases.push(c);

// ---------------------------------------------------------------- handshake
add({
  id: "handshake.tls13", title: "TLS 1.3 with ALPN smp/1: hello session id = tls-unique (32 bytes), version 7..9", ref: `v7 ${REF_TRANSPORT} smpClientHandshake`, schemes: ["smp"],
  async run(ctx) {
    const c = await ctx.connect({ tlsVersion: "TLSv1.3" });
    check(c.conn.sessionId.length === 32, `tls-unique under TLS 1.3 must be 32 bytes, got ${c.conn.sessionId.length}`);
    check(c.version >= SMP_MIN_VERSION && c.version <= SMP_MAX_VERSION, `negotiated v${c.version}`);
    expectReply(await c.request({ command: { tag: "PING" } }), "PONG", "PING");
  },
});
add({
  id: "handshake.tls12", title: "TLS 1.2 is accepted (tls-unique = 12-byte client Finished)", ref: `v7 ${REF_TRANSPORT} defaultSupportedParams`, schemes: ["smp"],
  async run(ctx) {
    const c = await ctx.connect({ tlsVersion: "TLSv1.2" });
    check(c.conn.sessionId.length === 12, `tls-unique under TLS 1.2 must be 12 bytes, got ${c.conn.sessionId.length}`);
    expectReply(await c.request({ command: { tag: "PING" } }), "PONG", "PING");
  },
});
add({
  id: "handshake.identity", title: "certificate chain of 2..4, identity cert hashes to the keyHash, X25519 session key signed by the leaf", ref: `v7 ${REF_TRANSPORT} CertChainPubKey, Transport/Shared.hs chainIdCaCerts`, schemes: ["smp"],
  async run(ctx) {
    const h = await rawHandshake(ctx.address);
    try {
      const a = parseServerAddress(ctx.address);
      if (!a.ok) throw new CaseFailure(a.error);
      const verify = nodeSignatureVerifier(ctx.provider);
      const chain = checkChain(verify, h.chain, Date.now() / 1000);
      check(chain.ok, "TLS certificate chain: " + (chain.ok ? "" : chain.error));
      if (!chain.ok) return;
      check(same(ctx.provider.sha256(chain.value.id.raw), a.value.keyHash), "SHA-256 of the identity certificate is not the address keyHash");
      check(same(h.hello.sessionId, h.tlsUnique), "server hello session id is not tls-unique");
      check(h.hello.certChain !== undefined && h.hello.signedKey !== undefined, "server hello has no certificate chain / signed key");
      const so = parseSignedObject(h.hello.signedKey!);
      check(so.ok && verifySignedBy(verify, so.value, chain.value.leaf.publicKey), "session key is not signed by the TLS leaf certificate");
      const k = so.ok ? decodeSpki(so.value.tbs) : undefined;
      check(k !== undefined && k.ok && k.value.alg === "x25519", "signed session key is not an X25519 SPKI");
    } finally {
      h.socket.destroy();
    }
  },
});
add({
  id: "handshake.version-negotiation", title: "a client offering only v7 (or only v8) gets that version", ref: `v7-9 ${REF_TRANSPORT} compatibleVRange`,
  async run(ctx) {
    for (const v of [7, 8]) {
      const c = await ctx.connect({ versions: { min: v, max: v } });
      check(c.version === v, `offered only v${v}, got v${c.version}`);
      expectReply(await c.request({ command: { tag: "PING" } }), "PONG", `PING at v${v}`);
    }
  },
});
add({
  id: "handshake.wrong-keyhash", title: "client hello with another keyHash: the relay closes the connection", ref: `v7 ${REF_TRANSPORT} smpServerHandshake (IDENTITY)`, schemes: ["smp"],
  async run(ctx) {
    const h = await rawHandshake(ctx.address);
    h.sendClientHello(Math.min(h.hello.versions.max, SMP_MAX_VERSION), new Uint8Array(32));
    check(await h.inbox.waitClosed(5000), "relay kept the connection open after a wrong keyHash");
  },
});
add({
  id: "handshake.unsupported-version", title: "client hello with a version outside the server range: connection closed", ref: `v7 ${REF_TRANSPORT} smpServerHandshake (VERSION)`, schemes: ["smp"],
  async run(ctx) {
    const h = await rawHandshake(ctx.address);
    const a = parseServerAddress(ctx.address);
    if (!a.ok) throw new CaseFailure(a.error);
    h.sendClientHello(h.hello.versions.max + 100, a.value.keyHash);
    check(await h.inbox.waitClosed(5000), "relay kept the connection open after an unsupported version");
  },
});

// ---------------------------------------------------------------- framing
add({
  id: "framing.blocks", title: "every reply is one 16,384-byte block padded with '#'", ref: `v7 ${REF_TRANSPORT} tPutBlock, Crypto.hs pad`,
  async run(ctx) {
    const c = await ctx.connect();
    c.send({ command: { tag: "PING" } });
    const b = await c.conn.nextBlock(5000);
    check(b !== undefined && b.length === SMP_BLOCK_SIZE, "reply is not a 16,384-byte block");
    const len = (b![0] << 8) | b![1];
    check(b![len + 2] === 0x23 && b![SMP_BLOCK_SIZE - 1] === 0x23, "padding is not '#'");
  },
});
add({
  id: "framing.batch", title: "several transmissions in one block are all answered", ref: `v4+ ${REF_PROTOCOL} batchTransmissions / tParse`,
  async run(ctx) {
    const c = await ctx.connect();
    const ids = c.send({ command: { tag: "PING" } }, { command: { tag: "PING" } }, { command: { tag: "PING" } });
    for (const id of ids) expectReply(await c.waitFor((r) => r.corrId === id, "PONG"), "PONG", "batched PING");
  },
});
add({
  id: "framing.garbage-block", title: "a garbage block gets ERR BLOCK (empty corrId) and the connection keeps working", ref: `v7 ${REF_PROTOCOL} tDecodeServer`,
  async run(ctx) {
    const c = await ctx.connect();
    c.conn.sendBlock(Buffer.alloc(SMP_BLOCK_SIZE, 0xff));
    const r = await c.waitFor((x) => x.corrId === "", "ERR BLOCK");
    expectReply(r, "ERR BLOCK", "garbage block");
    c.conn.sendBlock(pad(Uint8Array.of(0), SMP_BLOCK_SIZE));
    expectReply(await c.waitFor((x) => x.corrId === "", "ERR BLOCK"), "ERR BLOCK", "empty batch");
    c.conn.sendBlock(pad(Uint8Array.of(1, 0, 40, 0), SMP_BLOCK_SIZE));
    expectReply(await c.waitFor((x) => x.corrId === "", "ERR BLOCK"), "ERR BLOCK", "truncated Large");
    expectReply(await c.request({ command: { tag: "PING" } }), "PONG", "PING after garbage");
  },
});
add({
  id: "framing.bad-auth-length", title: "an auth field of a length no key produces gets ERR BLOCK with the corrId", ref: `v7 ${REF_PROTOCOL} decodeTAuthBytes`,
  async run(ctx) {
    const c = await ctx.connect();
    const r = await c.request({ command: { tag: "PING" }, auth: new Uint8Array(10) });
    expectReply(r, "ERR BLOCK", "10-byte auth");
  },
});
add({
  id: "framing.hostile-partial", title: "a partial block then disconnect, and a flood of junk, do not affect other connections", ref: "relay robustness (issue 3)",
  async run(ctx) {
    const other = await ctx.connect();
    const c1 = await ctx.connect();
    c1.conn.sendRaw(Buffer.alloc(5000, 0x41));
    c1.conn.close();
    const c2 = await ctx.connect();
    for (let i = 0; i < 4; i++) c2.conn.sendRaw(Buffer.alloc(SMP_BLOCK_SIZE, i * 37));
    expectReply(await other.request({ command: { tag: "PING" } }), "PONG", "PING on an unrelated connection");
    const c3 = await ctx.connect();
    expectReply(await c3.request({ command: { tag: "PING" } }), "PONG", "PING on a new connection");
  },
});

add({
  id: "framing.flood-without-reading", title: "a peer that floods commands and never reads does not starve other connections", ref: "relay robustness (issue 3)",
  async run(ctx) {
    const flood = await ctx.connect();
    const other = await ctx.connect();
    const ping = flood.transmission({ command: { tag: "PING" } });
    const block = encodeBlocks(Array.from({ length: 200 }, () => ping)).blocks[0];
    for (let i = 0; i < 1000; i++) flood.conn.sendBlock(block); // 200,000 PINGs, replies never read
    const t0 = Date.now();
    expectReply(await other.request({ command: { tag: "PING" } }, 10_000), "PONG", "PING on another connection during the flood");
    check(Date.now() - t0 < 10_000, "other connection starved");
  },
});

// ---------------------------------------------------------------- commands: success paths
add({
  id: "cmd.new", title: "NEW → IDS with 24-byte ids and the server's X25519 key; v9 echoes sndSecure", ref: `v9 ${REF_SERVER} createQueue`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c, { sndSecure: true });
    check(q.rid.length === 24 && q.sid.length === 24, "queue ids are not 24 bytes");
    check(!same(q.rid, q.sid), "recipient and sender ids are equal");
    if (c.version >= 9) check(q.sndSecure, "IDS does not confirm sndSecure at v9");
  },
});
add({
  id: "cmd.send-msg-ack", title: "unsigned SEND to a new queue is delivered as MSG (16,122-byte body, nonce = msgId); ACK → OK", ref: `v7 ${REF_TESTS} testCreateSecure`,
  async run(ctx) {
    const r = await ctx.connect();
    const s = await ctx.connect();
    const q = await createQueue(r);
    const ok = await send(s, q.sid, "hello");
    expectReply(ok, "OK", "SEND");
    check(same(ok.entityId, q.sid), "SEND reply entity is not the sender id");
    const m = decrypt(r, q, await r.event(q.rid, "MSG"));
    check(bodyText(m.body) === "hello", `delivered "${bodyText(m.body)}"`);
    expectReply(await rcmd(r, q, { tag: "ACK", msgId: m.msgId }), "OK", "ACK");
  },
});
add({
  id: "cmd.sub", title: "SUB → OK, with the pending message batched after it", ref: `v7 ${REF_SERVER} subscribeQueueAndDeliver`,
  async run(ctx) {
    const r = await ctx.connect();
    const q = await createQueue(r, { subscribe: false });
    expectReply(await send(r, q.sid, "waiting"), "OK", "SEND");
    check(await r.quiet(300), "MSG delivered although not subscribed");
    expectReply(await rcmd(r, q, { tag: "SUB" }), "OK", "SUB");
    check(bodyText(decrypt(r, q, await r.event(q.rid, "MSG")).body) === "waiting", "wrong message after SUB");
  },
});
add({
  id: "cmd.get", title: "GET returns the message with the GET's corrId, OK when empty", ref: `v7 ${REF_TESTS} testGetCommand`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c, { subscribe: false });
    expectReply(await send(c, q.sid, "hello"), "OK", "SEND");
    const m = decrypt(c, q, await rcmd(c, q, { tag: "GET" }));
    check(bodyText(m.body) === "hello", "GET returned another message");
    expectReply(await rcmd(c, q, { tag: "ACK", msgId: m.msgId }), "OK", "ACK after GET");
    expectReply(await rcmd(c, q, { tag: "GET" }), "OK", "GET on an empty queue");
  },
});
add({
  id: "cmd.key", title: "KEY secures the queue: signed SEND accepted, re-KEY with the same key OK, another key AUTH", ref: `v7 ${REF_TESTS} testCreateSecure`,
  async run(ctx) {
    const r = await ctx.connect();
    const q = await createQueue(r);
    const sk = await secure(r, q);
    expectReply(await rcmd(r, q, { tag: "KEY", key: pub(sk) }), "OK", "KEY with the same key");
    expectReply(await rcmd(r, q, { tag: "KEY", key: pub(newKey(ctx.provider, "ed25519")) }), "ERR AUTH", "KEY with a different key");
    expectReply(await send(r, q.sid, "signed", sk), "OK", "signed SEND");
    check(bodyText(decrypt(r, q, await r.event(q.rid, "MSG")).body) === "signed", "signed message not delivered");
  },
});
add({
  id: "cmd.skey", title: "SKEY: the sender secures a sndSecure queue (v9)", ref: `v9 ${REF_TESTS} testCreateSndSecure`,
  async run(ctx) {
    const c = await ctx.connect();
    if (c.version < 9) throw new CaseFailure("skipped: relay negotiated v" + c.version);
    const q = await createQueue(c, { sndSecure: true });
    const sk = newKey(ctx.provider, "ed25519");
    expectReply(await c.request({ entityId: q.sid, key: sk, command: { tag: "SKEY", key: pub(sk) } }), "OK", "SKEY");
    expectReply(await c.request({ entityId: q.sid, key: sk, command: { tag: "SKEY", key: pub(sk) } }), "OK", "repeated SKEY with the same key");
    expectReply(await send(c, q.sid, "x"), "ERR AUTH", "unsigned SEND after SKEY");
    expectReply(await send(c, q.sid, "x", sk), "OK", "signed SEND after SKEY");
    const other = newKey(ctx.provider, "ed25519");
    expectReply(await c.request({ entityId: q.sid, key: other, command: { tag: "SKEY", key: pub(other) } }), "ERR AUTH", "SKEY with another key");
  },
});
add({
  id: "cmd.skey-not-allowed", title: "SKEY on a queue created without sndSecure → AUTH", ref: `v9 ${REF_TESTS} testSndSecureProhibited`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c, { sndSecure: false });
    const sk = newKey(ctx.provider, "ed25519");
    expectReply(await c.request({ entityId: q.sid, key: sk, command: { tag: "SKEY", key: pub(sk) } }), "ERR AUTH", "SKEY");
  },
});
add({
  id: "cmd.off", title: "OFF suspends: SEND → AUTH, stored messages still readable", ref: `v7 ${REF_TESTS} testCreateDelete`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c, { subscribe: false });
    expectReply(await send(c, q.sid, "before"), "OK", "SEND");
    expectReply(await rcmd(c, q, { tag: "OFF" }), "OK", "OFF");
    expectReply(await send(c, q.sid, "after"), "ERR AUTH", "SEND after OFF");
    check(bodyText(decrypt(c, q, await rcmd(c, q, { tag: "GET" })).body) === "before", "message lost after OFF");
  },
});
add({
  id: "cmd.del", title: "DEL → OK; the queue is gone for both parties; another subscriber gets END (DELD from v10)", ref: `v7-9 ${REF_TESTS} testCreateDelete/testSwitchSub`,
  async run(ctx) {
    const a = await ctx.connect();
    const b = await ctx.connect();
    const q = await createQueue(a);
    expectReply(await send(b, q.sid, "m"), "OK", "SEND");
    await a.event(q.rid, "MSG");
    expectReply(await rcmd(b, q, { tag: "SUB" }), "OK", "SUB from the second connection");
    await a.event(q.rid, "END");
    expectReply(await rcmd(a, q, { tag: "DEL" }), "OK", "DEL");
    const ev = await b.waitFor((r) => r.corrId === "" && same(r.entityId, q.rid) && (r.msg.tag === "END" || r.msg.tag === "DELD"), "END/DELD after DEL");
    check(b.version >= 10 ? ev.msg.tag === "DELD" : ev.msg.tag === "END", `got ${ev.text} at v${b.version}`);
    expectReply(await send(b, q.sid, "x"), "ERR AUTH", "SEND after DEL");
    expectReply(await rcmd(a, q, { tag: "SUB" }), "ERR AUTH", "SUB after DEL");
  },
});
add({
  id: "cmd.ping", title: "PING → PONG with an empty entity", ref: `v7 ${REF_TESTS} serverSyntaxTests`,
  async run(ctx) {
    const c = await ctx.connect();
    const r = await c.request({ command: { tag: "PING" } });
    expectReply(r, "PONG", "PING");
    check(r.entityId.length === 0, "PONG has an entity id");
  },
});

// ---------------------------------------------------------------- authorization
add({
  id: "auth.recipient-commands", title: "SUB, KEY, ACK, GET, OFF, DEL with a wrong key, a sender's key, or no queue → AUTH", ref: `v7 ${REF_SERVER} verifyTransmission`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c, { subscribe: false });
    const wrong = newKey(ctx.provider, "ed25519");
    const cmds: Command[] = [{ tag: "SUB" }, { tag: "KEY", key: pub(wrong) }, { tag: "ACK", msgId: enc("1234") }, { tag: "GET" }, { tag: "OFF" }, { tag: "DEL" }];
    for (const cmd of cmds) {
      expectReply(await rcmd(c, q, cmd, wrong), "ERR AUTH", `${cmd.tag} with a wrong key`);
      expectReply(await c.request({ entityId: q.sid, key: q.rcvKey, command: cmd }), "ERR AUTH", `${cmd.tag} with the sender id`);
      expectReply(await c.request({ entityId: ctx.provider.randomBytes(24), key: q.rcvKey, command: cmd }), "ERR AUTH", `${cmd.tag} on a missing queue`);
    }
    expectReply(await rcmd(c, q, { tag: "GET" }), "OK", "the queue still works with the right key");
  },
});
add({
  id: "auth.new", title: "NEW signed by another key than the one it registers → AUTH", ref: `v7 ${REF_SERVER} verifyQueueTransmission (NEW)`,
  async run(ctx) {
    const c = await ctx.connect();
    const k = newKey(ctx.provider, "ed25519");
    const cmd: Command = { tag: "NEW", rcvAuthKey: pub(k), rcvDhKey: decodeKey(SAMPLE_DH_KEY), basicAuth: undefined, subscribe: true, sndSecure: false };
    expectReply(await c.request({ command: cmd, key: newKey(ctx.provider, "ed25519") }), "ERR AUTH", "NEW");
  },
});
add({
  id: "auth.send-after-secure", title: "after KEY: unsigned SEND → AUTH, SEND signed by another key → AUTH", ref: `v7 ${REF_TESTS} testCreateSecure`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c);
    await secure(c, q);
    expectReply(await send(c, q.sid, "x"), "ERR AUTH", "unsigned SEND");
    expectReply(await send(c, q.sid, "x", newKey(ctx.provider, "ed25519")), "ERR AUTH", "SEND with another key");
  },
});
add({
  id: "auth.send-signed-before-secure", title: "a signed SEND to a queue that is not secured → AUTH", ref: `v7 ${REF_TESTS} testCreateSecure ("rejects signed SEND")`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c);
    expectReply(await send(c, q.sid, "x", newKey(ctx.provider, "ed25519")), "ERR AUTH", "signed SEND");
  },
});
add({
  id: "auth.session-binding", title: "a signature over another session id → AUTH", ref: `v7 ${REF_PROTOCOL} encodeTransmissionForAuth (implied session id)`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c, { subscribe: false });
    expectReply(await c.request({ entityId: q.rid, key: q.rcvKey, command: { tag: "GET" }, sessionId: ctx.provider.randomBytes(c.conn.sessionId.length) }), "ERR AUTH", "GET signed for another session");
  },
});
add({
  id: "auth.x25519-authenticator", title: "X25519 recipient and sender keys authorize with 80-byte crypto_box authenticators", ref: `v7 ${REF_PROTOCOL} TAAuthenticator, Crypto.hs cbAuthenticate`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c, { alg: "x25519" });
    const sk = await secure(c, q, "x25519");
    expectReply(await send(c, q.sid, "authenticated", sk), "OK", "SEND with an authenticator");
    const m = decrypt(c, q, await c.event(q.rid, "MSG"));
    expectReply(await rcmd(c, q, { tag: "ACK", msgId: m.msgId }), "OK", "ACK with an authenticator");
  },
});
add({
  id: "auth.ed448", title: "Ed448 recipient and sender keys (114-byte signatures)", ref: `v7 ${REF_TESTS} testCreateSecure (C.SEd448)`,
  async run(ctx) {
    const c = await ctx.connect();
    const q = await createQueue(c, { alg: "ed448" });
    const sk = await secure(c, q, "ed448");
    expectReply(await send(c, q.sid, "ed448", sk), "OK", "SEND signed with Ed448");
    check(bodyText(decrypt(c, q, await c.event(q.rid, "MSG")).body) === "ed448", "message not delivered");
  },
});

// ---------------------------------------------------------------- delivery semantics
add({
  id: "delivery.fifo-one-in-flight", title: "messages come in order, one at a time: the next only after ACK (as the ACK's reply)", ref: `v7 ${REF_TESTS} testSwitchSub / testGetSubCommands`,
  async run(ctx) {
    const r = await ctx.connect();
    const s = await ctx.connect();
    const q = await createQueue(r);
    for (let i = 1; i <= 5; i++) expectReply(await send(s, q.sid, `m${i}`), "OK", `SEND m${i}`);
    let m = decrypt(r, q, await r.event(q.rid, "MSG"));
    check(bodyText(m.body) === "m1", "first delivered is not m1");
    check(await r.quiet(300), "a second message was delivered before ACK");
    for (let i = 2; i <= 5; i++) {
      const next = await rcmd(r, q, { tag: "ACK", msgId: m.msgId });
      m = decrypt(r, q, next);
      check(bodyText(m.body) === `m${i}`, `expected m${i}, got ${bodyText(m.body)}`);
    }
    expectReply(await rcmd(r, q, { tag: "ACK", msgId: m.msgId }), "OK", "last ACK");
  },
});
add({
  id: "delivery.ack-by-msgid", title: "ACK with a wrong msgId → NO_MSG and the message stays; ACK with nothing delivered → NO_MSG", ref: `v7 ${REF_TESTS} testGetSubCommands / testCreateSecure`,
  async run(ctx) {
    const r = await ctx.connect();
    const q = await createQueue(r);
    expectReply(await rcmd(r, q, { tag: "ACK", msgId: enc("nothing") }), "ERR NO_MSG", "ACK before any message");
    expectReply(await send(r, q.sid, "one"), "OK", "SEND");
    const m = decrypt(r, q, await r.event(q.rid, "MSG"));
    expectReply(await rcmd(r, q, { tag: "ACK", msgId: enc("1234") }), "ERR NO_MSG", "ACK with a wrong msgId");
    expectReply(await rcmd(r, q, { tag: "ACK", msgId: m.msgId }), "OK", "ACK with the right msgId");
    expectReply(await rcmd(r, q, { tag: "ACK", msgId: m.msgId }), "ERR NO_MSG", "second ACK");
  },
});
add({
  id: "delivery.resubscribe-redelivers", title: "SUB again on the same connection re-delivers the unacknowledged message", ref: `v7 ${REF_SERVER} subscribeQueueAndDeliver (duplicate SUB)`,
  async run(ctx) {
    const r = await ctx.connect();
    const q = await createQueue(r);
    expectReply(await send(r, q.sid, "again"), "OK", "SEND");
    const m1 = decrypt(r, q, await r.event(q.rid, "MSG"));
    expectReply(await rcmd(r, q, { tag: "SUB" }), "OK", "second SUB");
    const m2 = decrypt(r, q, await r.event(q.rid, "MSG"));
    check(same(m1.msgId, m2.msgId), "a different message was re-delivered");
  },
});
add({
  id: "delivery.takeover-end", title: "SUB from another connection takes over: the first gets END, its ACK → NO_MSG", ref: `v7 ${REF_TESTS} testSwitchSub`,
  async run(ctx) {
    const a = await ctx.connect();
    const b = await ctx.connect();
    const s = await ctx.connect();
    const q = await createQueue(a);
    expectReply(await send(s, q.sid, "t1"), "OK", "SEND");
    const m1 = decrypt(a, q, await a.event(q.rid, "MSG"));
    expectReply(await rcmd(b, q, { tag: "SUB" }), "OK", "SUB from b");
    const m1b = decrypt(b, q, await b.event(q.rid, "MSG"));
    check(same(m1.msgId, m1b.msgId), "unacknowledged message not delivered again to the new subscriber");
    await a.event(q.rid, "END");
    expectReply(await rcmd(a, q, { tag: "ACK", msgId: m1.msgId }), "ERR NO_MSG", "ACK from the displaced connection");
    expectReply(await rcmd(b, q, { tag: "ACK", msgId: m1.msgId }), "OK", "ACK from the new subscriber");
    expectReply(await send(s, q.sid, "t2"), "OK", "SEND");
    check(bodyText(decrypt(b, q, await b.event(q.rid, "MSG")).body) === "t2", "t2 not delivered to b");
    check(await a.quiet(200), "displaced connection still receives");
  },
});
add({
  id: "delivery.sub-get-prohibited", title: "SUB then GET, and GET then SUB, on one connection → CMD PROHIBITED", ref: `v7 ${REF_TESTS} testGetSubCommands`,
  async run(ctx) {
    const a = await ctx.connect();
    const b = await ctx.connect();
    const q = await createQueue(a);
    expectReply(await rcmd(a, q, { tag: "GET" }), "ERR CMD PROHIBITED", "GET on the subscribed connection");
    expectReply(await rcmd(b, q, { tag: "GET" }), "OK", "GET on another connection");
    expectReply(await rcmd(b, q, { tag: "SUB" }), "ERR CMD PROHIBITED", "SUB after GET");
  },
});
add({
  id: "delivery.quota", title: "SEND beyond the queue quota → ERR QUOTA; the recipient gets a QUOTA marker; space comes back after ACK", ref: `v7 ${REF_TESTS} testExceedQueueQuota`,
  async run(ctx) {
    const r = await ctx.connect();
    const s = await ctx.connect();
    const q = await createQueue(r, { subscribe: false });
    let sent = 0;
    for (; sent <= ctx.quotaLimit; sent++) {
      const x = await send(s, q.sid, `q${sent}`);
      if (x.text === "ERR QUOTA") break;
      expectReply(x, "OK", `SEND #${sent}`);
    }
    check(sent <= ctx.quotaLimit, `no ERR QUOTA after ${ctx.quotaLimit} messages (raise --quota-limit?)`);
    expectReply(await send(s, q.sid, "again"), "ERR QUOTA", "SEND while over quota");
    const got: string[] = [];
    let r1 = await rcmd(r, q, { tag: "SUB" });
    expectReply(r1, "OK", "SUB");
    r1 = await r.event(q.rid, "MSG");
    for (;;) {
      const m = decrypt(r, q, r1);
      got.push(bodyText(m.body));
      const next = await rcmd(r, q, { tag: "ACK", msgId: m.msgId });
      if (next.text === "OK") break;
      r1 = next;
    }
    check(got.length === sent + 1 && got[sent] === "<QUOTA>", `received ${got.length} messages ending with ${got[got.length - 1]}`);
    for (let i = 0; i < sent; i++) check(got[i] === `q${i}`, `message ${i} out of order`);
    expectReply(await send(s, q.sid, "room again"), "OK", "SEND after draining");
  },
});
add({
  id: "delivery.large-message", title: "a body of maxMessageLength is delivered intact; one byte more → ERR LARGE_MSG", ref: `v7-9 ${REF_PROTOCOL} maxMessageLength`,
  async run(ctx) {
    const r = await ctx.connect();
    const q = await createQueue(r);
    const max = maxMessageLength(r.version);
    const body = new Uint8Array(max).map((_, i) => 0x20 + (i % 90));
    expectReply(await send(r, q.sid, body), "OK", `SEND of ${max} bytes`);
    const m = decrypt(r, q, await r.event(q.rid, "MSG"));
    check(!m.body.quota && same(m.body.body, body), "large message altered");
    expectReply(await send(r, q.sid, new Uint8Array(max + 1)), "ERR LARGE_MSG", `SEND of ${max + 1} bytes`);
  },
});

function decodeKey(der: Bytes): PublicKey {
  const k = decodeSpki(der);
  if (!k.ok) throw new Error(k.error);
  return k.value;
}

// ---------------------------------------------------------------- the malformed-command table
// tests/ServerTests.hs serverSyntaxTests (lines 1444-1480): (auth, corrId, entityId, command) → (corrId, entityId, reply).
// NEW rows use the negotiated version's NEW encoding of the same fields.
type Row = [string, "sig" | "", string, string, (v: number) => Bytes, string];
const cmdBytes = (s: string) => () => enc(s);
const validNew = (v: number): Bytes =>
  Buffer.concat([enc("NEW "), SHORT(SAMPLE_PUB_KEY), SHORT(SAMPLE_DH_KEY), v >= 9 ? enc("0ST") : enc("S")]);
const ROWS: Row[] = [
  ["unknown command", "", "abcd", "1234", cmdBytes("HELLO"), "ERR CMD UNKNOWN"],
  ["NEW no parameters", "sig", "bcda", "", cmdBytes("NEW"), "ERR CMD SYNTAX"],
  ["NEW many parameters", "sig", "cdab", "", () => Buffer.concat([enc("NEW \x01A"), SHORT(SAMPLE_PUB_KEY), SHORT(SAMPLE_DH_KEY)]), "ERR CMD SYNTAX"],
  ["NEW no signature", "", "dabc", "", validNew, "ERR CMD NO_AUTH"],
  ["NEW queue ID", "sig", "abcd", "12345678", validNew, "ERR CMD HAS_AUTH"],
  ["KEY valid syntax", "sig", "bcda", "12345678", () => Buffer.concat([enc("KEY "), SHORT(SAMPLE_PUB_KEY)]), "ERR AUTH"],
  ["KEY no parameters", "sig", "cdab", "12345678", cmdBytes("KEY"), "ERR CMD SYNTAX"],
  ["KEY many parameters", "sig", "dabc", "12345678", () => Buffer.concat([enc("KEY \x01A"), SHORT(SAMPLE_PUB_KEY)]), "ERR CMD SYNTAX"],
  ["KEY no signature", "", "abcd", "12345678", () => Buffer.concat([enc("KEY "), SHORT(SAMPLE_PUB_KEY)]), "ERR CMD NO_AUTH"],
  ["KEY no queue ID", "sig", "bcda", "", () => Buffer.concat([enc("KEY "), SHORT(SAMPLE_PUB_KEY)]), "ERR CMD NO_AUTH"],
  ...(["SUB", "OFF", "DEL"] as const).flatMap((c): Row[] => [
    [`${c} valid syntax`, "sig", "abcd", "12345678", cmdBytes(c), "ERR AUTH"],
    [`${c} wrong terminator`, "sig", "bcda", "12345678", cmdBytes(c + "="), "ERR CMD UNKNOWN"],
    [`${c} no signature`, "", "cdab", "12345678", cmdBytes(c), "ERR CMD NO_AUTH"],
    [`${c} no queue ID`, "sig", "dabc", "", cmdBytes(c), "ERR CMD NO_AUTH"],
  ]),
  ["SEND valid syntax", "sig", "cdab", "12345678", cmdBytes("SEND F hello"), "ERR AUTH"],
  ["SEND no parameters", "sig", "abcd", "12345678", cmdBytes("SEND"), "ERR CMD SYNTAX"],
  ["SEND no queue ID", "sig", "bcda", "", cmdBytes("SEND F hello"), "ERR CMD NO_ENTITY"],
  ["ACK valid syntax", "sig", "cdab", "12345678", cmdBytes("ACK \x041234"), "ERR AUTH"],
  ["ACK no parameters", "sig", "abcd", "12345678", cmdBytes("ACK"), "ERR CMD SYNTAX"],
  ["ACK no queue ID", "sig", "bcda", "", cmdBytes("ACK \x041234"), "ERR CMD NO_AUTH"],
  ["ACK no signature", "", "cdab", "12345678", cmdBytes("ACK \x041234"), "ERR CMD NO_AUTH"],
  ["PING valid syntax", "", "abcd", "", cmdBytes("PING"), "PONG"],
  ["broker response OK not allowed", "sig", "bcda", "12345678", cmdBytes("OK"), "ERR CMD UNKNOWN"],
];
for (const [name, auth, corrId, entityId, cmd, expected] of ROWS) {
  add({
    id: "syntax." + name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    title: `${name}: (${auth || "no auth"}, "${corrId}", "${entityId}") → ${expected}`,
    ref: `v7-9 ${REF_TESTS} serverSyntaxTests`,
    async run(ctx) {
      const c = await ctx.connect();
      const r = await c.request({ corrId: enc(corrId), entityId: enc(entityId), command: cmd(c.version), auth: auth === "sig" ? SAMPLE_SIG : new Uint8Array(0) });
      expectReply(r, expected, name);
      check(Buffer.from(r.entityId as Uint8Array).toString("latin1") === entityId, `reply entity "${Buffer.from(r.entityId as Uint8Array).toString("latin1")}", expected "${entityId}"`);
    },
  });
}

export const CATALOGUE: readonly ConformanceCase[] = cases;
