/**
 * A GRP connection, sans-I/O: bytes from the socket go in with receive(); bytes for the
 * socket come out of takeOutput(); blocks and state changes come out of takeEvents();
 * the driver calls tick() at deadline(). Once open, GrpBlockSession presents it to the
 * queue layer as a BlockSession (../block-session.ts), the same as SMP over TLS.
 */
import { Bytes } from "../../port/bytes";

export const EVENT_OPEN = "open";
export const EVENT_BLOCK = "block";
export const EVENT_CLOSED = "closed";

export interface SessionEvent {
  kind: string;
  /** EVENT_BLOCK: the block. */
  block: Bytes | undefined;
  /** EVENT_CLOSED: why (empty when closed locally on request). */
  reason: string;
}

export interface GrpConnection {
  receive(data: Bytes, nowMs: number): void;
  tick(nowMs: number): void;
  sendBlock(block: Bytes): void;
  takeOutput(): Bytes;
  takeEvents(): SessionEvent[];
  /** The time at which tick() must be called, or -1 for none. */
  deadline(): number;
  isOpen(): boolean;
  isClosed(): boolean;
  /** Signs commands (as tls-unique does on SMP over TLS); defined once open. */
  sessionId(): Bytes;
  /** The SMP version agreed for this session; defined once open. */
  smpVersion(): number;
  /** Closes locally; the driver then closes the socket after writing takeOutput(). */
  close(reason: string): void;
}
