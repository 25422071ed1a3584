/**
 * A TCP proxy on loopback between devices and the relay that applies link faults: it can
 * drop a device's link (cutting its connections and any it opens while down), and delay
 * each direction's bytes by latency + uniform jitter while keeping their order. Memory is
 * bounded: past `maxBufferedBytes` waiting in one direction the sending socket is paused
 * until the queue drains to half; past `maxConnections` new connections are refused.
 *
 * Which device a connection belongs to: the device driver calls `assign(localPort, key)`
 * in its socket's connect callback, before it writes anything (the proxy sees that port as
 * the connection's remote port). Unassigned connections get the default link.
 *
 * Delays are virtual milliseconds divided by `speed` (the scheduler's acceleration).
 */
import { type AddressInfo, type Server, type Socket, createConnection, createServer } from "node:net";
import { Rng } from "../models/rng";
import type { LinkState } from "./fault-plan";

export interface LinkProxyOptions {
  targetHost?: string;
  targetPort: number;
  listenHost?: string;
  /** Virtual ms per wall ms (default 1). */
  speed?: number;
  /** Jitter randomness (default a fixed seed). */
  rng?: Rng;
  /** Bytes queued per direction of one connection before its sender is paused (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Open connections before new ones are refused (default 20000). */
  maxConnections?: number;
}

export interface LinkProxyStats {
  accepted: number;
  refused: number;
  /** Connections cut because their link went (or was) down. */
  cut: number;
  bytesUp: number;
  bytesDown: number;
  /** Times a sender was paused for a full queue. */
  paused: number;
}

const UP: LinkState = { up: true, latencyMs: 0, jitterMs: 0 };

interface Pipe {
  queue: { due: number; chunk: Buffer }[];
  bytes: number;
  lastDue: number;
  timer: NodeJS.Timeout | undefined;
  ended: boolean;
}

interface Conn {
  client: Socket;
  upstream: Socket;
  remotePort: number;
  key: string | undefined;
  up: Pipe;
  down: Pipe;
  closed: boolean;
}

export class LinkProxy {
  readonly stats: LinkProxyStats = { accepted: 0, refused: 0, cut: 0, bytesUp: 0, bytesDown: 0, paused: 0 };
  private server: Server | undefined;
  private readonly conns = new Set<Conn>();
  private readonly ports = new Map<number, string>();
  private readonly links = new Map<string, LinkState>();
  private defaultLink: LinkState = UP;
  private readonly rng: Rng;
  private readonly speed: number;
  private readonly maxBuffered: number;
  private readonly maxConnections: number;

  constructor(private readonly options: LinkProxyOptions) {
    this.rng = options.rng ?? new Rng("link-proxy");
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new Error(`link proxy: speed must be > 0, got ${this.speed}`);
    this.maxBuffered = options.maxBufferedBytes ?? 1 << 20;
    this.maxConnections = options.maxConnections ?? 20_000;
  }

  /** Starts listening; resolves with the address devices should connect to. */
  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    const host = this.options.listenHost ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, () => resolve());
    });
    return { host, port: (server.address() as AddressInfo).port };
  }

  /** Ties the connection from `localPort` (the device's side) to a device key. */
  assign(localPort: number, key: string): void {
    this.ports.set(localPort, key);
    for (const c of this.conns) {
      if (c.remotePort === localPort && c.key === undefined) {
        c.key = key;
        if (!this.linkOf(key).up) this.cut(c);
      }
    }
  }

  /** Sets a device's link; down cuts its open connections. */
  setLink(key: string, state: LinkState): void {
    this.links.set(key, state);
    if (!state.up) for (const c of this.conns) if (c.key === key) this.cut(c);
  }

  /** The link for devices without their own setting (and unassigned connections). */
  setDefaultLink(state: LinkState): void {
    this.defaultLink = state;
    if (!state.up) for (const c of this.conns) if (c.key === undefined || !this.links.has(c.key)) this.cut(c);
  }

  /** Cuts every connection of a device now (the link stays as it is). Returns how many. */
  drop(key: string): number {
    let n = 0;
    for (const c of this.conns) {
      if (c.key === key) {
        this.cut(c);
        n++;
      }
    }
    return n;
  }

  get openConnections(): number {
    return this.conns.size;
  }

  async close(): Promise<void> {
    for (const c of [...this.conns]) this.destroy(c);
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()));
  }

  private linkOf(key: string | undefined): LinkState {
    return (key === undefined ? undefined : this.links.get(key)) ?? this.defaultLink;
  }

  private accept(client: Socket): void {
    if (this.conns.size >= this.maxConnections) {
      this.stats.refused++;
      client.destroy();
      return;
    }
    this.stats.accepted++;
    client.setNoDelay(true);
    const remotePort = client.remotePort ?? -1;
    const upstream = createConnection({ host: this.options.targetHost ?? "127.0.0.1", port: this.options.targetPort });
    upstream.setNoDelay(true);
    const pipe = (): Pipe => ({ queue: [], bytes: 0, lastDue: 0, timer: undefined, ended: false });
    const c: Conn = { client, upstream, remotePort, key: this.ports.get(remotePort), up: pipe(), down: pipe(), closed: false };
    this.conns.add(c);
    if (!this.linkOf(c.key).up) {
      this.cut(c);
      return;
    }
    client.on("data", (chunk) => {
      this.stats.bytesUp += chunk.length;
      this.forward(c, c.up, client, upstream, chunk);
    });
    upstream.on("data", (chunk) => {
      this.stats.bytesDown += chunk.length;
      this.forward(c, c.down, upstream, client, chunk);
    });
    client.on("end", () => this.endPipe(c, c.up, upstream));
    upstream.on("end", () => this.endPipe(c, c.down, client));
    client.on("error", () => this.destroy(c));
    upstream.on("error", () => this.destroy(c));
    client.on("close", () => this.destroy(c));
    upstream.on("close", () => this.destroy(c));
  }

  private forward(c: Conn, p: Pipe, from: Socket, to: Socket, chunk: Buffer): void {
    if (c.closed) return;
    if (c.key === undefined) c.key = this.ports.get(c.remotePort);
    const link = this.linkOf(c.key);
    if (!link.up) {
      this.cut(c);
      return;
    }
    const delay = link.latencyMs + link.jitterMs * this.rng.next();
    if (delay <= 0 && p.queue.length === 0) {
      to.write(chunk);
      return;
    }
    const now = performance.now();
    // Keep order: never due before the chunk ahead of it.
    const due = Math.max(p.lastDue, now + delay / this.speed);
    p.lastDue = due;
    p.queue.push({ due, chunk });
    p.bytes += chunk.length;
    if (p.bytes > this.maxBuffered && !from.isPaused()) {
      from.pause();
      this.stats.paused++;
    }
    this.arm(c, p, from, to);
  }

  private arm(c: Conn, p: Pipe, from: Socket, to: Socket): void {
    if (p.timer !== undefined || p.queue.length === 0) return;
    const wait = Math.max(0, p.queue[0].due - performance.now());
    p.timer = setTimeout(() => {
      p.timer = undefined;
      if (c.closed) return;
      const now = performance.now();
      while (p.queue.length > 0 && p.queue[0].due <= now + 0.5) {
        const item = p.queue.shift() as { due: number; chunk: Buffer };
        p.bytes -= item.chunk.length;
        to.write(item.chunk);
      }
      if (p.bytes <= this.maxBuffered / 2 && from.isPaused()) from.resume();
      if (p.queue.length === 0 && p.ended) to.end();
      this.arm(c, p, from, to);
    }, wait);
  }

  private endPipe(c: Conn, p: Pipe, to: Socket): void {
    p.ended = true;
    if (p.queue.length === 0 && !c.closed) to.end();
  }

  private cut(c: Conn): void {
    if (c.closed) return;
    this.stats.cut++;
    this.destroy(c);
  }

  private destroy(c: Conn): void {
    if (c.closed) return;
    c.closed = true;
    for (const p of [c.up, c.down]) {
      if (p.timer !== undefined) clearTimeout(p.timer);
      p.queue = [];
      p.bytes = 0;
    }
    c.client.destroy();
    c.upstream.destroy();
    this.conns.delete(c);
  }
}
