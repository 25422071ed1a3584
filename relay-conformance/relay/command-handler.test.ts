// The command handler without any transport (sans-I/O): TTL expiry with a fake clock,
// and the SmpServer's handshake and idle timeouts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import type { Bytes } from "../../firmware/port/bytes";
import { encodeBlocks, parseBlock } from "../../firmware/transport/smp/block";
import { Command, encodeCommand } from "../../firmware/transport/smp/commands";
import { BrokerMsg, parseBrokerMsg } from "../../firmware/transport/smp/responses";
import { encodeAuthorized, encodeTransmission, parseTransmission, signedBytes } from "../../firmware/transport/smp/transmission";
import { connectSmp } from "../../firmware/transport/smp/node/smp-connection";
import { CommandHandler } from "./command-handler";
import { loadOrCreateIdentity } from "./certificates";
import { MemoryQueueStore } from "./memory-queue-store";
import { SmpServer } from "./smp-server";

const p = getProvider("noble");
const SESSION = new Uint8Array(32).fill(9);

function harness(ttlSeconds?: number) {
  let now = 1_700_000_000_000;
  const handler = new CommandHandler({ store: new MemoryQueueStore(), provider: p, quota: 4, ttlSeconds, now: () => now });
  const out: BrokerMsg[] = [];
  const session = handler.openSession({
    sessionId: SESSION, version: 9, serverDhSecretKey: undefined,
    send: (blocks) => {
      for (const b of blocks) {
        const ts = parseBlock(b);
        if (!ts.ok) throw new Error(ts.error);
        for (const t of ts.value) {
          const x = parseTransmission(t);
          const m = x.ok ? parseBrokerMsg(9, x.value.command) : undefined;
          if (!m || !m.ok) throw new Error("bad reply");
          out.push(m.msg);
        }
      }
    },
  });
  const rk = p.randomBytes(32);
  const req = (entity: Bytes, cmd: Command, signed: boolean): BrokerMsg => {
    const authorized = encodeAuthorized(p.randomBytes(24), entity, encodeCommand(9, cmd));
    const auth = signed ? p.ed25519Sign(rk, signedBytes(SESSION, authorized)) : new Uint8Array(0);
    out.length = 0;
    session.handleBlock(encodeBlocks([encodeTransmission(auth, authorized)]).blocks[0]);
    return out[0];
  };
  const ids = req(new Uint8Array(0), { tag: "NEW", rcvAuthKey: { alg: "ed25519", key: p.ed25519PublicKey(rk) }, rcvDhKey: { alg: "x25519", key: p.x25519PublicKey(p.randomBytes(32)) }, basicAuth: undefined, subscribe: false, sndSecure: false }, true);
  if (ids.tag !== "IDS") throw new Error("NEW failed");
  return { handler, session, req, ids, advance: (ms: number) => (now += ms) };
}

describe("command handler (sans-I/O)", () => {
  it("expires messages older than the TTL, on SEND and in expireAll", () => {
    const h = harness(60);
    expect(h.req(h.ids.sndId, { tag: "SEND", notification: false, body: new Uint8Array([1]) }, false).tag).toBe("OK");
    h.advance(61_000);
    expect(h.handler.expireAll()).toBe(1);
    expect(h.req(h.ids.rcvId, { tag: "GET" }, true).tag).toBe("OK");
    expect(h.req(h.ids.sndId, { tag: "SEND", notification: false, body: new Uint8Array([2]) }, false).tag).toBe("OK");
    h.advance(30_000);
    expect(h.req(h.ids.sndId, { tag: "SEND", notification: false, body: new Uint8Array([3]) }, false).tag).toBe("OK");
    h.advance(31_000);
    // SEND expires the first of the two before storing the third
    expect(h.req(h.ids.sndId, { tag: "SEND", notification: false, body: new Uint8Array([4]) }, false).tag).toBe("OK");
    expect(h.handler.store.queueSize(h.ids.rcvId)).toBe(2);
  });
  it("keeps messages without a TTL", () => {
    const h = harness(undefined);
    h.req(h.ids.sndId, { tag: "SEND", notification: false, body: new Uint8Array([1]) }, false);
    h.advance(365 * 86400_000);
    expect(h.handler.expireAll()).toBe(0);
    expect(h.req(h.ids.rcvId, { tag: "GET" }, true).tag).toBe("MSG");
  });
});

describe("stored SEND bodies", () => {
  it("a body that fills the received block is kept as a view into it, a small one is copied", () => {
    for (const [n, view] of [[16000, true], [10, false]] as const) {
      const h = harness(undefined);
      const authorized = encodeAuthorized(p.randomBytes(24), h.ids.sndId, encodeCommand(9, { tag: "SEND", notification: false, body: new Uint8Array(n).fill(7) }));
      const block = encodeBlocks([encodeTransmission(new Uint8Array(0), authorized)]).blocks[0] as Uint8Array;
      h.session.handleBlock(block);
      const m = h.handler.store.peekMsg(h.ids.rcvId);
      if (m === undefined || m.quota) throw new Error("no message stored");
      expect((m.body as Uint8Array).buffer === block.buffer).toBe(view);
      if (!view) {
        block.fill(0);
        expect([...(m.body as Uint8Array)]).toEqual(new Array(n).fill(7));
      }
    }
  });
});

describe("hostile blocks", () => {
  it("random and mutated blocks never throw out of the handler; every block gets a reply", () => {
    const handler = new CommandHandler({ store: new MemoryQueueStore(), provider: p });
    let replies = 0;
    const session = handler.openSession({ sessionId: SESSION, version: 9, serverDhSecretKey: p.randomBytes(32), send: (b) => (replies += b.length) });
    const valid = encodeBlocks([encodeTransmission(new Uint8Array(64), encodeAuthorized(p.randomBytes(24), p.randomBytes(24), encodeCommand(9, { tag: "SEND", notification: false, body: new Uint8Array(100) })))]).blocks[0] as Uint8Array;
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    for (let i = 0; i < 300; i++) {
      const b = i % 2 === 0 ? Uint8Array.from({ length: 16384 }, rnd) : valid.slice();
      if (i % 2 === 1) for (let j = 0; j < 1 + (i % 5); j++) b[rnd() * 64 + rnd()] = rnd();
      expect(() => session.handleBlock(b)).not.toThrow();
    }
    expect(replies).toBe(300);
  });
});

describe("SMP server timeouts", () => {
  const identity = loadOrCreateIdentity(mkdtempSync(join(tmpdir(), "tsense-timeouts-")), "ed25519").identity;
  it("closes a connection that does not finish the SMP handshake", async () => {
    const server = new SmpServer({ handler: new CommandHandler({ store: new MemoryQueueStore(), provider: p }), identity, port: 0, handshakeTimeoutMs: 300 });
    const a = await server.listen();
    const sock = tls.connect({ host: "127.0.0.1", port: a.port, rejectUnauthorized: false, ALPNProtocols: ["smp/1"] });
    sock.on("error", () => {});
    sock.resume(); // read the server hello, so the close is seen
    const t0 = Date.now();
    await new Promise((r) => sock.on("close", r));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(server.stats.handshakeFailures).toBe(1);
    await server.close();
  });
  it("closes idle connections without subscriptions", async () => {
    const server = new SmpServer({ handler: new CommandHandler({ store: new MemoryQueueStore(), provider: p }), identity, port: 0, idleTimeoutMs: 300 });
    await server.listen();
    const s = await connectSmp(server.address(), { provider: p });
    const closed = new Promise((r) => (s.onClose = r));
    await closed;
    await server.close();
  });
});
