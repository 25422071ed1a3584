/**
 * TLS for the Node HAL: a node:tls client socket behind the HAL's callback interface
 * (HeldSocket, as for TCP), plus what SMP's handshake needs from TLS and the callback
 * runtimes of the boards cannot give: tls-unique (our Finished message) and the peer's
 * certificate chain. Configured as SMP clients connect (smp-connection.ts): ALPN, no SNI,
 * TLS 1.2/1.3 with ChaCha20-Poly1305, X25519/X448, Ed25519/Ed448; Node's own certificate
 * check is off because the SMP handshake checks the chain against the address's keyHash.
 */
import tls from "node:tls";
import type { Bytes } from "../../port/bytes";
import type { Socket, SocketHandler } from "../../port/hal/net";
import { HeldSocket, type SocketScheduler } from "./held-socket";

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

class NodeTlsSocket extends HeldSocket implements TlsSocket {
  declare protected readonly sock: tls.TLSSocket;

  constructor(host: string, port: number, alpn: string, handler: SocketHandler, scheduler: SocketScheduler) {
    const sock = tls.connect({
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
    super(sock, "secureConnect", handler, scheduler);
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
}

export class NodeTls implements TlsNet {
  constructor(private readonly scheduler: SocketScheduler) {}

  connect(host: string, port: number, alpn: string, handler: SocketHandler): TlsSocket {
    return new NodeTlsSocket(host, port, alpn, handler, this.scheduler);
  }
}
