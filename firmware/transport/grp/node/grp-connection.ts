/**
 * GRP for Node clients: a TCP socket driving the sans-I/O GrpClientSession, giving a
 * BlockSession with the same shape as SMP's NodeSmpSession (setHandler, onClose,
 * send, close), so the queue client runs unchanged: choosing GRP is a URI change.
 *
 * The relay's ML-KEM key is cached per relay static key: the first connection uses XX
 * and learns it, later ones use IK. If the relay refused the cached key (status 1,
 * rotated out), the driver reconnects once at once with the key the relay sent.
 */
import * as net from "node:net";
import type { CryptoProvider } from "../../../crypto/provider";
import type { Bytes } from "../../../port/bytes";
import type { BlockSession } from "../../block-session";
import { GrpClientSession, type RelayKemKeyInfo } from "../client-session";
import { EVENT_BLOCK, EVENT_CLOSED, EVENT_OPEN } from "../connection";
import { GrpBlockSession } from "../grp-block-session";
import { parseGrpUri, type GrpAddress } from "../uri";
import { SMP_MAX_VERSION, SMP_MIN_VERSION } from "../../smp/version";

export class GrpConnectError extends Error {
  constructor(
    readonly code: "NETWORK" | "TIMEOUT" | "HANDSHAKE" | "KEM_KEY",
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Relay ML-KEM keys learned so far, by relay static key (hex). */
export type GrpKemKeyCache = Map<string, RelayKemKeyInfo>;
const defaultCache: GrpKemKeyCache = new Map();

export interface GrpConnectOptions {
  provider: CryptoProvider;
  versions?: { min: number; max: number };
  timeoutMs?: number;
  kemKeyCache?: GrpKemKeyCache;
  /** for tests: dial this host instead of the address's */
  host?: string;
}

/** A live GRP session. Set a handler before blocks can arrive (they are queued until then). */
export class NodeGrpSession implements BlockSession {
  onBlock: ((b: Bytes) => void) | undefined;
  onClose: ((reason: string) => void) | undefined;
  closed = false;
  closeReason = "";
  private queued: Bytes[] = [];
  private readonly inner: GrpBlockSession;

  constructor(
    readonly socket: net.Socket,
    readonly conn: GrpClientSession,
    relayStaticKey: Bytes,
    private readonly flush: () => void,
  ) {
    this.inner = new GrpBlockSession(conn, relayStaticKey, flush);
  }

  get sessionId(): Bytes {
    return this.inner.sessionId;
  }
  get version(): number {
    return this.inner.version;
  }
  get serverDhKey(): Bytes | undefined {
    return this.inner.serverDhKey;
  }
  /** "IK" or "XX" */
  get pattern(): string {
    return this.conn.usesIK() ? "IK" : "XX";
  }

  send(blocks: Bytes[]): void {
    if (!this.closed) this.inner.send(blocks);
  }

  close(): void {
    this.inner.close();
  }

  deliver(b: Bytes): void {
    if (this.onBlock) this.onBlock(b);
    else this.queued.push(b);
  }

  setHandler(onBlock: (b: Bytes) => void): void {
    this.onBlock = onBlock;
    const q = this.queued;
    this.queued = [];
    for (const b of q) onBlock(b);
  }
}

function connectOnce(a: GrpAddress, o: GrpConnectOptions, cache: GrpKemKeyCache): Promise<NodeGrpSession> {
  const cacheKey = Buffer.from(a.relayStaticKey as Uint8Array).toString("hex");
  const conn = new GrpClientSession(
    o.provider,
    {
      relayStaticKey: a.relayStaticKey,
      pinnedKemKeyId: a.kemKeyId,
      cachedKemKey: cache.get(cacheKey),
      clientStatic: undefined,
      smpMin: o.versions?.min ?? SMP_MIN_VERSION,
      smpMax: o.versions?.max ?? SMP_MAX_VERSION,
      handshakeTimeoutMs: o.timeoutMs,
      random: undefined,
    },
    Date.now(),
  );
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: o.host ?? a.host, port: a.port });
    socket.setNoDelay(true);
    let session: NodeGrpSession | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const fail = (e: GrpConnectError) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const flush = () => {
      const out = conn.takeOutput();
      if (out.length > 0 && !socket.destroyed) socket.write(out as Uint8Array);
      handleEvents();
    };
    const handleEvents = () => {
      for (const e of conn.takeEvents()) {
        if (e.kind === EVENT_OPEN) {
          const learned = conn.relayKemKey();
          if (learned) cache.set(cacheKey, learned);
          if (timer) clearTimeout(timer);
          session = new NodeGrpSession(socket, conn, a.relayStaticKey, flush);
          settled = true;
          resolve(session);
        } else if (e.kind === EVENT_BLOCK && e.block) {
          session?.deliver(e.block);
        } else if (e.kind === EVENT_CLOSED) {
          const learned = conn.relayKemKey();
          if (learned) cache.set(cacheKey, learned);
          if (session) {
            session.closed = true;
            session.closeReason = e.reason;
          }
          socket.end();
          if (!settled) {
            fail(new GrpConnectError(conn.wasKemKeyRejected() ? "KEM_KEY" : "HANDSHAKE", e.reason));
          }
        }
      }
    };
    const schedule = () => {
      if (timer) clearTimeout(timer);
      const d = conn.deadline();
      if (d < 0) return;
      timer = setTimeout(() => {
        conn.tick(Date.now());
        flush();
        if (!settled) fail(new GrpConnectError("TIMEOUT", "handshake timed out"));
      }, Math.max(0, d - Date.now()));
    };
    socket.on("connect", () => {
      conn.start();
      flush();
      schedule();
    });
    socket.on("data", (chunk: Buffer) => {
      conn.receive(new Uint8Array(chunk), Date.now());
      flush();
      schedule();
    });
    socket.on("error", (e) => fail(new GrpConnectError("NETWORK", e.message)));
    socket.on("close", () => {
      if (timer) clearTimeout(timer);
      if (!settled) return fail(new GrpConnectError("NETWORK", "connection closed during handshake"));
      if (!conn.isClosed()) conn.close("connection closed");
      conn.takeEvents();
      if (session && !session.closed) {
        session.closed = true;
        session.closeReason = session.closeReason || "connection closed";
      }
      if (session) session.onClose?.(session.closeReason || "connection closed");
    });
  });
}

/** Connects to grp://…; throws GrpConnectError on failure. */
export async function connectGrp(address: string | GrpAddress, o: GrpConnectOptions): Promise<NodeGrpSession> {
  const a = typeof address === "string" ? parseGrpUri(address) : address;
  const cache = o.kemKeyCache ?? defaultCache;
  try {
    return await connectOnce(a, o, cache);
  } catch (e) {
    // The relay rotated its ML-KEM key past the grace period and sent the new one: retry once.
    if (e instanceof GrpConnectError && e.code === "KEM_KEY") return connectOnce(a, o, cache);
    throw e;
  }
}
