// `tsense relay --workers 2`: the conformance catalogue over SMP and GRP against two
// processes, traffic that really crosses them (a connection's process is read from the
// owner byte of the queue it creates), takeover across processes, and the process life
// cycle of the CLI (clean stop, a crashed worker fails the relay).
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { authPublicKey, type ClientEvent, generateAuthKeyPair, type ReceivedMessage, type RecipientQueue } from "../../firmware/transport/smp/client";
import { NodeSmpClient } from "../../firmware/transport/smp/node/smp-client-node";
import { GrpQueueClient } from "../../firmware/transport/grp/node/grp-queue-client";
import { CATALOGUE } from "../conformance/cases";
import { runCases } from "../conformance/runner";
import { SmpTransport } from "../conformance/smp-transport";
import { GrpTransport } from "../conformance/grp/grp-transport";
import { startRelayCluster, type RelayCluster } from "./cluster";

const provider = getProvider("noble");
const text = (s: string) => new TextEncoder().encode(s);
const str = (m: ReceivedMessage) => (m.body.quota ? "QUOTA" : new TextDecoder().decode(m.body.body as Uint8Array));
type Client = NodeSmpClient | GrpQueueClient;
const nextEvent = (c: Client, type: ClientEvent["type"]) => new Promise<ClientEvent>((resolve) => c.onEvent((e) => e.type === type && resolve(e)));
const nextMessage = (c: Client) => nextEvent(c, "message").then((e) => (e as Extract<ClientEvent, { type: "message" }>).message);
/** the worker owning a queue: the first id byte modulo the worker count (CommandHandler Shard) */
const ownerOf = (q: RecipientQueue) => q.recipientId[0] % 2;

describe("relay with --workers 2", () => {
  let relay: RelayCluster;
  const clients: Client[] = [];
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsense-cluster-"));
    relay = await startRelayCluster(["--port", "0", "--grp-port", "0", "--data-dir", dir, "--provider", "noble", "--quota", "8"], 2, () => {});
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await relay?.close();
  });

  /** SMP clients until one landed on each worker; returns [on worker 0, on worker 1] with a queue each */
  async function onEachWorker(): Promise<[{ c: NodeSmpClient; q: RecipientQueue }, { c: NodeSmpClient; q: RecipientQueue }]> {
    const found: ({ c: NodeSmpClient; q: RecipientQueue } | undefined)[] = [undefined, undefined];
    for (let i = 0; i < 20 && (found[0] === undefined || found[1] === undefined); i++) {
      const c = await NodeSmpClient.connect(relay.address, { provider, reconnect: false });
      clients.push(c);
      const q = await c.createQueue(generateAuthKeyPair(provider, "ed25519"), { sndSecure: false });
      found[ownerOf(q)] ??= { c, q };
    }
    if (found[0] === undefined || found[1] === undefined) throw new Error("20 connections all landed on one worker");
    return found as [{ c: NodeSmpClient; q: RecipientQueue }, { c: NodeSmpClient; q: RecipientQueue }];
  }

  it("passes the whole conformance catalogue over SMP and over GRP", async () => {
    for (const [address, transport] of [[relay.address, new SmpTransport(provider)], [relay.grpAddress!, new GrpTransport(provider)]] as const) {
      const results = await runCases({ address, provider, transports: [transport], cases: CATALOGUE, caseTimeoutMs: 20_000 });
      const failed = results.filter((r) => r.status === "failed").map((r) => `${r.id}: ${r.message}`);
      expect(failed).toEqual([]);
      // skipped only: the other transport's handshake cases
      expect(results.filter((r) => r.status === "skipped").every((r) => r.message?.startsWith("not for "))).toBe(true);
    }
    const s = await relay.stats();
    // the suite's multi-connection cases crossed processes in both directions
    expect(s.workers.map((w) => w.forwarder.received > 0)).toEqual([true, true]);
  }, 120_000);

  it("delivers from a sender on one process to a recipient on the other, in both directions", async () => {
    const [a, b] = await onEachWorker();
    for (const [rcv, snd] of [[a, b], [b, a]]) {
      const sk = generateAuthKeyPair(provider, "ed25519");
      await rcv.c.secureQueue(rcv.q, authPublicKey(sk));
      for (const n of [1, 2, 3]) {
        const m = nextMessage(rcv.c);
        await snd.c.send({ senderId: rcv.q.senderId, senderKey: sk }, text(`m${n}`));
        const got = await m;
        expect(str(got)).toBe(`m${n}`);
        await rcv.c.ack(rcv.q, got.msgId);
      }
      // unsigned SEND to a secured queue owned by the other process: ERR AUTH as in one process
      await expect(snd.c.send({ senderId: rcv.q.senderId, senderKey: undefined }, text("x"))).rejects.toThrow(/AUTH/);
    }
  });

  it("takeover across processes: END to the displaced subscriber, delivery and ACK at the new one, SUB+GET prohibited", async () => {
    const [a, b] = await onEachWorker();
    // b's connection subscribes to a's queue (owned by worker 0) with a's recipient key
    const end = nextEvent(a.c, "end");
    await b.c.subscribe(a.q);
    expect(Buffer.from((await end as Extract<ClientEvent, { type: "end" }>).recipientId as Uint8Array)).toEqual(Buffer.from(a.q.recipientId as Uint8Array));
    const sk = generateAuthKeyPair(provider, "x25519");
    const m = nextMessage(b.c);
    await a.c.send({ senderId: a.q.senderId, senderKey: undefined }, text("to the new subscriber"));
    const got = await m;
    expect(str(got)).toBe("to the new subscriber");
    await expect(b.c.ack(a.q, new Uint8Array(24))).rejects.toThrow(/NO_MSG/);
    await b.c.ack(a.q, got.msgId);
    await b.c.secureQueue(a.q, authPublicKey(sk));
    // GET on the session holding the subscription (at the other process): CMD PROHIBITED
    await expect(b.c.get(a.q)).rejects.toThrow(/PROHIBITED/);
    // and the displaced session may take it back (END goes the other way)
    const end2 = nextEvent(b.c, "end");
    await a.c.subscribe(a.q);
    await end2;
  });

  it("quota of a queue owned by the other process", async () => {
    const [a, b] = await onEachWorker();
    const results: string[] = [];
    for (let i = 0; i < 10; i++) {
      results.push(await b.c.send({ senderId: a.q.senderId, senderKey: undefined }, text(`q${i}`)).then(() => "OK", (e: Error) => e.message));
    }
    expect(results.slice(0, 8).every((r) => r === "OK")).toBe(true);
    expect(results.slice(8).every((r) => /QUOTA/.test(r))).toBe(true);
  });

  it("a GRP device (worker 0 serves GRP) sends to a queue owned by worker 1", async () => {
    const [, b] = await onEachWorker();
    const grp = await GrpQueueClient.connect(relay.grpAddress!, { provider });
    clients.push(grp);
    const sk = generateAuthKeyPair(provider, "x25519");
    await b.c.secureQueue(b.q, authPublicKey(sk));
    const m = nextMessage(b.c);
    await grp.send({ senderId: b.q.senderId, senderKey: sk }, text("reading"));
    expect(str(await m)).toBe("reading");
    // and receives on a queue it created (owned by worker 0) from an SMP sender on worker 1
    const q = await grp.createQueue(generateAuthKeyPair(provider, "ed25519"), { sndSecure: false });
    expect(ownerOf(q)).toBe(0);
    const m2 = nextMessage(grp);
    await b.c.send({ senderId: q.senderId, senderKey: undefined }, text("command"));
    expect(str(await m2)).toBe("command");
  });
});

describe("tsense relay --workers 2 (process life cycle)", () => {
  const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
  function startCli(): Promise<{ proc: ReturnType<typeof spawn>; pids: number[]; out: () => string; exited: Promise<number | null> }> {
    const proc = spawn(process.execPath, [join(ROOT, "tsense.mjs"), "relay", "--workers", "2", "--port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-cluster-cli-"))], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout!.on("data", (d) => (out += d));
    proc.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    return new Promise((resolve, reject) => {
      const t = setInterval(() => {
        const m = /pids (\d+), (\d+)/.exec(out);
        if (m) {
          clearInterval(t);
          resolve({ proc, pids: [Number(m[1]), Number(m[2])], out: () => out, exited });
        }
      }, 50);
      void exited.then(() => {
        clearInterval(t);
        reject(new Error(`relay exited early: ${out}`));
      });
    });
  }
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it("stops every process on SIGTERM and exits 0", async () => {
    const r = await startCli();
    expect(r.out()).toMatch(/SMP relay listening: smp:\/\//);
    expect(r.pids.every(alive)).toBe(true);
    r.proc.kill("SIGTERM");
    expect(await r.exited).toBe(0);
    expect(r.pids.some(alive)).toBe(false);
  }, 60_000);

  it("reports a crashed worker, stops the other one and exits non-zero", async () => {
    const r = await startCli();
    process.kill(r.pids[1], "SIGKILL");
    expect(await r.exited).toBe(1);
    expect(r.out()).toMatch(/relay worker 1 \(pid \d+\) exited with SIGKILL/);
    expect(alive(r.pids[0])).toBe(false);
  }, 60_000);
});
