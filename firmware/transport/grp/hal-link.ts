/**
 * A GRP link over the HAL's TCP socket: what a device uses to reach its relay. It runs a
 * GrpClientSession on the socket, hands the open connection to the owner as a
 * BlockSession, delivers blocks, runs the session's timers through the HAL, and reports
 * the end of the link once. The relay's ML-KEM key learnt on first contact (XX) is kept
 * so later connections use IK; a rejected (rotated-out) key is dropped so the next
 * connection falls back to XX.
 */
import { Bytes } from "../../port/bytes";
import { Net, Socket, SocketHandler } from "../../port/hal/net";
import { System, TimerHandle } from "../../port/hal/system";
import { CryptoProvider, RandomSource } from "../../crypto/provider";
import { BlockSession } from "../block-session";
import { SMP_MAX_VERSION, SMP_MIN_VERSION } from "../smp/version";
import { GrpAddress } from "./uri";
import { EVENT_BLOCK, EVENT_CLOSED, EVENT_OPEN } from "./connection";
import { GrpClientSession, RelayKemKeyInfo } from "./client-session";
import { GrpBlockSession } from "./grp-block-session";

export interface LinkHandler {
  onOpen(session: BlockSession): void;
  onBlock(block: Bytes): void;
  /** Called once; `reason` says why (empty when closed on request). */
  onClosed(reason: string): void;
}

export class GrpHalLink implements SocketHandler {
  private conn: GrpClientSession;
  private socket: Socket | undefined;
  private timer: TimerHandle | undefined;
  private handler: LinkHandler;
  private system: System;
  private address: GrpAddress;
  private finished: boolean;
  private cache: GrpKemCache;

  constructor(p: CryptoProvider, random: RandomSource, system: System, address: GrpAddress, cache: GrpKemCache, handler: LinkHandler) {
    this.system = system;
    this.address = address;
    this.handler = handler;
    this.cache = cache;
    this.finished = false;
    this.socket = undefined;
    this.timer = undefined;
    this.conn = new GrpClientSession(
      p,
      {
        relayStaticKey: address.relayStaticKey,
        pinnedKemKeyId: address.kemKeyId,
        cachedKemKey: cache.key,
        clientStatic: undefined,
        smpMin: SMP_MIN_VERSION,
        smpMax: SMP_MAX_VERSION,
        handshakeTimeoutMs: undefined,
        random: random,
      },
      system.millis(),
    );
  }

  /** Opens the TCP connection; the handshake starts when it is up. */
  open(net: Net): void {
    this.socket = net.connect(this.address.host, this.address.port, this);
  }

  onConnect(): void {
    this.conn.start();
    this.flush();
  }

  onData(data: Bytes): void {
    this.conn.receive(data, this.system.millis());
    this.flush();
  }

  onClose(reason: string): void {
    if (!this.conn.isClosed()) {
      this.conn.close(reason === "" ? "connection closed" : reason);
    }
    this.conn.takeEvents();
    this.finish(reason === "" ? "connection closed" : reason);
  }

  private finish(reason: string): void {
    if (this.finished) {
      return;
    }
    this.finished = true;
    if (this.timer !== undefined) {
      this.system.cancel(this.timer);
      this.timer = undefined;
    }
    const learned = this.conn.relayKemKey();
    if (learned !== undefined) {
      this.cache.key = learned;
    } else if (this.conn.wasKemKeyRejected()) {
      this.cache.key = undefined;
    }
    this.handler.onClosed(reason);
  }

  private flush(): void {
    const out = this.conn.takeOutput();
    const socket = this.socket;
    if (out.length > 0 && socket !== undefined && !this.finished) {
      socket.send(out);
    }
    for (const e of this.conn.takeEvents()) {
      if (e.kind === EVENT_OPEN) {
        const learned = this.conn.relayKemKey();
        if (learned !== undefined) {
          this.cache.key = learned;
        }
        this.handler.onOpen(new GrpBlockSession(this.conn, this.address.relayStaticKey, () => this.flush()));
      } else if (e.kind === EVENT_BLOCK && e.block !== undefined) {
        this.handler.onBlock(e.block);
      } else if (e.kind === EVENT_CLOSED) {
        if (socket !== undefined) {
          socket.close();
        }
        this.finish(e.reason === "" ? "closed" : e.reason);
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined) {
      this.system.cancel(this.timer);
      this.timer = undefined;
    }
    const d = this.conn.deadline();
    if (d < 0 || this.finished) {
      return;
    }
    const wait = d - this.system.millis();
    this.timer = this.system.after(wait > 0 ? wait : 0, () => {
      this.timer = undefined;
      this.conn.tick(this.system.millis());
      this.flush();
    });
  }

  /** Closes the link on request. */
  close(): void {
    this.conn.close("");
    this.flush();
    if (this.socket !== undefined) {
      this.socket.close();
    }
    this.finish("");
  }
}

/** The relay's ML-KEM key, remembered across links (so reconnects use IK). */
export class GrpKemCache {
  key: RelayKemKeyInfo | undefined;
  constructor() {
    this.key = undefined;
  }
}
