/**
 * grp:// for the conformance suite: the Node GRP client driver, then raw block access,
 * so every transport-neutral case of the catalogue runs over GRP unchanged. Also raw
 * TCP access for the GRP handshake cases (grp-cases.ts).
 */
import * as net from "node:net";
import type { CryptoProvider } from "../../../firmware/crypto/provider";
import type { Bytes } from "../../../firmware/port/bytes";
import { connectGrp, type GrpKemKeyCache, type NodeGrpSession } from "../../../firmware/transport/grp/node/grp-connection";
import { parseGrpUri } from "../../../firmware/transport/grp/uri";
import type { BlockConnection, ConformanceTransport } from "../connection";
import { Inbox } from "../inbox";

export function grpSessionConnection(s: NodeGrpSession): BlockConnection {
  const inbox = new Inbox<Bytes>();
  s.setHandler((b) => inbox.push(b));
  s.onClose = () => inbox.close();
  if (s.closed) inbox.close();
  return {
    sessionId: s.sessionId,
    version: s.version,
    serverDhKey: s.serverDhKey,
    description: `GRP/1 Noise ${s.pattern}, SMP v${s.version}`,
    sendBlock: (b) => s.send([b]),
    sendRaw: (b) => void s.socket.write(b as Uint8Array),
    nextBlock: (ms) => inbox.next(ms),
    isClosed: () => inbox.closed,
    waitClosed: (ms) => inbox.waitClosed(ms),
    close: () => s.close(),
  };
}

export class GrpTransport implements ConformanceTransport {
  readonly scheme = "grp";
  /** One cache per suite run: the first connection is XX, later ones IK. */
  readonly kemKeyCache: GrpKemKeyCache = new Map();
  constructor(
    readonly provider: CryptoProvider,
    /** how long handshake cases wait for the relay's handshake timeout (docs/grp.md §8: 10 s) */
    readonly handshakeTimeoutWaitMs = 15_000,
  ) {}
  async connect(address: string, opts?: { versions?: { min: number; max: number } }): Promise<BlockConnection> {
    const s = await connectGrp(address, { provider: this.provider, versions: opts?.versions, kemKeyCache: this.kemKeyCache });
    return grpSessionConnection(s);
  }
}

/** A bare TCP connection to a GRP relay: raw bytes out, chunks in, close detection. */
export interface RawTcp {
  socket: net.Socket;
  write(b: Bytes): void;
  /** all bytes received so far */
  received(): Buffer;
  /** waits until at least n bytes arrived (true) or the connection closed / timed out (false) */
  waitBytes(n: number, timeoutMs: number): Promise<boolean>;
  waitClosed(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export function rawTcp(address: string): Promise<RawTcp> {
  const a = parseGrpUri(address);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: a.host, port: a.port });
    const chunks: Buffer[] = [];
    const closed = new Inbox<never>();
    let onData: (() => void) | undefined;
    socket.on("data", (d) => {
      chunks.push(d);
      onData?.();
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      closed.close();
      onData?.();
    });
    socket.once("connect", () =>
      resolve({
        socket,
        write: (b) => void (socket.destroyed ? undefined : socket.write(b as Uint8Array)),
        received: () => Buffer.concat(chunks),
        waitBytes: (n, ms) =>
          new Promise((res) => {
            const check = () => {
              const have = chunks.reduce((s, c) => s + c.length, 0);
              if (have >= n) return finish(true);
              if (closed.closed) return finish(false);
            };
            const finish = (v: boolean) => {
              clearTimeout(t);
              onData = undefined;
              res(v);
            };
            const t = setTimeout(() => finish(false), ms);
            onData = check;
            check();
          }),
        waitClosed: (ms) => closed.waitClosed(ms),
        close: () => socket.destroy(),
      }),
    );
    socket.once("error", reject);
  });
}
