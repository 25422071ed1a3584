/**
 * What the GRP client and relay sessions share: input buffering, output, events, the
 * handshake deadline, and the transport phase (docs/grp.md §7-§8). Any protocol error
 * closes the session at once; the reason is reported locally and never sent.
 */
import { Bytes, alloc, concatAll, wipe } from "../../port/bytes";
import { errorMessage } from "../../port/error";
import { CryptoProvider } from "../../crypto/provider";
import { GrpConnection, EVENT_BLOCK, EVENT_CLOSED, EVENT_OPEN, SessionEvent } from "./connection";
import { ByteQueue } from "./byte-queue";
import { GRP_BLOCK_SIZE, TRANSPORT_FRAME_SIZE } from "./constants";
import { encodeFrame, readFrame } from "./frames";
import { TransportKeys } from "./hybrid";
import { TransportCipher } from "./transport-cipher";

export const PHASE_HANDSHAKE = 0;
export const PHASE_OPEN = 1;
export const PHASE_CLOSED = 2;

export abstract class GrpSessionBase implements GrpConnection {
  protected p: CryptoProvider;
  protected input: ByteQueue;
  protected phase: number;
  private output: Bytes[];
  private events: SessionEvent[];
  private handshakeDeadline: number;
  private sendCipher: TransportCipher | undefined;
  private receiveCipher: TransportCipher | undefined;
  private id: Bytes;
  private version: number;

  constructor(p: CryptoProvider, nowMs: number, handshakeTimeoutMs: number) {
    this.p = p;
    this.input = new ByteQueue();
    this.phase = PHASE_HANDSHAKE;
    this.output = [];
    this.events = [];
    this.handshakeDeadline = nowMs + handshakeTimeoutMs;
    this.sendCipher = undefined;
    this.receiveCipher = undefined;
    this.id = alloc(0);
    this.version = 0;
  }

  protected emit(kind: string, block: Bytes | undefined, reason: string): void {
    this.events.push({ kind: kind, block: block, reason: reason });
  }

  protected write(bytes: Bytes): void {
    this.output.push(bytes);
  }

  protected writeFrame(body: Bytes): void {
    this.write(encodeFrame(body));
  }

  /** Handshake steps of the subclass: consume input while possible; throw on any error. */
  protected abstract handshakeStep(nowMs: number): boolean;

  /** Erases what the handshake still holds (ephemeral secret, chaining key, KEM secret). */
  protected abstract wipeHandshake(): void;

  protected openTransport(keys: TransportKeys, initiator: boolean, sessionId: Bytes, smpVersion: number): void {
    this.sendCipher = new TransportCipher(this.p, initiator ? keys.c2s : keys.s2c);
    this.receiveCipher = new TransportCipher(this.p, initiator ? keys.s2c : keys.c2s);
    wipe(keys.c2s);
    wipe(keys.s2c);
    this.id = sessionId;
    this.version = smpVersion;
    this.phase = PHASE_OPEN;
    this.handshakeDeadline = -1;
    this.emit(EVENT_OPEN, undefined, "");
  }

  private transportStep(): boolean {
    const frame = readFrame(this.input, TRANSPORT_FRAME_SIZE, "transport");
    if (frame === undefined) {
      return false;
    }
    const rc = this.receiveCipher;
    const block = rc === undefined ? undefined : rc.open(frame);
    if (block === undefined) {
      throw new Error("grp: transport frame failed authentication");
    }
    this.emit(EVENT_BLOCK, block, "");
    return true;
  }

  receive(data: Bytes, nowMs: number): void {
    if (this.phase === PHASE_CLOSED) {
      return;
    }
    this.input.push(data);
    let failure = "";
    try {
      let progress = true;
      while (progress && this.phase !== PHASE_CLOSED) {
        progress = this.phase === PHASE_HANDSHAKE ? this.handshakeStep(nowMs) : this.transportStep();
      }
    } catch (e) {
      failure = errorMessage(e);
    }
    if (failure !== "") {
      this.fail(failure);
    } else {
      this.tick(nowMs);
    }
  }

  tick(nowMs: number): void {
    if (this.phase === PHASE_HANDSHAKE && this.handshakeDeadline >= 0 && nowMs >= this.handshakeDeadline) {
      this.fail("grp: handshake timeout");
    }
  }

  deadline(): number {
    return this.phase === PHASE_HANDSHAKE ? this.handshakeDeadline : -1;
  }

  sendBlock(block: Bytes): void {
    const sc = this.sendCipher;
    if (this.phase !== PHASE_OPEN || sc === undefined) {
      throw new Error("grp: session is not open");
    }
    if (block.length !== GRP_BLOCK_SIZE) {
      throw new Error("grp: a block must be " + GRP_BLOCK_SIZE + " bytes, got " + block.length);
    }
    this.writeFrame(sc.seal(block));
  }

  /** Writes an already encrypted transport frame body as it is (conformance tests of nonce reuse). */
  sendRawFrame(body: Bytes): void {
    this.writeFrame(body);
  }

  takeOutput(): Bytes {
    if (this.output.length === 0) {
      return alloc(0);
    }
    const out = this.output.length === 1 ? this.output[0] : concatAll(this.output);
    this.output = [];
    return out;
  }

  takeEvents(): SessionEvent[] {
    const ev = this.events;
    this.events = [];
    return ev;
  }

  isOpen(): boolean {
    return this.phase === PHASE_OPEN;
  }

  isClosed(): boolean {
    return this.phase === PHASE_CLOSED;
  }

  sessionId(): Bytes {
    if (this.phase !== PHASE_OPEN && this.id.length === 0) {
      throw new Error("grp: no session id before the handshake completes");
    }
    return this.id;
  }

  smpVersion(): number {
    return this.version;
  }

  /** Test and bench hook: the sending direction's cipher. */
  sendingCipher(): TransportCipher | undefined {
    return this.sendCipher;
  }

  protected fail(reason: string): void {
    if (this.phase === PHASE_CLOSED) {
      return;
    }
    this.phase = PHASE_CLOSED;
    if (this.sendCipher !== undefined) {
      this.sendCipher.destroy();
    }
    if (this.receiveCipher !== undefined) {
      this.receiveCipher.destroy();
    }
    this.wipeHandshake();
    this.emit(EVENT_CLOSED, undefined, reason);
  }

  close(reason: string): void {
    this.fail(reason);
  }
}
