/**
 * An open GRP connection as the BlockSession the queue layer uses (../block-session.ts),
 * exactly like SMP over TLS: session id = the Noise handshake hash, the SMP version
 * agreed in the handshake, and the relay's Noise static key as the X25519 key for
 * command authenticators (docs/grp.md §7). `flush` is the driver's: it writes the
 * connection's pending output to the socket (and ends it once the connection closed).
 */
import { Bytes } from "../../port/bytes";
import { BlockSession } from "../block-session";
import { GrpSessionBase } from "./session-base";

export class GrpBlockSession implements BlockSession {
  readonly sessionId: Bytes;
  readonly version: number;
  readonly serverDhKey: Bytes | undefined;
  private conn: GrpSessionBase;
  private flush: (this: void) => void;

  constructor(conn: GrpSessionBase, relayStaticKey: Bytes, flush: (this: void) => void) {
    if (!conn.isOpen()) {
      throw new Error("grp: a block session needs an open connection");
    }
    this.conn = conn;
    this.sessionId = conn.sessionId();
    this.version = conn.smpVersion();
    this.serverDhKey = relayStaticKey;
    this.flush = flush;
  }

  send(blocks: Bytes[]): void {
    if (!this.conn.isOpen()) {
      return;
    }
    for (const b of blocks) {
      this.conn.sendBlock(b);
    }
    this.flush();
  }

  close(): void {
    this.conn.close("");
    this.flush();
  }
}
