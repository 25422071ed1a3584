// GRP sessions end to end in memory: IK and XX, the hybrid keys, KEM rotation and every
// handshake and transport failure of docs/grp.md §10.
import { describe, expect, it } from "vitest";
import { clientOptions, connect, noble, pump, relayOptions, seededProvider } from "./node/test-harness";
import { GrpClientSession } from "./client-session";
import { GrpServerSession } from "./server-session";
import { KemKeyRing } from "./kem-key-ring";
import { keyPairFromSecret } from "./noise/handshake-state";
import { HANDSHAKE_MESSAGE_SIZE, HANDSHAKE_TIMEOUT_MS, REKEY_INTERVAL, TRANSPORT_FRAME_SIZE } from "./constants";
import { ReplayCache } from "./replay-cache";
import { TransportCipher } from "./transport-cipher";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";

const p = seededProvider(noble(), "grp session tests");
const block = (v: number) => new Uint8Array(16384).fill(v);
const closedReason = (ev: { kind: string; reason: string }[]) => ev.find((e) => e.kind === "closed")?.reason;

describe("GRP handshake", () => {
  it("XX first contact opens both sides with the same session id and carries blocks both ways", () => {
    const relay = relayOptions(p, 0);
    const kemId = relay.kemKeys.current(0).id;
    const { c, s, events } = connect(p, relay, clientOptions(relay, { pinnedKemKeyId: kemId }));
    expect(c.usesIK()).toBe(false);
    expect(events.client.map((e) => e.kind)).toEqual(["open"]);
    expect(events.server.map((e) => e.kind)).toEqual(["open"]);
    expect(events.c2s).toBe(2 + 2 * (2 + HANDSHAKE_MESSAGE_SIZE));
    expect(events.s2c).toBe(2 + HANDSHAKE_MESSAGE_SIZE);
    expect(c.sessionId()).toEqual(s.sessionId());
    expect(c.sessionId().length).toBe(32);
    expect(c.smpVersion()).toBe(9);
    expect(c.relayKemKey()?.id).toEqual(kemId);
    c.sendBlock(block(1));
    s.sendBlock(block(2));
    c.sendBlock(block(3));
    const ev = pump(c, s, 1);
    expect(ev.c2s).toBe(2 * (2 + TRANSPORT_FRAME_SIZE));
    expect(ev.server.map((e) => e.block?.[0])).toEqual([1, 3]);
    expect(ev.client.map((e) => e.block?.[0])).toEqual([2]);
  });

  it("erases the chaining key, the ephemeral secret and the KEM secret once open (docs/grp.md §7)", () => {
    const relay = relayOptions(p, 0);
    const { c, s } = connect(p, relay, clientOptions(relay));
    for (const side of [c, s] as unknown as { hs: { chainingKey(): Uint8Array; e: { secretKey: Uint8Array } } }[]) {
      expect(side.hs.chainingKey().every((b) => b === 0)).toBe(true);
      expect(side.hs.e.secretKey.every((b) => b === 0)).toBe(true);
    }
    expect((c as unknown as { kemSecret: unknown }).kemSecret).toBeUndefined();
    expect((c.sessionId() as Uint8Array).some((b) => b !== 0)).toBe(true);
  });

  it("IK with the cached KEM key takes one round trip", () => {
    const relay = relayOptions(p, 0);
    const first = connect(p, relay, clientOptions(relay));
    const { c, s, events } = connect(p, relay, clientOptions(relay, { cachedKemKey: first.c.relayKemKey() }));
    expect(c.usesIK()).toBe(true);
    expect(events.c2s).toBe(2 + 2 + HANDSHAKE_MESSAGE_SIZE);
    expect(c.isOpen() && s.isOpen()).toBe(true);
    expect(c.sessionId()).toEqual(s.sessionId());
    expect(c.sessionId()).not.toEqual(first.c.sessionId());
    c.sendBlock(block(7));
    expect(pump(c, s, 0).server[0].block?.[0]).toBe(7);
  });

  it("negotiates the highest common SMP version and refuses disjoint ranges", () => {
    const relay = relayOptions(p, 0, { smpMin: 7, smpMax: 8 });
    expect(connect(p, relay, clientOptions(relay, { smpMin: 6, smpMax: 9 })).c.smpVersion()).toBe(8);
    const r = connect(p, relay, clientOptions(relay, { smpMin: 9, smpMax: 9 }));
    expect(closedReason(r.events.client)).toBe("grp: no common SMP version");
    expect(closedReason(r.events.server)).toBe("grp: no common SMP version");
  });
});

describe("GRP KEM key rotation", () => {
  it("accepts the old key during the grace period and announces the new one", () => {
    const relay = relayOptions(p, 0, { kemKeys: new KemKeyRing(p, { rotationMs: 1000, graceMs: 500 }, 0, undefined) });
    const old = connect(p, relay, clientOptions(relay), 0).c.relayKemKey()!;
    const inGrace = connect(p, relay, clientOptions(relay, { cachedKemKey: old }), 1200);
    expect(inGrace.c.isOpen()).toBe(true);
    expect(inGrace.c.relayKemKey()!.id).not.toEqual(old.id);
    expect(relay.kemKeys.size()).toBe(2);
  });

  it("refuses the old key after the grace period; the client reconnects with the announced key", () => {
    const relay = relayOptions(p, 0, { kemKeys: new KemKeyRing(p, { rotationMs: 1000, graceMs: 500 }, 0, undefined) });
    const old = connect(p, relay, clientOptions(relay), 0).c.relayKemKey()!;
    const late = connect(p, relay, clientOptions(relay, { cachedKemKey: old }), 1600);
    expect(late.c.isClosed()).toBe(true);
    expect(late.c.wasKemKeyRejected()).toBe(true);
    expect(closedReason(late.events.server)).toBe("grp: client used an unknown KEM key");
    expect(relay.kemKeys.size()).toBe(1);
    const again = connect(p, relay, clientOptions(relay, { cachedKemKey: late.c.relayKemKey() }), 1601);
    expect(again.c.isOpen() && again.s.isOpen()).toBe(true);
  });
});

describe("GRP failures (docs/grp.md §10)", () => {
  it("wrong relay static key: IK — the relay cannot decrypt and closes; XX — the client closes", () => {
    const relay = relayOptions(p, 0);
    const other = keyPairFromSecret(p, p.randomBytes(32)).publicKey;
    const cached = connect(p, relay, clientOptions(relay)).c.relayKemKey();
    const ik = connect(p, relay, clientOptions(relay, { relayStaticKey: other, cachedKemKey: cached }));
    expect(closedReason(ik.events.server)).toBe("noise: cannot decrypt the peer's static key");
    expect(ik.events.s2c).toBe(0);
    ik.c.tick(HANDSHAKE_TIMEOUT_MS);
    expect(closedReason(ik.c.takeEvents())).toBe("grp: handshake timeout");
    const xx = connect(p, relay, clientOptions(relay, { relayStaticKey: other }));
    expect(closedReason(xx.events.client)).toBe("grp: relay static key does not match the address");
  });

  it("a pinned KEM key id that does not match the relay's key fails first contact", () => {
    const relay = relayOptions(p, 0);
    const r = connect(p, relay, clientOptions(relay, { pinnedKemKeyId: new Uint8Array(32) }));
    expect(closedReason(r.events.client)).toBe("grp: relay KEM key does not match the id pinned in the address");
  });

  it("unknown version or pattern byte: the relay closes without answering", () => {
    for (const [hdr, why] of [[[2, 1], "grp: unknown version byte 2"], [[1, 3], "grp: unknown pattern byte 3"]] as const) {
      const s = new GrpServerSession(p, relayOptions(p, 0), 0);
      s.receive(Uint8Array.from(hdr), 0);
      expect(closedReason(s.takeEvents())).toBe(why);
      expect(s.takeOutput().length).toBe(0);
    }
  });

  it("oversized and undersized handshake frames close at once; a truncated one times out", () => {
    const relay = relayOptions(p, 0);
    for (const len of [HANDSHAKE_MESSAGE_SIZE + 1, HANDSHAKE_MESSAGE_SIZE - 1]) {
      const s = new GrpServerSession(p, relay, 0);
      s.receive(Uint8Array.of(1, 2, len >> 8, len & 255), 0);
      expect(closedReason(s.takeEvents())).toBe(`grp: handshake frame of ${len} bytes, expected ${HANDSHAKE_MESSAGE_SIZE}`);
    }
    const c = new GrpClientSession(p, clientOptions(relay), 0);
    c.start();
    const s = new GrpServerSession(p, relay, 0);
    s.receive((c.takeOutput() as Uint8Array).slice(0, 500), 10);
    expect(s.takeEvents()).toEqual([]);
    expect(s.deadline()).toBe(HANDSHAKE_TIMEOUT_MS);
    s.tick(HANDSHAKE_TIMEOUT_MS - 1);
    expect(s.isClosed()).toBe(false);
    s.tick(HANDSHAKE_TIMEOUT_MS);
    expect(closedReason(s.takeEvents())).toBe("grp: handshake timeout");
  });

  it("a replayed first message is refused by a relay that saw it", () => {
    const relay = relayOptions(p, 0);
    const cached = connect(p, relay, clientOptions(relay)).c.relayKemKey();
    const c = new GrpClientSession(p, clientOptions(relay, { cachedKemKey: cached }), 0);
    c.start();
    const recorded = c.takeOutput();
    const s1 = new GrpServerSession(p, relay, 0);
    s1.receive(recorded, 0);
    expect(s1.isOpen()).toBe(true);
    const s2 = new GrpServerSession(p, relay, 5);
    s2.receive(recorded, 5);
    expect(closedReason(s2.takeEvents())).toBe("grp: replayed first handshake message");
    // Without the cache the replay completes the handshake but no frame can follow it.
    const s3 = new GrpServerSession(p, { ...relay, replayCache: new ReplayCache(1000, 10) }, 6);
    s3.receive(recorded, 6);
    expect(s3.isOpen()).toBe(true);
    s3.receive(Uint8Array.of(TRANSPORT_FRAME_SIZE >> 8, TRANSPORT_FRAME_SIZE & 255, ...new Uint8Array(TRANSPORT_FRAME_SIZE)), 7);
    expect(closedReason(s3.takeEvents())).toBe("grp: transport frame failed authentication");
  });

  it("a tampered transport frame closes the session", () => {
    const relay = relayOptions(p, 0);
    const { c, s } = connect(p, relay, clientOptions(relay));
    c.sendBlock(block(1));
    const f = c.takeOutput() as Uint8Array;
    f[100] ^= 1;
    s.receive(f, 1);
    expect(closedReason(s.takeEvents())).toBe("grp: transport frame failed authentication");
  });

  it("a frame sent again (nonce reuse) closes the session", () => {
    const relay = relayOptions(p, 0);
    const { c, s } = connect(p, relay, clientOptions(relay));
    c.sendBlock(block(1));
    const f = c.takeOutput() as Uint8Array;
    s.receive(f, 1);
    expect(s.takeEvents().map((e) => e.kind)).toEqual(["block"]);
    s.receive(f, 2);
    expect(closedReason(s.takeEvents())).toBe("grp: transport frame failed authentication");
  });

  it("rejects blocks of the wrong size and sending before open", () => {
    const relay = relayOptions(p, 0);
    const c = new GrpClientSession(p, clientOptions(relay), 0);
    expect(() => c.sendBlock(block(0))).toThrow(/not open/);
    const { c: open } = connect(p, relay, clientOptions(relay));
    expect(() => open.sendBlock(new Uint8Array(100))).toThrow(/16384 bytes/);
  });
});

describe("GRP rekeying", () => {
  it(`rekeys each direction after ${REKEY_INTERVAL} frames and keeps working`, () => {
    const relay = relayOptions(p, 0);
    const { c, s } = connect(p, relay, clientOptions(relay));
    let received = 0;
    const b = block(9);
    for (let i = 0; i < REKEY_INTERVAL + 3; i++) {
      c.sendBlock(b);
      s.receive(c.takeOutput(), 1);
      received += s.takeEvents().filter((e) => e.kind === "block").length;
    }
    expect(received).toBe(REKEY_INTERVAL + 3);
    expect(s.isOpen()).toBe(true);
    expect(c.sendingCipher()!.count()).toBe(REKEY_INTERVAL + 3);
  });
});

describe("transport rekey schedule (docs/grp.md §7), against noble by hand", () => {
  it("frames 1023 and 1024 use k and Rekey(k) with the counter continuing", () => {
    const key = new Uint8Array(32).fill(0x5a);
    const b = block(0x42);
    const nonce = (n: number) => {
      const v = new Uint8Array(12);
      new DataView(v.buffer).setUint32(4, n, true);
      return v;
    };
    const t = new TransportCipher(p, key);
    t.setCount(0, REKEY_INTERVAL - 1);
    const f1023 = t.seal(b);
    const f1024 = t.seal(b);
    expect(f1023).toEqual(chacha20poly1305(key, nonce(REKEY_INTERVAL - 1)).encrypt(b));
    const rekeyed = chacha20poly1305(key, Uint8Array.of(0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255)).encrypt(new Uint8Array(32)).slice(0, 32);
    expect(f1024).toEqual(chacha20poly1305(rekeyed, nonce(REKEY_INTERVAL)).encrypt(b));
    const r = new TransportCipher(p, key);
    r.setCount(0, REKEY_INTERVAL - 1);
    expect(r.open(f1023)).toEqual(b);
    expect(r.open(f1024)).toEqual(b);
  });
});
