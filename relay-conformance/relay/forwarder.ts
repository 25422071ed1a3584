/**
 * The cross-process half of a sharded relay (relay/cluster.ts): each process owns the queues
 * it created (CommandHandler Shard), and this class carries the rest between processes as
 * messages, whatever the channel (cluster IPC in production, a direct call in tests).
 *
 * - origin → owner `fwd`: raw transmissions of a client session, with the session's
 *   parameters; the owner runs them on a proxy RelaySession (same session id, version and
 *   X25519 key, so authorization is checked exactly as for a local session) that lives
 *   until the origin says `close`. Subscriptions, END to a displaced subscriber, one
 *   message in flight and SUB/GET exclusivity are all the owner's per-session state, so
 *   they behave as in one process.
 * - owner → origin `out`: every block the proxy sends (responses, MSG, END, DELD) without
 *   its padding (an OK to a forwarded SEND is a few bytes, not 16 KiB), with the
 *   proxy's subscription count (the origin's idle timeout must not close a connection whose
 *   subscriptions live elsewhere).
 *
 * Why forward commands rather than share the store: a store behind IPC would ship every
 * 16 KiB body across processes twice (SEND in, MSG out) and make the handler asynchronous;
 * here a connection that talks to its own queues (the common case: a recipient creates and
 * reads its queues, a device sends to the station's queue over the connection it keeps)
 * never leaves its process, and cross-process traffic costs one hop each way.
 */
import type { Bytes } from "../../firmware/port/bytes";
import { SMP_BLOCK_SIZE } from "../../firmware/transport/smp/block";
import type { CommandHandler, RelaySession, Shard } from "./command-handler";

export interface SessionWire {
  sessionId: Uint8Array;
  version: number;
  serverDhSecretKey: Uint8Array | undefined;
}

export type ShardMessage =
  | { t: "fwd"; to: number; from: number; token: number; session: SessionWire; txs: Uint8Array[] }
  | { t: "out"; to: number; from: number; token: number; subs: number; blocks: Uint8Array[] }
  | { t: "close"; to: number; from: number; token: number };

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.length));

/** SMP's pad byte ('#'), after a block's content */
const PAD = 0x23;

/** A block without its padding: the Word16 content length and the content. */
function unpadded(block: Bytes): Uint8Array {
  const b = block as Uint8Array;
  return b.subarray(0, 2 + ((b[0] << 8) + b[1]));
}

function padded(content: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(SMP_BLOCK_SIZE);
  b.set(content);
  b.fill(PAD, content.length);
  return b;
}

export class Forwarder implements Shard {
  private handler: CommandHandler | undefined;
  /** messages that arrived before attach (a peer may forward as soon as our listener is up) */
  private early: ShardMessage[] = [];
  private nextToken = 1;
  private readonly tokens = new WeakMap<RelaySession, number>();
  /** this process's client sessions that forwarded something, by token */
  private readonly origins = new Map<number, RelaySession>();
  /** proxies of other processes' sessions, by "origin:token" */
  private readonly proxies = new Map<string, RelaySession>();
  readonly counters = { forwarded: 0, received: 0 };

  constructor(
    readonly index: number,
    readonly count: number,
    /** delivers a message to process m.to */
    private readonly post: (m: ShardMessage) => void,
  ) {}

  /** The handler this forwarder serves (it is created with this forwarder as its shard). */
  attach(handler: CommandHandler): void {
    this.handler = handler;
    const early = this.early;
    this.early = [];
    for (const m of early) this.receive(m);
  }

  forward(s: RelaySession, owner: number, transmissions: Buffer[]): void {
    let token = this.tokens.get(s);
    if (token === undefined) {
      token = this.nextToken++;
      this.tokens.set(s, token);
      this.origins.set(token, s);
    }
    const p = s.params;
    this.counters.forwarded += transmissions.length;
    // the parameters go with every batch (≈ 70 bytes): a proxy needs no setup round trip
    this.post({
      t: "fwd", to: owner, from: this.index, token,
      session: { sessionId: p.sessionId as Uint8Array, version: p.version, serverDhSecretKey: p.serverDhSecretKey as Uint8Array | undefined },
      txs: transmissions,
    });
  }

  closed(s: RelaySession): void {
    const token = this.tokens.get(s);
    if (token === undefined) return;
    this.origins.delete(token);
    for (const owner of s.remoteSubs.keys()) this.post({ t: "close", to: owner, from: this.index, token });
  }

  /** A message from another process (m.to === this.index). */
  receive(m: ShardMessage): void {
    if (this.handler === undefined) return void this.early.push(m);
    if (m.t === "fwd") return this.runForwarded(m);
    if (m.t === "out") {
      const s = this.origins.get(m.token);
      if (s === undefined || s.closed) return; // the client left meanwhile
      s.remoteSubs.set(m.from, m.subs);
      s.params.send(m.blocks.map(padded));
      return;
    }
    const key = `${m.from}:${m.token}`;
    const proxy = this.proxies.get(key);
    this.proxies.delete(key);
    proxy?.close();
  }

  private runForwarded(m: Extract<ShardMessage, { t: "fwd" }>): void {
    const handler = this.handler!;
    const key = `${m.from}:${m.token}`;
    let proxy = this.proxies.get(key);
    if (proxy === undefined) {
      const { from, token } = m;
      const created: RelaySession = handler.openSession({
        sessionId: m.session.sessionId,
        version: m.session.version,
        serverDhSecretKey: m.session.serverDhSecretKey,
        send: (blocks) => this.post({ t: "out", to: from, from: this.index, token, subs: created.subs.size, blocks: blocks.map(unpadded) }),
      });
      proxy = created;
      this.proxies.set(key, proxy);
    }
    this.counters.received += m.txs.length;
    handler.processTransmissions(proxy, m.txs.map(asBuffer));
  }

  stats(): { proxies: number; origins: number; forwarded: number; received: number } {
    return { proxies: this.proxies.size, origins: this.origins.size, ...this.counters };
  }
}
