// The portable SmpClient against the command handler, both sans-I/O, wired by an
// in-memory BlockSession with a fake clock: timeouts, keep-alive, resubscription.
import { describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import type { Bytes } from "../../firmware/port/bytes";
import type { BlockSession } from "../../firmware/transport/block-session";
import { parseBlock } from "../../firmware/transport/smp/block";
import { parseTransmission } from "../../firmware/transport/smp/transmission";
import { ClientEvent, ClientResult, generateAuthKeyPair, RecipientQueue, SmpClient } from "../../firmware/transport/smp/client";
import { CommandHandler, RelaySession } from "./command-handler";
import { MemoryQueueStore } from "./memory-queue-store";

const p = getProvider("noble");

function setup(clientProvider = p) {
  const handler = new CommandHandler({ store: new MemoryQueueStore(), provider: p });
  const events: ClientEvent[] = [];
  const client = new SmpClient(clientProvider, { timeoutMs: 1000, pingIntervalMs: 5000, onEvent: (e) => events.push(e) });
  let relaySide: RelaySession | undefined;
  let paused = false;
  const held: Bytes[] = [];
  const sent: string[] = [];
  /** Transmissions in each block the client sent. */
  const perBlock: number[] = [];
  const connect = () => {
    const sessionId = p.randomBytes(32);
    const dhSk = p.randomBytes(32);
    relaySide = handler.openSession({ sessionId, version: 9, serverDhSecretKey: dhSk, send: (blocks) => blocks.forEach((b) => client.receiveBlock(b)) });
    const rs = relaySide;
    const session: BlockSession = {
      sessionId, version: 9, serverDhKey: p.x25519PublicKey(dhSk),
      send: (blocks) => {
        for (const b of blocks) {
          const ts = parseBlock(b);
          const t = ts.ok ? parseTransmission(ts.value[0]) : undefined;
          perBlock.push(ts.ok ? ts.value.length : 0);
          sent.push(t && t.ok ? Buffer.from(t.value.command as Uint8Array).toString("latin1").slice(0, 8) : "?");
          if (paused) held.push(b);
          else rs.handleBlock(b);
        }
      },
      close: () => rs.close(),
    };
    return session;
  };
  return { handler, client, events, connect, pause: (v: boolean) => (paused = v), held, sent, perBlock, relay: () => relaySide! };
}

function result<T>(): { cb: (r: ClientResult<T>) => void; get: () => ClientResult<T> | undefined } {
  let r: ClientResult<T> | undefined;
  return { cb: (x) => (r = x), get: () => r };
}

describe("SmpClient core (sans-I/O) against the command handler", () => {
  it("creates, sends, receives; times out unanswered commands; pings when idle", () => {
    const t = setup();
    let now = 0;
    t.client.attach(t.connect(), now);
    const created = result<RecipientQueue>();
    t.client.createQueue(generateAuthKeyPair(p, "x25519"), false, true, undefined, now, created.cb);
    const q = created.get();
    if (!q?.ok) throw new Error("NEW failed");
    const sent = result<true>();
    t.client.send({ senderId: q.value.senderId, senderKey: undefined }, new Uint8Array([104, 105]), false, now, sent.cb);
    expect(sent.get()?.ok).toBe(true);
    expect(t.events.map((e) => e.type)).toEqual(["message"]);
    t.pause(true);
    const lost = result<true>();
    t.client.ping(now, lost.cb);
    expect(lost.get()).toBeUndefined();
    now += 999;
    t.client.tick(now);
    expect(lost.get()).toBeUndefined();
    now += 1;
    t.client.tick(now);
    expect(lost.get()).toMatchObject({ ok: false, error: "TIMEOUT" });
    t.pause(false);
    const before = t.sent.length;
    expect(t.client.nextTimerMs()).toBe(now - 1000 + 5000);
    now += 5000;
    t.client.tick(now);
    expect(t.sent.length).toBe(before + 1);
    expect(t.sent[t.sent.length - 1]).toBe("PING");
  });

  it("fails pending commands on detach and resubscribes on attach", () => {
    const t = setup();
    t.client.attach(t.connect(), 0);
    const created = result<RecipientQueue>();
    t.client.createQueue(generateAuthKeyPair(p, "ed25519"), false, true, undefined, 0, created.cb);
    const q = created.get();
    if (!q?.ok) throw new Error("NEW failed");
    t.pause(true);
    const pending = result<true>();
    t.client.ping(0, pending.cb);
    t.relay().close();
    t.client.detach();
    expect(pending.get()).toMatchObject({ ok: false, error: "NETWORK" });
    t.pause(false);
    t.client.attach(t.connect(), 10);
    expect(t.sent[t.sent.length - 1]).toBe("SUB");
    const sent = result<true>();
    t.client.send({ senderId: q.value.senderId, senderKey: undefined }, new Uint8Array([1]), false, 10, sent.cb);
    expect(t.events.filter((e) => e.type === "message").length).toBe(1);
  });

  it("routes each MSG to its own queue among many, and forgets a deleted queue", () => {
    const t = setup();
    t.client.attach(t.connect(), 0);
    const queues: RecipientQueue[] = [];
    for (let i = 0; i < 5; i++) {
      const created = result<RecipientQueue>();
      t.client.createQueue(generateAuthKeyPair(p, "x25519"), false, true, undefined, 0, created.cb);
      const q = created.get();
      if (!q?.ok) throw new Error("NEW failed");
      queues.push(q.value);
    }
    const hex = (b: Bytes) => Buffer.from(b as Uint8Array).toString("hex");
    for (const i of [3, 0, 4]) {
      t.client.send({ senderId: queues[i].senderId, senderKey: undefined }, new Uint8Array([i]), false, 0, () => undefined);
    }
    const got = t.events.flatMap((e) => (e.type === "message" ? [e.message] : []));
    expect(got.map((m) => hex(m.recipientId))).toEqual([3, 0, 4].map((i) => hex(queues[i].recipientId)));
    expect(got.map((m) => (m.body.quota ? [] : Array.from(m.body.body as Uint8Array)))).toEqual([[3], [0], [4]]);
    const deleted = result<true>();
    t.client.deleteQueue(queues[1], 0, deleted.cb);
    expect(deleted.get()?.ok).toBe(true);
    t.relay().close();
    t.client.detach();
    const before = t.sent.length;
    t.client.attach(t.connect(), 10);
    expect(t.sent.slice(before)).toEqual(["SUB", "SUB", "SUB", "SUB"]);
  });

  it("batches small commands between cork and uncork into one block; a large one flushes them first", () => {
    const t = setup();
    t.client.attach(t.connect(), 0);
    const queues: RecipientQueue[] = [];
    for (let i = 0; i < 3; i++) {
      const created = result<RecipientQueue>();
      t.client.createQueue(generateAuthKeyPair(p, "x25519"), false, true, undefined, 0, created.cb);
      const q = created.get();
      if (!q?.ok) throw new Error("NEW failed");
      queues.push(q.value);
      t.client.send({ senderId: q.value.senderId, senderKey: undefined }, new Uint8Array([i]), false, 0, () => undefined);
    }
    const msgs = t.events.flatMap((e) => (e.type === "message" ? [e.message] : []));
    expect(msgs.length).toBe(3);
    const before = t.perBlock.length;
    t.client.cork();
    const acks = msgs.map((m, i) => {
      const r = result<true>();
      t.client.ack(queues[i], m.msgId, 0, r.cb);
      return r;
    });
    expect(t.perBlock.length).toBe(before); // held
    expect(acks.map((a) => a.get())).toEqual([undefined, undefined, undefined]);
    t.client.uncork();
    expect(t.perBlock.slice(before)).toEqual([3]); // one block, three ACKs
    expect(acks.map((a) => a.get()?.ok)).toEqual([true, true, true]); // each matched by its corrId
    // A large transmission is not held, and what was held leaves before it.
    const sentBefore = t.sent.length;
    t.client.cork();
    t.client.ping(0, () => undefined);
    const big = result<true>();
    t.client.send({ senderId: queues[0].senderId, senderKey: undefined }, new Uint8Array(12000).fill(7), false, 0, big.cb);
    expect(t.sent.slice(sentBefore).map((c) => c.slice(0, 4))).toEqual(["PING", "SEND"]);
    expect(big.get()?.ok).toBe(true);
    t.client.uncork();
    expect(t.sent.length).toBe(sentBefore + 2);
    // Held commands die with the session, failing like any pending command.
    t.client.cork();
    const lost = result<true>();
    t.client.ping(0, lost.cb);
    t.client.detach();
    t.client.uncork();
    expect(lost.get()).toMatchObject({ ok: false, error: "NETWORK" });
    expect(t.sent.length).toBe(sentBefore + 2);
  });

  it("authorizes SENDs with an X25519 key: one DH per key and server session, accepted by the relay", () => {
    let dh = 0;
    const counting = { ...p, x25519: (sk: Bytes, pk: Bytes) => (dh++, p.x25519(sk, pk)) };
    const t = setup(counting);
    const client = t.client;
    client.attach(t.connect(), 0);
    const created = result<RecipientQueue>();
    client.createQueue(generateAuthKeyPair(p, "x25519"), true, true, undefined, 0, created.cb);
    const q = created.get();
    if (!q?.ok) throw new Error("NEW failed");
    const senderKey = generateAuthKeyPair(p, "x25519");
    const secured = result<true>();
    client.secureQueueBySender({ senderId: q.value.senderId, senderKey: undefined }, senderKey, 0, secured.cb);
    expect(secured.get()?.ok).toBe(true);
    const sendAll = (n: number, at: number) => {
      for (let i = 0; i < n; i++) {
        const sent = result<true>();
        client.send({ senderId: q.value.senderId, senderKey }, new Uint8Array([i]), false, at, sent.cb);
        expect(sent.get()).toMatchObject({ ok: true });
        // one in flight: ACK so the next can be delivered
        const m = t.events[t.events.length - 1];
        if (m.type === "message") client.ack(q.value, m.message.msgId, at, () => {});
      }
    };
    dh = 0;
    sendAll(5, 0);
    const perSession = dh;
    expect(perSession).toBeLessThanOrEqual(2); // the sender key's and the recipient key's, once each
    // a wrong key is refused (the authenticator is really checked)
    const wrong = result<true>();
    client.send({ senderId: q.value.senderId, senderKey: generateAuthKeyPair(p, "x25519") }, new Uint8Array([9]), false, 0, wrong.cb);
    expect(wrong.get()).toMatchObject({ ok: false });
    // a new session has a new server key: derived again, once
    t.relay().close();
    client.detach();
    client.attach(t.connect(), 10);
    dh = 0;
    sendAll(5, 10);
    expect(dh).toBe(perSession);
  });
});

