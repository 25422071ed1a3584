/**
 * SMP over TLS: the relay's TLS listener and per-connection handshake (Transport.hs
 * smpServerHandshake), then blocks to the shared CommandHandler.
 *
 * TLS 1.3 and 1.2, ChaCha20-Poly1305, X25519/X448 groups, Ed25519/Ed448 certificate
 * chain [leaf, identity]; ALPN "smp/1" (without it the server offers only the legacy
 * v6 range, as simplexmq does, and v6 is not implemented here). Session id = tls-unique
 * = the client's Finished message (getPeerFinished on this side).
 */
import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import type { Bytes } from "../../firmware/port/bytes";
import { encodeHandshakeBlock, parseHandshakeBlock, SMP_BLOCK_SIZE } from "../../firmware/transport/smp/block";
import { encodeServerHello, parseClientHello } from "../../firmware/transport/smp/handshake";
import { encodeSpki } from "../../firmware/transport/smp/keys";
import { encodeServerAddress, SMP_SCHEME } from "../../firmware/transport/smp/server-address";
import { inRange, SMP_ALPN, SMP_VERSION_LEGACY, SUPPORTED_SMP_VERSIONS, VersionRange } from "../../firmware/transport/smp/version";
import { BlockStream } from "../../firmware/transport/smp/node/block-stream";
import type { CommandHandler, RelaySession } from "./command-handler";
import { ServerIdentity, signObject } from "./certificates";
import { releaseBlock } from "./fast-codec";

export interface SmpServerOptions {
  handler: CommandHandler;
  identity: ServerIdentity;
  host?: string;
  port: number;
  /** TLS + SMP handshake must finish within this (ms) */
  handshakeTimeoutMs?: number;
  /** connections with no subscriptions and no traffic for this long are closed (ms) */
  idleTimeoutMs?: number;
  versions?: VersionRange;
  log?: (line: string) => void;
}

export const TLS_CIPHERS = "TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-CHACHA20-POLY1305";
export const TLS_GROUPS = "X25519:X448";
export const TLS_SIGALGS = "ed25519:ed448";
/** The relay's TLS settings (also used by the bench's TLS block echo, to measure TLS alone). */
export function smpTlsServerOptions(identity: ServerIdentity, ciphers: string = TLS_CIPHERS): tls.TlsOptions {
  return {
    key: identity.pem.key,
    cert: identity.pem.cert,
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.3",
    ciphers,
    ecdhCurve: TLS_GROUPS,
    sigalgs: TLS_SIGALGS,
    ALPNCallback: ({ protocols }) => (protocols.includes(SMP_ALPN) ? SMP_ALPN : undefined),
  };
}
/** replies buffered for a peer that does not read, before we stop reading from it */
export const MAX_UNREAD_REPLY_BYTES = 4 * 1024 * 1024;

export class SmpServer {
  private server: tls.Server | undefined;
  private readonly sockets = new Set<tls.TLSSocket>();
  readonly stats = { connections: 0, handshakes: 0, handshakeFailures: 0 };

  constructor(private readonly o: SmpServerOptions) {}

  async listen(): Promise<AddressInfo> {
    const o = this.o;
    this.server = tls.createServer({ ...smpTlsServerOptions(o.identity), handshakeTimeout: o.handshakeTimeoutMs ?? 30_000 });
    this.server.on("secureConnection", (s) => this.onConnection(s));
    this.server.on("tlsClientError", (_e, s) => s.destroy());
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(o.port, o.host ?? "127.0.0.1", () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  /** smp://<keyHash>@host:port */
  address(hostOverride?: string): string {
    const a = this.server!.address() as AddressInfo;
    const host = hostOverride ?? (a.address === "0.0.0.0" || a.address === "::" ? "localhost" : a.address);
    return encodeServerAddress({ scheme: SMP_SCHEME, keyHash: this.o.identity.keyHash, hosts: [host], port: a.port });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private onConnection(socket: tls.TLSSocket): void {
    const o = this.o;
    this.stats.connections++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const finished = socket.getPeerFinished();
    if (!finished) return void socket.destroy();
    const sessionId = new Uint8Array(finished);
    const offered: VersionRange = socket.alpnProtocol === SMP_ALPN ? (o.versions ?? SUPPORTED_SMP_VERSIONS) : { min: SMP_VERSION_LEGACY, max: SMP_VERSION_LEGACY };
    const dh = generateKeyPairSync("x25519");
    const dhPub = new Uint8Array(dh.publicKey.export({ format: "der", type: "spki" })).subarray(12);
    const dhSecret = new Uint8Array(dh.privateKey.export({ format: "der", type: "pkcs8" })).subarray(16);
    const signedKey = signObject(o.identity.alg, o.identity.leafKey, encodeSpki({ alg: "x25519", key: dhPub }) as Uint8Array);
    const hello = encodeServerHello({ versions: offered, sessionId, certChain: [o.identity.leafCertDer, o.identity.caCertDer], signedKey });
    socket.write(encodeHandshakeBlock(hello) as Uint8Array);

    const stream = new BlockStream(SMP_BLOCK_SIZE);
    let session: RelaySession | undefined;
    let lastActive = Date.now();
    const hsTimer = setTimeout(() => {
      this.stats.handshakeFailures++;
      socket.destroy();
    }, o.handshakeTimeoutMs ?? 30_000);
    const idleMs = o.idleTimeoutMs;
    const idleTimer = idleMs
      ? setInterval(() => {
          if (session !== undefined && !session.hasSubscriptions() && Date.now() - lastActive > idleMs) socket.destroy();
        }, Math.max(50, Math.min(idleMs, 60_000) / 2))
      : undefined;
    const cleanup = () => {
      clearTimeout(hsTimer);
      if (idleTimer) clearInterval(idleTimer);
      session?.close();
      this.sockets.delete(socket);
    };
    socket.on("close", cleanup);
    socket.on("error", () => socket.destroy());
    // writes of one event-loop turn go out together (fewer TLS records and syscalls)
    let corked = false;
    const uncork = () => {
      corked = false;
      socket.uncork();
    };
    const send = (blocks: Bytes[]) => {
      if (socket.destroyed) return;
      lastActive = Date.now();
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      // once a write has completed (or failed) its block is not read again: reuse its memory
      for (const b of blocks) socket.write(b as Uint8Array, () => releaseBlock(b));
    };
    socket.on("data", (chunk: Buffer) => {
      lastActive = Date.now();
      for (const block of stream.push(chunk)) {
        if (socket.destroyed) return;
        if (session === undefined) {
          const m = parseHandshakeBlock(block);
          const h = m.ok ? parseClientHello(m.value) : undefined;
          // wrong identity or version: simplexmq ends the handshake with an error and closes
          if (!h || !h.ok || !Buffer.from(h.value.keyHash).equals(Buffer.from(o.identity.keyHash)) || !inRange(h.value.version, offered) || !inRange(h.value.version, SUPPORTED_SMP_VERSIONS)) {
            this.stats.handshakeFailures++;
            o.log?.(`handshake rejected: ${!h || !h.ok ? "unparsable client hello" : "identity or version mismatch"}`);
            return void socket.destroy();
          }
          clearTimeout(hsTimer);
          this.stats.handshakes++;
          session = o.handler.openSession({ sessionId, version: h.value.version, serverDhSecretKey: dhSecret, send });
          continue;
        }
        try {
          session.handleBlock(block);
        } catch (e) {
          // a bug must not take the relay down: drop this connection only
          o.log?.(`closing connection after internal error: ${(e as Error).message}`);
          socket.destroy();
        }
      }
      // a peer that sends without reading gets no more service until it drains its replies
      if (socket.writableLength > MAX_UNREAD_REPLY_BYTES && !socket.isPaused()) {
        socket.pause();
        socket.once("drain", () => socket.resume());
      }
    });
  }
}
