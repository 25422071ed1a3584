// Client ↔ relay integration over real TLS on loopback: handshake (TLS 1.3 and 1.2,
// Ed25519 and Ed448 identities), queue life cycle, delivery, reconnect + resubscribe.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { authPublicKey, ClientEvent, generateAuthKeyPair, ReceivedMessage } from "../../firmware/transport/smp/client";
import { connectSmp, SmpHandshakeError } from "../../firmware/transport/smp/node/smp-connection";
import { NodeSmpClient } from "../../firmware/transport/smp/node/smp-client-node";
import { parseServerAddress, encodeServerAddress } from "../../firmware/transport/smp/server-address";
import { startRelay, RunningRelay } from "../relay-cli";

const provider = getProvider("noble");
const text = (s: string) => new TextEncoder().encode(s);
const str = (m: ReceivedMessage) => (m.body.quota ? "QUOTA" : new TextDecoder().decode(m.body.body as Uint8Array));

function nextMessage(c: NodeSmpClient): Promise<ReceivedMessage> {
  return new Promise((resolve) => {
    const l = (e: ClientEvent) => {
      if (e.type === "message") resolve(e.message);
    };
    c.onEvent(l);
  });
}

function nextEvent(c: NodeSmpClient, type: ClientEvent["type"]): Promise<ClientEvent> {
  return new Promise((resolve) => c.onEvent((e) => e.type === type && resolve(e)));
}

for (const alg of ["ed25519", "ed448"] as const) {
  describe(`client ↔ relay over TLS (${alg} identity)`, () => {
    let relay: RunningRelay;
    beforeAll(async () => {
      relay = await startRelay(["--port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-relay-")), "--cert", alg, "--provider", "noble", "--quota", "3"], () => {});
    });
    afterAll(async () => relay.close());

    for (const tlsVersion of ["TLSv1.3", "TLSv1.2"] as const) {
      it(`handshakes over ${tlsVersion}: v9, tls-unique of ${tlsVersion === "TLSv1.3" ? 32 : 12} bytes, signed X25519 key`, async () => {
        const s = await connectSmp(relay.address, { provider, tlsVersion });
        expect(s.version).toBe(9);
        expect(s.tlsProtocol).toBe(tlsVersion);
        expect(s.sessionId.length).toBe(tlsVersion === "TLSv1.3" ? 32 : 12);
        expect(s.serverDhKey?.length).toBe(32);
        expect(s.socket.alpnProtocol).toBe("smp/1");
        s.close();
      });
    }

    it("rejects a wrong keyHash (IDENTITY) and a version range without overlap (VERSION)", async () => {
      const a = parseServerAddress(relay.address);
      if (!a.ok) throw new Error(a.error);
      const wrong = encodeServerAddress({ ...a.value, keyHash: new Uint8Array(32) });
      await expect(connectSmp(wrong, { provider })).rejects.toMatchObject({ code: "IDENTITY" });
      await expect(connectSmp(relay.address, { provider, versions: { min: 10, max: 12 } })).rejects.toBeInstanceOf(SmpHandshakeError);
      // without ALPN the relay offers only v6 (as simplexmq): our v7..9 client finds no common version
      await expect(connectSmp(relay.address, { provider, alpn: false })).rejects.toMatchObject({ code: "VERSION" });
    });

    it("NEW, KEY, SEND (signed), MSG decrypted, ACK, GET, OFF, DEL", async () => {
      const r = await NodeSmpClient.connect(relay.address, { provider, reconnect: false });
      const s = await NodeSmpClient.connect(relay.address, { provider, reconnect: false });
      const rk = generateAuthKeyPair(provider, "ed25519");
      const q = await r.createQueue(rk, { sndSecure: false });
      const sk = generateAuthKeyPair(provider, "x25519");
      const sq = { senderId: q.senderId, senderKey: undefined as undefined | typeof sk };
      const m1 = nextMessage(r);
      await s.send(sq, text("unsigned before KEY"));
      const got1 = await m1;
      expect(str(got1)).toBe("unsigned before KEY");
      await r.secureQueue(q, authPublicKey(sk));
      await expect(s.send(sq, text("now unsigned"))).rejects.toThrow("ERR AUTH");
      sq.senderKey = sk;
      await s.send(sq, text("signed with an X25519 authenticator"));
      const m2 = nextMessage(r);
      await r.ack(q, got1.msgId); // ACK returns the next message, emitted as an event
      expect(str(await m2)).toBe("signed with an X25519 authenticator");
      await expect(r.get(q)).rejects.toThrow("CMD PROHIBITED");
      await r.suspend(q);
      await expect(s.send(sq, text("after OFF"))).rejects.toThrow("ERR AUTH");
      await r.deleteQueue(q);
      await expect(s.send(sq, text("after DEL"))).rejects.toThrow("ERR AUTH");
      r.close();
      s.close();
    });

    it("SKEY by the sender (v9), GET without subscribing, quota", async () => {
      const r = await NodeSmpClient.connect(relay.address, { provider, reconnect: false });
      const q = await r.createQueue(generateAuthKeyPair(provider, "ed25519"), { sndSecure: true, subscribe: false });
      expect(q.sndSecure).toBe(true);
      const sk = generateAuthKeyPair(provider, "ed25519");
      await r.secureQueueBySender({ senderId: q.senderId, senderKey: undefined }, sk);
      const sq = { senderId: q.senderId, senderKey: sk };
      for (const n of [1, 2, 3]) await r.send(sq, text(`m${n}`));
      await expect(r.send(sq, text("m4"))).rejects.toThrow("ERR QUOTA");
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const m = await r.get(q);
        if (!m) break;
        seen.push(str(m));
        await r.ack(q, m.msgId);
      }
      expect(seen).toEqual(["m1", "m2", "m3", "QUOTA"]);
      expect(await r.get(q)).toBeUndefined();
      r.close();
    });

    it("reconnects with backoff and resubscribes; takeover sends END", async () => {
      const r = await NodeSmpClient.connect(relay.address, { provider, backoffInitialMs: 20 });
      const s = await NodeSmpClient.connect(relay.address, { provider, reconnect: false });
      const q = await r.createQueue(generateAuthKeyPair(provider, "ed25519"), { sndSecure: false });
      r.dropConnection();
      await new Promise((res) => setTimeout(res, 300));
      expect(r.reconnects).toBe(1);
      const m = nextMessage(r);
      await s.send({ senderId: q.senderId, senderKey: undefined }, text("after reconnect"));
      expect(str(await m)).toBe("after reconnect");
      const other = await NodeSmpClient.connect(relay.address, { provider, reconnect: false });
      const end = nextEvent(r, "end");
      await other.subscribe(q);
      expect((await end).type).toBe("end");
      r.close();
      s.close();
      other.close();
    });

    it("picks the session connector by URI scheme", async () => {
      await expect(NodeSmpClient.connect("grpx://abc@h:1", { provider })).rejects.toThrow("no session connector for 'grpx://'");
      let used = 0;
      const c = await NodeSmpClient.connect(relay.address, { provider, reconnect: false, connector: (a, o) => (used++, connectSmp(a, o)) });
      await c.ping();
      expect(used).toBe(1);
      c.close();
    });

    it("sends no SNI", async () => {
      const a = parseServerAddress(relay.address);
      if (!a.ok) throw new Error();
      const server = tls.createServer({ key: relay.server["o"].identity.pem.key, cert: relay.server["o"].identity.pem.cert, ALPNProtocols: ["smp/1"] });
      const sni = new Promise<string | false | null>((resolve) => server.on("secureConnection", (sock) => resolve(sock.servername)));
      await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
      const port = (server.address() as { port: number }).port;
      const p = connectSmp({ ...a.value, hosts: ["localhost"], port }, { provider, timeoutMs: 500 }).catch(() => undefined);
      expect(await sni).toBeFalsy();
      await p;
      server.close();
    });
  });
}
