/**
 * Direct links between the worker processes of a sharded relay (relay/cluster.ts): one Unix
 * domain socket per worker in a directory the primary made, and binary frames for the
 * Forwarder's messages. Cluster IPC would route every worker-to-worker message through the
 * primary (two extra copies and a third process on the CPU per forwarded 16 KiB block, and
 * a structured-clone encoding); these frames carry the blocks as they are.
 *
 * Frame: u32 length of the rest, u8 kind, u8 from, u32 token, then
 *   fwd:   u8 version, u8 n + session id, u8 n + X25519 key (n = 0: none), u16 count, count × (u16 n + transmission)
 *   out:   u32 subscriptions, u16 count, count × (u16 n + block)
 *   close: nothing
 * A worker connects to a peer the first time it has something for it; the peer is listening
 * by then (it owns a queue, so it has started).
 *
 * LINKS_PER_PEER sockets per peer, chosen by the client session's token: the unread bytes
 * of one Unix socket are capped by its send buffer (≈ 208 KiB, net.core.wmem_default), so
 * a peer whose event-loop turns take 100–200 ms under load drains ≈ 13 forwarded 16 KiB
 * blocks per turn from it. With one socket the bench's cross workload had 4–7 MiB queued
 * in the writer and the forwarded messages 3–7× the latency of the others; with 16 the
 * queue stayed under 1 MiB and the latencies close. Frames of one session (its commands,
 * its proxy's replies, its close) share a socket, so they keep their order, which is what
 * per-queue FIFO and ACK-after-MSG need; frames of different sessions have no order
 * between them in one process either.
 */
import * as net from "node:net";
import { join } from "node:path";
import type { ShardMessage } from "./forwarder";

const KIND_FWD = 1;
const KIND_OUT = 2;
const KIND_CLOSE = 3;
const HEADER = 4 + 1 + 1 + 4;
const PEER_GONE = new Set(["EPIPE", "ECONNRESET", "ENOENT", "ECONNREFUSED"]);
export const LINKS_PER_PEER = 16;

export function socketPath(dir: string, index: number): string {
  return join(dir, `${index}.sock`);
}

function lengthPrefixed8(b: Uint8Array | undefined): Buffer[] {
  const n = b === undefined ? 0 : b.length;
  return n === 0 ? [Buffer.of(0)] : [Buffer.of(n), Buffer.from(b!.buffer, b!.byteOffset, n)];
}

function list16(items: Uint8Array[]): Buffer[] {
  const parts: Buffer[] = [Buffer.of(items.length >>> 8, items.length & 0xff)];
  for (const it of items) parts.push(Buffer.of(it.length >>> 8, it.length & 0xff), Buffer.from(it.buffer, it.byteOffset, it.length));
  return parts;
}

/** One frame as a list of buffers (the payloads are not copied). */
export function encodeShardMessage(m: ShardMessage): Buffer[] {
  const body: Buffer[] = [];
  if (m.t === "fwd") {
    body.push(Buffer.of(m.session.version), ...lengthPrefixed8(m.session.sessionId), ...lengthPrefixed8(m.session.serverDhSecretKey), ...list16(m.txs));
  } else if (m.t === "out") {
    const subs = Buffer.alloc(4);
    subs.writeUInt32BE(m.subs);
    body.push(subs, ...list16(m.blocks));
  }
  let len = HEADER - 4;
  for (const b of body) len += b.length;
  const head = Buffer.alloc(HEADER);
  head.writeUInt32BE(len, 0);
  head[4] = m.t === "fwd" ? KIND_FWD : m.t === "out" ? KIND_OUT : KIND_CLOSE;
  head[5] = m.from;
  head.writeUInt32BE(m.token, 6);
  return [head, ...body];
}

/** Decodes one frame (without its length prefix); `to` is the receiving worker. Views, no copies. */
export function decodeShardMessage(f: Buffer, to: number): ShardMessage {
  const kind = f[0];
  const from = f[1];
  const token = f.readUInt32BE(2);
  let off = 6;
  const list = (): Buffer[] => {
    const n = f.readUInt16BE(off);
    off += 2;
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const l = f.readUInt16BE(off);
      out.push(f.subarray(off + 2, off + 2 + l));
      off += 2 + l;
    }
    return out;
  };
  const bytes8 = (): Buffer => {
    const l = f[off];
    const b = f.subarray(off + 1, off + 1 + l);
    off += 1 + l;
    return b;
  };
  if (kind === KIND_FWD) {
    const version = f[off++];
    const sessionId = bytes8();
    const dh = bytes8();
    return { t: "fwd", to, from, token, session: { sessionId, version, serverDhSecretKey: dh.length === 0 ? undefined : dh }, txs: list() };
  }
  if (kind === KIND_OUT) {
    const subs = f.readUInt32BE(off);
    off += 4;
    return { t: "out", to, from, token, subs, blocks: list() };
  }
  if (kind === KIND_CLOSE) return { t: "close", to, from, token };
  throw new Error(`shard link: unknown frame kind ${kind}`);
}

/** Splits a byte stream into frames (each returned without its length prefix). */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    let buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLen);
    const frames: Buffer[] = [];
    while (buf.length >= 4) {
      const len = buf.readUInt32BE(0);
      if (buf.length < 4 + len) break;
      frames.push(buf.subarray(4, 4 + len));
      buf = buf.subarray(4 + len);
    }
    this.pending = buf.length > 0 ? [buf] : [];
    this.pendingLen = buf.length;
    return frames;
  }
}

export class ShardLinks {
  private server: net.Server | undefined;
  /** outgoing sockets by peer * LINKS_PER_PEER + lane */
  private readonly peers = new Map<number, net.Socket>();
  private readonly inbound = new Set<net.Socket>();
  private corked = new Set<net.Socket>();

  constructor(
    private readonly dir: string,
    private readonly index: number,
    private readonly onMessage: (m: ShardMessage) => void,
    /** a link broke while the relay runs: the relay cannot work without it */
    private readonly onFailure: (why: string) => void,
  ) {}

  listen(): Promise<void> {
    this.server = net.createServer((s) => {
      this.inbound.add(s);
      const reader = new FrameReader();
      s.on("data", (c: Buffer) => {
        for (const f of reader.push(c)) this.onMessage(decodeShardMessage(f, this.index));
      });
      s.on("error", () => s.destroy());
      s.on("close", () => this.inbound.delete(s));
    });
    return new Promise((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(socketPath(this.dir, this.index), () => resolve());
    });
  }

  /** Sends m to worker m.to; frames written in one event-loop turn go out together. */
  post(m: ShardMessage): void {
    const lane = m.to * LINKS_PER_PEER + (m.token % LINKS_PER_PEER);
    let s = this.peers.get(lane);
    if (s === undefined) {
      const peer = m.to;
      s = net.connect(socketPath(this.dir, peer));
      const sock = s;
      sock.on("error", (e: NodeJS.ErrnoException) => {
        // the next frame for this peer opens a new link
        if (this.peers.get(lane) === sock) this.peers.delete(lane);
        // a peer that is gone (or going: its socket file is removed on stop) exited, and the
        // primary reports that and stops the relay; anything else is this link's failure
        if (!PEER_GONE.has(e.code ?? "")) this.onFailure(`link to relay worker ${peer}: ${e.message}`);
      });
      this.peers.set(lane, s);
    }
    if (!this.corked.has(s)) {
      this.corked.add(s);
      s.cork();
      const sock = s;
      process.nextTick(() => {
        this.corked.delete(sock);
        sock.uncork();
      });
    }
    for (const b of encodeShardMessage(m)) s.write(b);
  }

  async close(): Promise<void> {
    for (const s of this.peers.values()) s.destroy();
    for (const s of this.inbound) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
