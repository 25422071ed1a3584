/**
 * TLS for the Node HAL: a node:tls client socket behind the HAL's callback interface
 * (as NodeSocket for TCP), plus what SMP's handshake needs from TLS and the callback
 * runtimes of the boards cannot give: tls-unique (our Finished message) and the peer's
 * certificate chain. Configured as SMP clients connect (smp-connection.ts): ALPN, no SNI,
 * TLS 1.2/1.3 with ChaCha20-Poly1305, X25519/X448, Ed25519/Ed448; Node's own certificate
 * check is off because the SMP handshake checks the chain against the address's keyHash.
 */
import tls from "node:tls";
import type { Bytes } from "../../port/bytes";
import type { Socket, SocketHandler } from "../../port/hal/net";

/** What a socket needs from the HAL's scheduler: holds on virtual time while I/O is pending, and activity. */
interface SocketScheduler {
  hold(): () => void;
  activity(): void;
}

export interface TlsSocket extends Socket {
  /** tls-unique (RFC 5929): our Finished message; undefined before the handshake is done. */
  tlsUnique(): Bytes | undefined;
  /** The peer's certificate chain, DER, leaf first. */
  peerCertificates(): Bytes[];
}

export interface TlsNet {
  /** onConnect fires once the TLS handshake is done. */
  connect(host: string, port: number, alpn: string, handler: SocketHandler): TlsSocket;
}

const CLIENT_TLS_CIPHERS = "TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-CHACHA20-POLY1305";

class NodeTlsSocket implements TlsSocket {
  private closed = false;
  private readonly pendingHolds = new Set<() => void>();
  private readonly sock: tls.TLSSocket;

  constructor(host: string, port: number, alpn: string, private readonly handler: SocketHandler, private readonly scheduler: SocketScheduler) {
    const release = scheduler.hold();
    this.sock = tls.connect({
      host,
      port,
      servername: "",
      ALPNProtocols: [alpn],
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.3",
      ciphers: CLIENT_TLS_CIPHERS,
      ecdhCurve: "X25519:X448",
      sigalgs: "ed25519:ed448",
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    this.sock.once("secureConnect", release);
    this.sock.once("close", release);
    this.sock.setNoDelay(true);
    this.sock.on("secureConnect", () => this.deliver(() => handler.onConnect()));
    this.sock.on("data", (d: Buffer) => this.deliver(() => handler.onData(new Uint8Array(d))));
    this.sock.on("error", (e) => this.finish(e.message || "error"));
    this.sock.on("close", () => {
      for (const r of [...this.pendingHolds]) r();
      this.finish("");
    });
  }

  private deliver(fn: () => void): void {
    if (this.closed) return;
    this.scheduler.activity();
    fn();
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.activity();
    this.handler.onClose(reason);
  }

  tlsUnique(): Bytes | undefined {
    const f = this.sock.getFinished();
    return f === undefined ? undefined : new Uint8Array(f);
  }

  peerCertificates(): Bytes[] {
    const out: Bytes[] = [];
    let c = this.sock.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
    const seen = new Set<string>();
    while (c !== undefined && c.raw !== undefined && !seen.has(c.fingerprint256)) {
      seen.add(c.fingerprint256);
      out.push(new Uint8Array(c.raw));
      c = c.issuerCertificate;
    }
    return out;
  }

  send(data: Bytes): void {
    if (this.closed) throw new Error("send on a closed socket");
    // Hold the virtual clock until the write is flushed (see NodeSocket.send).
    const hold = this.scheduler.hold();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.pendingHolds.delete(release);
      hold();
    };
    this.pendingHolds.add(release);
    this.sock.write(Buffer.from(data as unknown as Uint8Array), release);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sock.end();
    this.sock.destroySoon();
  }
}

export class NodeTls implements TlsNet {
  constructor(private readonly scheduler: SocketScheduler) {}

  connect(host: string, port: number, alpn: string, handler: SocketHandler): TlsSocket {
    return new NodeTlsSocket(host, port, alpn, handler, this.scheduler);
  }
}
