/**
 * A block session: an established, authenticated channel that carries SMP's
 * 16,384-byte blocks. SMP over TLS and GRP over Noise both produce one; the queue-level
 * client (smp/client.ts) and the relay's command handler only ever see this.
 */
import { Bytes } from "../port/bytes";

export interface BlockSession {
  /** binds signatures to this channel: tls-unique for SMP, the handshake hash for GRP */
  readonly sessionId: Bytes;
  /** the negotiated SMP protocol version (7..9) */
  readonly version: number;
  /** the relay's X25519 session key, for X25519 command authenticators (v7+) */
  readonly serverDhKey: Bytes | undefined;
  /** queues blocks for sending, in order */
  send(blocks: Bytes[]): void;
  /** closes the channel; the driver then reports the session as lost */
  close(): void;
}

/** How a client reaches a relay given its address (smp://, grp://): drivers implement it. */
export interface BlockSessionConnector {
  /** the URI schemes this connector serves, e.g. ["smp"] */
  readonly schemes: string[];
}
