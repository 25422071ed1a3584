/**
 * The device's link to an smp:// relay on the Node target: the HAL's TLS socket, SMP's
 * fixed-size blocks cut from its byte stream, the portable client handshake (bound to
 * TLS's Finished message, the chain checked against the address's keyHash), then a
 * BlockSession for the app's SMP client — what GrpHalLink is for grp:// relays.
 */
import type { CryptoProvider } from "../../crypto/provider";
import type { Bytes } from "../../port/bytes";
import type { SocketHandler } from "../../port/hal/net";
import type { System, TimerHandle } from "../../port/hal/system";
import type { BlockSession } from "../../transport/block-session";
import type { LinkHandler } from "../../transport/grp/hal-link";
import { SMP_BLOCK_SIZE } from "../../transport/smp/block";
import { clientHandshake } from "../../transport/smp/handshake-client";
import { parseServerAddress, serverPort, type ServerAddress } from "../../transport/smp/server-address";
import { SMP_ALPN, SUPPORTED_SMP_VERSIONS } from "../../transport/smp/version";
import { nodeSignatureVerifier } from "../../transport/smp/node/signature-verifier";
import type { TlsNet, TlsSocket } from "../../targets/node/node-tls";
import type { RelayLink, SmpLinks } from "../device-app";

/** From TCP connect until the SMP handshake is done. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

export class SmpTlsLinks implements SmpLinks {
  constructor(
    private readonly tls: TlsNet,
    private readonly provider: CryptoProvider,
    private readonly system: System,
  ) {}

  address(relay: string): ServerAddress {
    const a = parseServerAddress(relay);
    if (!a.ok) throw new Error(`relay ${relay}: ${a.error}`);
    return a.value;
  }

  /** Opens the link; its handler is called only from socket and timer callbacks, never from here. */
  open(relay: string, handler: LinkHandler): RelayLink {
    return new SmpTlsLink(this.tls, this.provider, this.system, this.address(relay), handler);
  }
}

class SmpTlsLink implements RelayLink, SocketHandler {
  private readonly socket: TlsSocket;
  private buffered: Uint8Array = new Uint8Array(0);
  private session: SmpTlsSession | undefined;
  private finished = false;
  private timer: TimerHandle | undefined;

  constructor(
    tls: TlsNet,
    private readonly provider: CryptoProvider,
    private readonly system: System,
    private readonly address: ServerAddress,
    private readonly handler: LinkHandler,
  ) {
    this.timer = system.after(HANDSHAKE_TIMEOUT_MS, () => {
      this.timer = undefined;
      this.fail("SMP handshake timed out");
    });
    this.socket = tls.connect(address.hosts[0], serverPort(address), SMP_ALPN, this);
  }

  onConnect(): void {
    // The relay speaks first (its hello block).
  }

  onData(data: Bytes): void {
    const all = new Uint8Array(this.buffered.length + data.length);
    all.set(this.buffered);
    all.set(data as Uint8Array, this.buffered.length);
    let off = 0;
    while (all.length - off >= SMP_BLOCK_SIZE && !this.finished) {
      const block = all.subarray(off, off + SMP_BLOCK_SIZE);
      off += SMP_BLOCK_SIZE;
      if (this.session === undefined) this.handshake(block);
      else this.handler.onBlock(block);
    }
    this.buffered = all.slice(off);
  }

  private handshake(serverHello: Uint8Array): void {
    const tlsUnique = this.socket.tlsUnique();
    if (tlsUnique === undefined) return this.fail("no tls-unique from TLS");
    const r = clientHandshake(serverHello, {
      provider: this.provider,
      verify: nodeSignatureVerifier(this.provider),
      keyHash: this.address.keyHash,
      versions: SUPPORTED_SMP_VERSIONS,
      tlsUnique,
      peerCertChain: this.socket.peerCertificates(),
      nowSeconds: Math.floor(Date.now() / 1000),
      clientDhKey: undefined,
    });
    if (!r.ok) return this.fail(`SMP handshake: ${r.code}: ${r.error}`);
    this.socket.send(r.value.clientHelloBlock);
    this.cancelTimer();
    this.session = new SmpTlsSession(this, r.value.sessionId, r.value.version, r.value.serverDhKey);
    this.handler.onOpen(this.session);
  }

  send(blocks: Bytes[]): void {
    if (this.finished) return;
    for (const b of blocks) this.socket.send(b);
  }

  onClose(reason: string): void {
    this.finish(reason === "" ? "connection closed" : reason);
  }

  private fail(reason: string): void {
    this.socket.close();
    this.finish(reason);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      this.system.cancel(this.timer);
      this.timer = undefined;
    }
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.cancelTimer();
    this.handler.onClosed(reason);
  }

  /** Closes the link on request. */
  close(): void {
    if (this.finished) return;
    this.socket.close();
    this.finish("closed");
  }
}

class SmpTlsSession implements BlockSession {
  constructor(
    private readonly link: SmpTlsLink,
    readonly sessionId: Bytes,
    readonly version: number,
    readonly serverDhKey: Bytes | undefined,
  ) {}

  send(blocks: Bytes[]): void {
    this.link.send(blocks);
  }

  close(): void {
    this.link.close();
  }
}
