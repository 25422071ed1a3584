/**
 * GRP/1 conformance cases (docs/grp.md §2-§10): handshake and transport behaviour a GRP
 * relay must show, checked from the wire. They run for grp:// addresses only; the
 * transport-neutral queue cases of the main catalogue run over GRP as well.
 */
import type { CryptoProvider } from "../../../firmware/crypto/provider";
import type { Bytes } from "../../../firmware/port/bytes";
import { encodeBlocks } from "../../../firmware/transport/smp/block";
import { GrpClientSession, type RelayKemKeyInfo } from "../../../firmware/transport/grp/client-session";
import { EVENT_CLOSED, EVENT_OPEN } from "../../../firmware/transport/grp/connection";
import { FRAME_LENGTH_SIZE, GRP_HEADER_SIZE, HANDSHAKE_MESSAGE_SIZE, TRANSPORT_FRAME_SIZE } from "../../../firmware/transport/grp/constants";
import { connectGrp } from "../../../firmware/transport/grp/node/grp-connection";
import { parseGrpUri } from "../../../firmware/transport/grp/uri";
import { CaseFailure, type CaseContext, type ConformanceCase } from "../cases";
import { TestClient } from "../connection";
import { GrpTransport, grpSessionConnection, rawTcp, type RawTcp } from "./grp-transport";

const REF = "docs/grp.md";
const HANDSHAKE_FRAME = FRAME_LENGTH_SIZE + HANDSHAKE_MESSAGE_SIZE;

function check(cond: boolean, msg: string): void {
  if (!cond) throw new CaseFailure(msg);
}

function grpTransport(ctx: CaseContext): GrpTransport {
  check(ctx.transport instanceof GrpTransport, "GRP cases need the grp:// transport");
  return ctx.transport as GrpTransport;
}

/** The relay's current ML-KEM key, learned by a first-contact (XX) connection. */
async function relayKemKey(ctx: CaseContext): Promise<RelayKemKeyInfo> {
  const t = grpTransport(ctx);
  const a = parseGrpUri(ctx.address);
  const s = await connectGrp(ctx.address, { provider: ctx.provider, kemKeyCache: new Map() });
  const key = s.conn.relayKemKey();
  s.close();
  check(key !== undefined, "no ML-KEM key learned from the relay hello");
  t.kemKeyCache.set(Buffer.from(a.relayStaticKey as Uint8Array).toString("hex"), key!);
  return key!;
}

interface Driven {
  conn: GrpClientSession;
  tcp: RawTcp;
  /** bytes the relay sent */
  fromRelay: Buffer[];
  events: { kind: string; reason: string; block: Bytes | undefined }[];
  /** everything our side wrote so far */
  written: Buffer[];
}

/** A GRP client session driven over a bare TCP connection, so cases can see and alter bytes. */
async function driven(
  ctx: CaseContext,
  o: { cached?: RelayKemKeyInfo; relayStaticKey?: Bytes; smpMin?: number; smpMax?: number; autoFlush?: boolean } = {},
): Promise<Driven> {
  const a = parseGrpUri(ctx.address);
  const tcp = await rawTcp(ctx.address);
  const conn = new GrpClientSession(
    ctx.provider,
    {
      relayStaticKey: o.relayStaticKey ?? a.relayStaticKey,
      pinnedKemKeyId: undefined,
      cachedKemKey: o.cached,
      clientStatic: undefined,
      smpMin: o.smpMin ?? 7,
      smpMax: o.smpMax ?? 9,
      handshakeTimeoutMs: 10_000,
      random: undefined,
    },
    Date.now(),
  );
  const d: Driven = { conn, tcp, fromRelay: [], events: [], written: [] };
  const flush = () => {
    const out = conn.takeOutput();
    if (out.length > 0) {
      d.written.push(Buffer.from(out as Uint8Array));
      tcp.write(out);
    }
    for (const e of conn.takeEvents()) d.events.push(e);
  };
  tcp.socket.on("data", (chunk: Buffer) => {
    d.fromRelay.push(chunk);
    conn.receive(new Uint8Array(chunk), Date.now());
    flush();
  });
  conn.start();
  flush();
  return d;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

const opened = (d: Driven) => d.events.some((e) => e.kind === EVENT_OPEN);
const closedEvent = (d: Driven) => d.events.find((e) => e.kind === EVENT_CLOSED);
const relayBytes = (d: Driven) => Buffer.concat(d.fromRelay).length;

async function expectSilentClose(tcp: RawTcp, ms: number, what: string): Promise<void> {
  check(await tcp.waitClosed(ms), `${what}: the relay did not close the connection within ${ms} ms`);
  check(tcp.received().length === 0, `${what}: the relay answered ${tcp.received().length} bytes before closing`);
}

function pingBlock(provider: CryptoProvider, conn: ReturnType<typeof grpSessionConnection>): Bytes {
  const t = new TestClient(conn, provider);
  return encodeBlocks([t.transmission({ command: { tag: "PING" } })]).blocks[0];
}

const cases: ConformanceCase[] = [];
const add = (c: ConformanceCase) => cases.push({ ...c, schemes: ["grp"] });

add({
  id: "grp.handshake.xx-first-contact", title: "XX: relay hello 1,400 bytes with its static key (= URI) and an ML-KEM key whose id matches; session opens", ref: `${REF} §3-§5`,
  async run(ctx) {
    const d = await driven(ctx);
    check(await until(() => opened(d) || closedEvent(d) !== undefined, 10_000), "XX handshake did not finish");
    check(opened(d), `XX handshake failed: ${closedEvent(d)?.reason}`);
    check(relayBytes(d) === HANDSHAKE_FRAME, `relay sent ${relayBytes(d)} handshake bytes, expected one ${HANDSHAKE_FRAME}-byte frame`);
    check(d.written.reduce((n, b) => n + b.length, 0) === GRP_HEADER_SIZE + 2 * HANDSHAKE_FRAME, "client bytes");
    const a = parseGrpUri(ctx.address);
    if (a.kemKeyId) check(Buffer.from(d.conn.relayKemKey()!.id as Uint8Array).equals(Buffer.from(a.kemKeyId as Uint8Array)), "relay hello KEM key id differs from the URI's");
    d.tcp.close();
  },
});

add({
  id: "grp.handshake.ik", title: "IK with the learned ML-KEM key: one round trip, 32-byte session id, PING → PONG", ref: `${REF} §3-§7`,
  async run(ctx) {
    const key = await relayKemKey(ctx);
    const s = await connectGrp(ctx.address, { provider: ctx.provider, kemKeyCache: grpTransport(ctx).kemKeyCache });
    check(s.pattern === "IK", `expected IK, used ${s.pattern}`);
    check(s.sessionId.length === 32, "session id must be the 32-byte handshake hash");
    check(Buffer.from(s.conn.relayKemKey()!.id as Uint8Array).equals(Buffer.from(key.id as Uint8Array)), "relay changed its ML-KEM key between two connections");
    const conn = grpSessionConnection(s);
    const r = await new TestClient(conn, ctx.provider).request({ command: { tag: "PING" } });
    check(r.text === "PONG", `PING over IK: got ${r.text}`);
    conn.close();
  },
});

add({
  id: "grp.handshake.wrong-static-key-ik", title: "IK to another static key than the relay's: the relay closes without answering", ref: `${REF} §10`,
  async run(ctx) {
    const key = await relayKemKey(ctx);
    const d = await driven(ctx, { cached: key, relayStaticKey: ctx.provider.x25519PublicKey(ctx.provider.randomBytes(32)) });
    await expectSilentClose(d.tcp, 5000, "IK with a wrong relay key");
  },
});

add({
  id: "grp.handshake.wrong-static-key-xx", title: "XX: the relay's static key in message 2 is the URI's (a client expecting another key detects it)", ref: `${REF} §3, §10`,
  async run(ctx) {
    const d = await driven(ctx, { relayStaticKey: ctx.provider.x25519PublicKey(ctx.provider.randomBytes(32)) });
    check(await until(() => closedEvent(d) !== undefined || opened(d), 10_000), "no relay hello");
    check(!opened(d), "a client expecting another relay key must not open");
    check(closedEvent(d)!.reason === "grp: relay static key does not match the address", `client closed for: ${closedEvent(d)!.reason}`);
    d.tcp.close();
  },
});

for (const [id, header, what] of [
  ["grp.handshake.unknown-version", [0x02, 0x01], "version byte 2"],
  ["grp.handshake.unknown-pattern", [0x01, 0x07], "pattern byte 7"],
] as const) {
  add({
    id, title: `connection header with ${what}: closed without an answer`, ref: `${REF} §2, §10`,
    async run(ctx) {
      const tcp = await rawTcp(ctx.address);
      tcp.write(Uint8Array.from(header));
      await expectSilentClose(tcp, 5000, what);
    },
  });
}

for (const [id, len, what] of [
  ["grp.handshake.oversized", HANDSHAKE_MESSAGE_SIZE + 1, "oversized"],
  ["grp.handshake.undersized", HANDSHAKE_MESSAGE_SIZE - 1, "undersized"],
  ["grp.handshake.huge-length", 0xffff, "maximal length field"],
] as const) {
  add({
    id, title: `${what} handshake frame (length ${len}): closed at once without an answer`, ref: `${REF} §2, §10`,
    async run(ctx) {
      const tcp = await rawTcp(ctx.address);
      tcp.write(Uint8Array.of(0x01, 0x02, len >> 8, len & 0xff));
      await expectSilentClose(tcp, 3000, `${what} frame`);
    },
  });
}

add({
  id: "grp.handshake.truncated", title: "a handshake frame cut short: the relay waits, then closes at its handshake timeout", ref: `${REF} §8, §10`,
  async run(ctx) {
    const d = await driven(ctx);
    void d;
    const tcp = await rawTcp(ctx.address);
    const full = Buffer.concat(d.written);
    d.tcp.close();
    tcp.write(new Uint8Array(full.subarray(0, GRP_HEADER_SIZE + 700)));
    await expectSilentClose(tcp, grpTransport(ctx).handshakeTimeoutWaitMs, "truncated handshake");
  },
});

add({
  id: "grp.handshake.timeout", title: "a client that sends nothing is closed at the handshake timeout", ref: `${REF} §8`,
  async run(ctx) {
    const tcp = await rawTcp(ctx.address);
    await expectSilentClose(tcp, grpTransport(ctx).handshakeTimeoutWaitMs, "idle connection");
  },
});

add({
  id: "grp.handshake.replayed", title: "a replayed IK message 1 yields no usable session: no frame is ever accepted on it", ref: `${REF} §8`,
  async run(ctx) {
    const key = await relayKemKey(ctx);
    const d = await driven(ctx, { cached: key });
    check(await until(() => opened(d), 10_000), "original IK handshake did not open");
    const recorded = Buffer.concat(d.written);
    const tcp = await rawTcp(ctx.address);
    tcp.write(new Uint8Array(recorded));
    // Either the relay refuses the replay at once, or it answers and then rejects our frame.
    const answered = await tcp.waitBytes(HANDSHAKE_FRAME, 3000);
    if (answered) {
      tcp.write(Uint8Array.of(TRANSPORT_FRAME_SIZE >> 8, TRANSPORT_FRAME_SIZE & 0xff, ...new Uint8Array(TRANSPORT_FRAME_SIZE)));
      check(await tcp.waitClosed(5000), "the relay kept a replayed session open after a frame it cannot authenticate");
      check(tcp.received().length === HANDSHAKE_FRAME, "the relay sent transport data on a replayed session");
    } else {
      check(await tcp.waitClosed(5000), "the relay neither answered nor closed the replayed handshake");
    }
    d.tcp.close();
  },
});

add({
  id: "grp.transport.tampered-frame", title: "a transport frame with one bit flipped: the relay closes, nothing is answered", ref: `${REF} §7, §10`,
  async run(ctx) {
    const s = await connectGrp(ctx.address, { provider: ctx.provider, kemKeyCache: grpTransport(ctx).kemKeyCache });
    const conn = grpSessionConnection(s);
    s.conn.sendBlock(pingBlock(ctx.provider, conn));
    const frame = s.conn.takeOutput() as Uint8Array;
    frame[FRAME_LENGTH_SIZE + 5] ^= 0x01;
    conn.sendRaw(frame);
    check(await conn.waitClosed(5000), "the relay did not close after a tampered frame");
    check((await conn.nextBlock(100)) === undefined, "the relay answered a tampered frame");
  },
});

add({
  id: "grp.transport.nonce-reuse", title: "a frame sent twice, or a new frame under a used nonce: the relay closes", ref: `${REF} §7, §10`,
  async run(ctx) {
    for (const variant of ["same frame again", "new frame, reused nonce"]) {
      const s = await connectGrp(ctx.address, { provider: ctx.provider, kemKeyCache: grpTransport(ctx).kemKeyCache });
      const conn = grpSessionConnection(s);
      const t = new TestClient(conn, ctx.provider);
      s.conn.sendBlock(pingBlock(ctx.provider, conn));
      const first = s.conn.takeOutput();
      conn.sendRaw(first);
      const pong = await t.waitFor((r) => r.text === "PONG", "PONG to the first frame");
      check(pong.text === "PONG", "first frame not answered");
      if (variant === "same frame again") {
        conn.sendRaw(first);
      } else {
        s.conn.sendingCipher()!.setCount(0, 0);
        s.conn.sendBlock(pingBlock(ctx.provider, conn));
        conn.sendRaw(s.conn.takeOutput());
      }
      check(await conn.waitClosed(5000), `${variant}: the relay did not close`);
      check((await conn.nextBlock(100)) === undefined, `${variant}: the relay answered`);
    }
  },
});

add({
  id: "grp.kem.unknown-key", title: "IK naming an unknown ML-KEM key id: relay hello status 1 with its current key, then close", ref: `${REF} §4-§5`,
  async run(ctx) {
    const key = await relayKemKey(ctx);
    const d = await driven(ctx, { cached: { id: ctx.provider.randomBytes(32), encapsulationKey: key.encapsulationKey } });
    check(await until(() => closedEvent(d) !== undefined, 10_000), "no answer");
    check(d.conn.wasKemKeyRejected(), `expected status 1 (unknown KEM key), client closed for: ${closedEvent(d)!.reason}`);
    check(Buffer.from(d.conn.relayKemKey()!.id as Uint8Array).equals(Buffer.from(key.id as Uint8Array)), "the relay hello must carry the current key");
    check(await d.tcp.waitClosed(5000), "the relay did not close after status 1");
  },
});

add({
  id: "grp.version.no-common", title: "client SMP range without overlap: relay hello status 2, then close", ref: `${REF} §4`,
  async run(ctx) {
    const d = await driven(ctx, { smpMin: 30, smpMax: 31 });
    check(await until(() => closedEvent(d) !== undefined, 10_000), "no answer");
    check(closedEvent(d)!.reason === "grp: no common SMP version", `client closed for: ${closedEvent(d)!.reason}`);
    check(await d.tcp.waitClosed(5000), "the relay did not close after status 2");
  },
});

export const GRP_CASES: readonly ConformanceCase[] = cases;
