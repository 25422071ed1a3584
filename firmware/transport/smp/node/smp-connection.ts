/**
 * SMP over TLS for Node: node:tls (TLS 1.3 or 1.2, ChaCha20-Poly1305, X25519/X448,
 * Ed25519/Ed448 certificates, ALPN "smp/1", no SNI), then the portable handshake.
 *
 * tls-unique: RFC 5929 defines it as the first Finished message of the handshake, which
 * is the client's. Node exposes it as tlsSocket.getFinished() on the client and
 * getPeerFinished() on the server, under TLS 1.3 too (OpenSSL's SSL_get_finished):
 * 32 bytes with TLS 1.3 (HMAC-SHA-256 verify_data), 12 bytes with TLS 1.2.
 *
 * Node's own certificate verification is off (the relay's certificates are not from a
 * web CA); the portable handshake checks the chain, its keyHash and the signed session
 * key instead, exactly as simplexmq's client does.
 */
import * as tls from "node:tls";
import type { CryptoProvider } from "../../../crypto/provider";
import type { Bytes } from "../../../port/bytes";
import type { BlockSession } from "../../block-session";
import { SMP_BLOCK_SIZE } from "../block";
import { clientHandshake, HandshakeErrorCode } from "../handshake-client";
import { parseServerAddress, serverPort, ServerAddress } from "../server-address";
import { SMP_ALPN, SUPPORTED_SMP_VERSIONS, VersionRange } from "../version";
import { BlockStream } from "./block-stream";
import { nodeSignatureVerifier } from "./signature-verifier";

export const CLIENT_TLS_CIPHERS = "TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-CHACHA20-POLY1305";

export class SmpHandshakeError extends Error {
  constructor(readonly code: HandshakeErrorCode | "NETWORK" | "TIMEOUT", message: string) {
    super(`${code}: ${message}`);
  }
}

export interface SmpConnectOptions {
  provider: CryptoProvider;
  versions?: VersionRange;
  /** force "TLSv1.2" or "TLSv1.3" (default: negotiate, 1.3 preferred) */
  tlsVersion?: "TLSv1.2" | "TLSv1.3";
  /** offer ALPN smp/1 (default true; false shows the legacy v6 behaviour) */
  alpn?: boolean;
  timeoutMs?: number;
  /** for tests: the host to dial instead of the address's first host */
  host?: string;
}

/** A live SMP session over TLS. Set onBlock / onClose before blocks can arrive (they are queued until then). */
export class NodeSmpSession implements BlockSession {
  onBlock: ((b: Bytes) => void) | undefined;
  onClose: ((reason: string) => void) | undefined;
  private queued: Bytes[] = [];
  closed = false;

  constructor(
    readonly socket: tls.TLSSocket,
    readonly sessionId: Bytes,
    readonly version: number,
    readonly serverDhKey: Bytes | undefined,
    readonly tlsProtocol: string,
  ) {}

  private corked = false;

  /** Blocks sent in one event-loop turn are written together (fewer TLS records). */
  send(blocks: Bytes[]): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    for (const b of blocks) this.socket.write(b as Uint8Array);
  }

  close(): void {
    this.socket.destroy();
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

/** The peer's certificate chain as DER, leaf first. */
export function peerChainDer(socket: tls.TLSSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  let c = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(new Uint8Array(c.raw));
    c = c.issuerCertificate;
  }
  return out;
}

export function connectSmp(address: string | ServerAddress, o: SmpConnectOptions): Promise<NodeSmpSession> {
  const addr = typeof address === "string" ? parseServerAddress(address) : { ok: true as const, value: address };
  if (!addr.ok) return Promise.reject(new Error(addr.error));
  const a = addr.value;
  return new Promise((resolve, reject) => {
    let done = false;
    const socket = tls.connect({
      host: o.host ?? a.hosts[0],
      port: serverPort(a),
      servername: "", // no SNI, as simplexmq's SMP client
      ALPNProtocols: o.alpn === false ? undefined : [SMP_ALPN],
      minVersion: o.tlsVersion ?? "TLSv1.2",
      maxVersion: o.tlsVersion ?? "TLSv1.3",
      ciphers: CLIENT_TLS_CIPHERS,
      ecdhCurve: "X25519:X448",
      sigalgs: "ed25519:ed448",
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(new SmpHandshakeError("TIMEOUT", "handshake timed out")), o.timeoutMs ?? 15_000);
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    socket.on("error", (e) => fail(new SmpHandshakeError("NETWORK", e.message)));
    socket.on("close", () => fail(new SmpHandshakeError("NETWORK", "connection closed during handshake")));
    const stream = new BlockStream(SMP_BLOCK_SIZE);
    let session: NodeSmpSession | undefined;
    socket.on("data", (chunk: Buffer) => {
      for (const block of stream.push(chunk)) {
        if (session) {
          session.deliver(block);
          continue;
        }
        const finished = socket.getFinished();
        if (!finished) return fail(new SmpHandshakeError("NETWORK", "no tls-unique available"));
        const r = clientHandshake(block, {
          provider: o.provider,
          verify: nodeSignatureVerifier(o.provider),
          keyHash: a.keyHash,
          versions: o.versions ?? SUPPORTED_SMP_VERSIONS,
          tlsUnique: new Uint8Array(finished),
          peerCertChain: peerChainDer(socket),
          nowSeconds: Math.floor(Date.now() / 1000),
          clientDhKey: undefined,
        });
        if (!r.ok) return fail(new SmpHandshakeError(r.code, r.error));
        socket.write(r.value.clientHelloBlock as Uint8Array);
        session = new NodeSmpSession(socket, r.value.sessionId, r.value.version, r.value.serverDhKey, socket.getProtocol() ?? "");
        const s = session;
        done = true;
        clearTimeout(timer);
        socket.removeAllListeners("close");
        socket.removeAllListeners("error");
        socket.on("error", () => socket.destroy());
        socket.on("close", () => {
          s.closed = true;
          s.onClose?.("connection closed");
        });
        resolve(s);
      }
    });
  });
}
