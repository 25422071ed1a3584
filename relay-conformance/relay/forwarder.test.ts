// Two shards of one relay in one process, their forwarding messages carried by a queue
// that the test pumps (cluster IPC in production): queue ownership in the ids, commands
// forwarded to the owner and answered there, MSG to a proxy, subscription accounting for
// the idle timeout, and a closed session's proxy dropped at the owner.
import { describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import type { Bytes } from "../../firmware/port/bytes";
import { encodeBlocks, parseBlock } from "../../firmware/transport/smp/block";
import { type Command, encodeCommand } from "../../firmware/transport/smp/commands";
import { errorText } from "../../firmware/transport/smp/errors";
import { type BrokerMsg, parseBrokerMsg } from "../../firmware/transport/smp/responses";
import { encodeAuthorized, encodeTransmission, parseTransmission, signedBytes } from "../../firmware/transport/smp/transmission";
import { CommandHandler, type RelaySession } from "./command-handler";
import { Forwarder, type ShardMessage } from "./forwarder";
import { MemoryQueueStore } from "./memory-queue-store";
import { decodeShardMessage, encodeShardMessage, FrameReader } from "./shard-link";

const p = getProvider("noble");

function twoShards() {
  const wire: ShardMessage[] = [];
  const fwd = [0, 1].map((i) => new Forwarder(i, 2, (m) => wire.push(m)));
  const handlers = fwd.map((f) => {
    const h = new CommandHandler({ store: new MemoryQueueStore(), provider: p, shard: f });
    f.attach(h);
    return h;
  });
  const pump = () => {
    let n = 0;
    for (let m = wire.shift(); m !== undefined; m = wire.shift(), n++) fwd[m.to].receive(m);
    return n;
  };
  return { fwd, handlers, pump };
}

interface Client {
  session: RelaySession;
  got: BrokerMsg[];
  /** one block with these transmissions, each signed with key (ed25519 secret) or unsigned */
  send(...ts: [Bytes, Command, Bytes | undefined][]): void;
}

function client(h: CommandHandler): Client {
  const sessionId = p.randomBytes(32);
  const got: BrokerMsg[] = [];
  const session = h.openSession({
    sessionId, version: 9, serverDhSecretKey: undefined,
    send: (blocks) => {
      for (const b of blocks) {
        // replies from another shard travel unpadded and are padded again at the origin
        const u = b as Uint8Array;
        if (u.length !== 16384 || u.subarray(2 + ((u[0] << 8) + u[1])).some((x) => x !== 0x23)) throw new Error("not a padded block");
        const ts = parseBlock(b);
        if (!ts.ok) throw new Error(ts.error);
        for (const t of ts.value) {
          const x = parseTransmission(t);
          const m = x.ok ? parseBrokerMsg(9, x.value.command) : undefined;
          if (!m || !m.ok) throw new Error("bad reply");
          got.push(m.msg);
        }
      }
    },
  });
  const send = (...ts: [Bytes, Command, Bytes | undefined][]) => {
    const encoded = ts.map(([entity, cmd, key]) => {
      const authorized = encodeAuthorized(p.randomBytes(24), entity, encodeCommand(9, cmd));
      return encodeTransmission(key === undefined ? new Uint8Array(0) : p.ed25519Sign(key, signedBytes(sessionId, authorized)), authorized);
    });
    session.handleBlock(encodeBlocks(encoded).blocks[0]);
  };
  return { session, got, send };
}

function newQueue(c: Client): { rk: Bytes; rid: Bytes; sid: Bytes } {
  const rk = p.randomBytes(32);
  c.got.length = 0;
  c.send([new Uint8Array(0), { tag: "NEW", rcvAuthKey: { alg: "ed25519", key: p.ed25519PublicKey(rk) }, rcvDhKey: { alg: "x25519", key: p.x25519PublicKey(p.randomBytes(32)) }, basicAuth: undefined, subscribe: false, sndSecure: false }, rk]);
  const ids = c.got.pop();
  if (ids?.tag !== "IDS") throw new Error("NEW failed");
  return { rk, rid: ids.rcvId, sid: ids.sndId };
}

const tags = (c: Client) => c.got.splice(0).map((m) => (m.tag === "ERR" ? `ERR ${errorText(m.error)}` : m.tag));

describe("sharded command handlers (Forwarder)", () => {
  it("a queue's ids name the shard that created it", () => {
    const { handlers } = twoShards();
    for (const i of [0, 1]) {
      const c = client(handlers[i]);
      for (let k = 0; k < 20; k++) {
        const q = newQueue(c);
        expect([q.rid[0] % 2, q.sid[0] % 2]).toEqual([i, i]);
      }
    }
  });

  it("forwards commands to the owner, answers through the origin, keeps subscriptions at the owner", () => {
    const { handlers, pump, fwd } = twoShards();
    const a = client(handlers[0]);
    const b = client(handlers[1]);
    const q = newQueue(a); // owned by shard 0
    // b subscribes (signing with its own session id); nothing happens until the messages move
    b.send([q.rid, { tag: "SUB" }, q.rk]);
    expect(b.got).toEqual([]);
    expect(pump()).toBe(2); // fwd, out
    expect(tags(b)).toEqual(["OK"]);
    expect(b.session.subs.size).toBe(0);
    expect(b.session.hasSubscriptions()).toBe(true); // held at shard 0: no idle timeout
    // a local SEND at shard 0 is delivered to b's proxy there, and on to b
    a.send([q.sid, { tag: "SEND", notification: false, body: new Uint8Array([7]) }, undefined]);
    expect(tags(a)).toEqual(["OK"]);
    pump();
    expect(tags(b)).toEqual(["MSG"]);
    // one block, a local and a forwarded command: the local answer now, the other after the hop
    const own = newQueue(b);
    b.send([own.rid, { tag: "GET" }, own.rk], [q.rid, { tag: "GET" }, q.rk]);
    expect(tags(b)).toEqual(["OK"]);
    pump();
    expect(tags(b)).toEqual(["ERR CMD PROHIBITED"]); // SUB and GET on one session, across the hop
    // b goes away: its proxy at shard 0 is closed, a can subscribe without anyone getting END
    b.session.close();
    expect(fwd[0].stats().proxies).toBe(1);
    pump();
    expect(fwd[0].stats().proxies).toBe(0);
    a.send([q.rid, { tag: "SUB" }, q.rk]);
    expect(tags(a)).toEqual(["OK", "MSG"]); // the unacknowledged message again
    expect(pump()).toBe(0);
  });

  it("messages that arrive before the handler is attached wait for it", () => {
    const wire: ShardMessage[] = [];
    const f0 = new Forwarder(0, 2, (m) => wire.push(m));
    const f1 = new Forwarder(1, 2, (m) => wire.push(m));
    const h0 = new CommandHandler({ store: new MemoryQueueStore(), provider: p, shard: f0 });
    f0.attach(h0);
    const a = client(h0);
    const q = newQueue(a);
    const h1 = new CommandHandler({ store: new MemoryQueueStore(), provider: p, shard: f1 });
    const b = client(h1);
    b.send([q.rid, { tag: "SUB" }, q.rk]);
    f0.receive(wire.shift()!); // fwd to shard 0
    f1.receive(wire.shift()!); // its answer reaches shard 1 before shard 1 is attached
    expect(b.got).toEqual([]);
    f1.attach(h1);
    expect(tags(b)).toEqual(["OK"]);
  });

  it("a wrong signature is refused at the owner exactly as locally", () => {
    const { handlers, pump } = twoShards();
    const a = client(handlers[0]);
    const b = client(handlers[1]);
    const q = newQueue(a);
    b.send([q.rid, { tag: "SUB" }, p.randomBytes(32)]);
    pump();
    a.send([q.rid, { tag: "SUB" }, p.randomBytes(32)]);
    expect([...tags(b), ...tags(a)]).toEqual(["ERR AUTH", "ERR AUTH"]);
    expect(b.session.hasSubscriptions()).toBe(false);
  });
});

describe("shard link frames (shard-link.ts)", () => {
  it("round-trip every message kind, whole and cut into small chunks", () => {
    const msgs: ShardMessage[] = [
      { t: "fwd", to: 1, from: 0, token: 0xfffffffe, session: { sessionId: p.randomBytes(32) as Uint8Array, version: 9, serverDhSecretKey: p.randomBytes(32) as Uint8Array }, txs: [p.randomBytes(16000) as Uint8Array, p.randomBytes(3) as Uint8Array] },
      { t: "fwd", to: 1, from: 0, token: 1, session: { sessionId: p.randomBytes(12) as Uint8Array, version: 7, serverDhSecretKey: undefined }, txs: [] },
      { t: "out", to: 1, from: 0, token: 7, subs: 70000, blocks: [p.randomBytes(16384) as Uint8Array] },
      { t: "close", to: 1, from: 0, token: 9 },
    ];
    const frames = msgs.map((m) => Buffer.concat(encodeShardMessage(m)));
    const plain = (v: unknown): unknown =>
      v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
    expect(frames.map((f) => plain(decodeShardMessage(f.subarray(4), 1)))).toEqual(msgs.map(plain));
    // the same stream cut into 1000-byte chunks
    const stream = Buffer.concat(frames);
    const reader = new FrameReader();
    const got: ShardMessage[] = [];
    for (let off = 0; off < stream.length; off += 1000) for (const f of reader.push(stream.subarray(off, off + 1000))) got.push(decodeShardMessage(f, 1));
    expect(got.map(plain)).toEqual(msgs.map(plain));
  });
});
