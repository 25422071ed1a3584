/** smp:// for the conformance suite: TLS + the SMP handshake, then raw block access. */
import * as tls from "node:tls";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import type { Bytes } from "../../firmware/port/bytes";
import { encodeHandshakeBlock, parseHandshakeBlock, SMP_BLOCK_SIZE } from "../../firmware/transport/smp/block";
import { encodeClientHello, parseServerHello, ServerHello } from "../../firmware/transport/smp/handshake";
import { BlockStream } from "../../firmware/transport/smp/node/block-stream";
import { CLIENT_TLS_CIPHERS, connectSmp, NodeSmpSession, peerChainDer } from "../../firmware/transport/smp/node/smp-connection";
import { parseServerAddress, serverPort } from "../../firmware/transport/smp/server-address";
import { SMP_ALPN } from "../../firmware/transport/smp/version";
import type { BlockConnection, ConformanceTransport } from "./connection";
import { Inbox } from "./inbox";

export function sessionConnection(s: NodeSmpSession): BlockConnection {
  const inbox = new Inbox<Bytes>();
  s.setHandler((b) => inbox.push(b));
  s.onClose = () => inbox.close();
  if (s.closed) inbox.close();
  return {
    sessionId: s.sessionId,
    version: s.version,
    serverDhKey: s.serverDhKey,
    description: `${s.tlsProtocol}, SMP v${s.version}`,
    sendBlock: (b) => s.send([b]),
    sendRaw: (b) => void s.socket.write(b as Uint8Array),
    nextBlock: (ms) => inbox.next(ms),
    isClosed: () => inbox.closed,
    waitClosed: (ms) => inbox.waitClosed(ms),
    close: () => s.close(),
  };
}

export class SmpTransport implements ConformanceTransport {
  readonly scheme = "smp";
  constructor(private readonly provider: CryptoProvider, private readonly tlsVersion?: "TLSv1.2" | "TLSv1.3") {}
  async connect(address: string, opts?: { versions?: { min: number; max: number }; tlsVersion?: "TLSv1.2" | "TLSv1.3" }): Promise<BlockConnection> {
    const s = await connectSmp(address, { provider: this.provider, versions: opts?.versions, tlsVersion: opts?.tlsVersion ?? this.tlsVersion });
    return sessionConnection(s);
  }
}

export interface RawHandshake {
  socket: tls.TLSSocket;
  hello: ServerHello;
  helloBlock: Bytes;
  tlsUnique: Uint8Array;
  chain: Uint8Array[];
  /** sends a client hello (any fields) and reports whether the relay then closes the connection */
  sendClientHello(version: number, keyHash: Bytes): void;
  inbox: { next(ms: number): Promise<Bytes | undefined>; waitClosed(ms: number): Promise<boolean> };
}

/** TLS + the server hello only, for handshake cases that send their own client hello. */
export function rawHandshake(address: string, opts: { alpn?: boolean } = {}): Promise<RawHandshake> {
  const a = parseServerAddress(address);
  if (!a.ok) return Promise.reject(new Error(a.error));
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: a.value.hosts[0], port: serverPort(a.value), servername: "", ALPNProtocols: opts.alpn === false ? undefined : [SMP_ALPN],
      ciphers: CLIENT_TLS_CIPHERS, ecdhCurve: "X25519:X448", sigalgs: "ed25519:ed448", rejectUnauthorized: false, checkServerIdentity: () => undefined,
    });
    const inbox = new Inbox<Bytes>();
    const stream = new BlockStream(SMP_BLOCK_SIZE);
    let first = true;
    const timer = setTimeout(() => reject(new Error("no server hello within 10 s")), 10_000);
    socket.on("error", (e) => (first ? reject(e) : inbox.close()));
    socket.on("close", () => inbox.close());
    socket.on("data", (chunk: Buffer) => {
      for (const b of stream.push(chunk)) {
        if (!first) {
          inbox.push(b);
          continue;
        }
        first = false;
        clearTimeout(timer);
        const c = parseHandshakeBlock(b);
        const h = c.ok ? parseServerHello(c.value) : undefined;
        if (!h || !h.ok) return reject(new Error("unparsable server hello"));
        resolve({
          socket, hello: h.value, helloBlock: b, tlsUnique: new Uint8Array(socket.getFinished() ?? []), chain: peerChainDer(socket), inbox,
          sendClientHello: (version, keyHash) => void socket.write(encodeHandshakeBlock(encodeClientHello({ version, keyHash, clientKey: undefined })) as Uint8Array),
        });
      }
    });
  });
}
