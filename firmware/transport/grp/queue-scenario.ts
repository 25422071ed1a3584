/**
 * A device-side end-to-end run over GRP, sans-I/O and portable: handshake, then NEW,
 * KEY, SUB (with NEW), SEND to its own queue, MSG, ACK through the queue client that SMP
 * uses too. A host only moves bytes (receive / takeOutput) and time (tick at deadline);
 * the same object runs in Node tests and in the device builds (Lua, Espruino), which
 * makes it the target-independent check that a build can talk to a real relay.
 */
import { Bytes, alloc, equalBytes } from "../../port/bytes";
import { CryptoProvider } from "../../crypto/provider";
import { ClientEvent, RecipientQueue, SmpClient, authPublicKey, generateAuthKeyPair } from "../smp/client";
import { GrpClientSession, RelayKemKeyInfo } from "./client-session";
import { EVENT_BLOCK, EVENT_CLOSED, EVENT_OPEN } from "./connection";
import { GrpBlockSession } from "./grp-block-session";

export const SCENARIO_RUNNING = "running";
export const SCENARIO_PASSED = "passed";
export const SCENARIO_FAILED = "failed";

export interface QueueScenarioOptions {
  relayStaticKey: Bytes;
  pinnedKemKeyId: Bytes | undefined;
  cachedKemKey: RelayKemKeyInfo | undefined;
  smpMin: number;
  smpMax: number;
  message: Bytes;
  commandTimeoutMs: number;
}

export class QueueScenario {
  private p: CryptoProvider;
  private options: QueueScenarioOptions;
  private conn: GrpClientSession;
  private client: SmpClient;
  private state: string;
  private why: string;
  private startMs: number;
  private openMs: number;
  private doneMs: number;
  private steps: string[];
  private queue: RecipientQueue | undefined;
  /** The time of the call being processed: callbacks run inside receive/tick. */
  private now: number;

  constructor(p: CryptoProvider, options: QueueScenarioOptions, nowMs: number) {
    this.p = p;
    this.options = options;
    this.state = SCENARIO_RUNNING;
    this.why = "";
    this.startMs = nowMs;
    this.openMs = -1;
    this.doneMs = -1;
    this.steps = [];
    this.queue = undefined;
    this.now = nowMs;
    this.conn = new GrpClientSession(
      p,
      {
        relayStaticKey: options.relayStaticKey,
        pinnedKemKeyId: options.pinnedKemKeyId,
        cachedKemKey: options.cachedKemKey,
        clientStatic: undefined,
        smpMin: options.smpMin,
        smpMax: options.smpMax,
        handshakeTimeoutMs: undefined,
        random: undefined,
      },
      nowMs,
    );
    this.client = new SmpClient(p, {
      timeoutMs: options.commandTimeoutMs,
      pingIntervalMs: options.commandTimeoutMs * 10,
      onEvent: (e: ClientEvent) => this.onClientEvent(e),
    });
  }

  private fail(why: string): void {
    if (this.state === SCENARIO_RUNNING) {
      this.state = SCENARIO_FAILED;
      this.why = why;
      this.conn.close(why);
    }
  }

  private step(name: string): void {
    this.steps.push(name + " " + (this.now - this.startMs));
  }

  start(): void {
    this.conn.start();
  }

  private onOpen(nowMs: number): void {
    this.openMs = nowMs;
    this.step(this.conn.usesIK() ? "open-IK" : "open-XX");
    const session = new GrpBlockSession(this.conn, this.options.relayStaticKey, () => {
      /* output stays queued until the host calls takeOutput */
    });
    this.client.attach(session, nowMs);
    const rk = generateAuthKeyPair(this.p, "ed25519");
    this.client.createQueue(rk, false, true, undefined, nowMs, (r) => {
      if (!r.ok) {
        this.fail("NEW: " + r.error);
        return;
      }
      this.step("NEW");
      this.queue = r.value;
      this.secure(r.value);
    });
  }

  private secure(q: RecipientQueue): void {
    const sk = generateAuthKeyPair(this.p, "ed25519");
    this.client.secureQueue(q, authPublicKey(sk), this.now, (r) => {
      if (!r.ok) {
        this.fail("KEY: " + r.error);
        return;
      }
      this.step("KEY");
      this.client.send({ senderId: q.senderId, senderKey: sk }, this.options.message, false, this.now, (s) => {
        if (!s.ok) {
          this.fail("SEND: " + s.error);
          return;
        }
        this.step("SEND");
      });
    });
  }

  private onClientEvent(e: ClientEvent): void {
    if (e.type === "error") {
      this.fail("client: " + e.error);
      return;
    }
    if (e.type !== "message") {
      this.fail("unexpected " + e.type);
      return;
    }
    const q = this.queue;
    const body = e.message.body;
    if (q === undefined || body.quota || !equalBytes(body.body, this.options.message)) {
      this.fail("MSG with the wrong body");
      return;
    }
    this.step("MSG");
    this.client.ack(q, e.message.msgId, this.now, (r) => {
      if (!r.ok) {
        this.fail("ACK: " + r.error);
        return;
      }
      this.step("ACK");
      this.doneMs = this.now;
      this.state = SCENARIO_PASSED;
    });
  }

  private handleEvents(nowMs: number): void {
    const events = this.conn.takeEvents();
    for (const e of events) {
      if (e.kind === EVENT_OPEN) {
        this.onOpen(nowMs);
      } else if (e.kind === EVENT_BLOCK && e.block !== undefined) {
        this.client.receiveBlock(e.block);
      } else if (e.kind === EVENT_CLOSED && this.state === SCENARIO_RUNNING) {
        this.state = SCENARIO_FAILED;
        this.why = "connection closed: " + e.reason;
      }
    }
  }

  receive(data: Bytes, nowMs: number): void {
    this.now = nowMs;
    this.conn.receive(data, nowMs);
    this.handleEvents(nowMs);
  }

  tick(nowMs: number): void {
    this.now = nowMs;
    this.conn.tick(nowMs);
    if (this.conn.isOpen()) {
      this.client.tick(nowMs);
    }
    this.handleEvents(nowMs);
  }

  deadline(): number {
    if (this.state !== SCENARIO_RUNNING) {
      return -1;
    }
    return this.conn.isOpen() ? this.client.nextTimerMs() : this.conn.deadline();
  }

  takeOutput(): Bytes {
    return this.state === SCENARIO_FAILED ? alloc(0) : this.conn.takeOutput();
  }

  status(): string {
    return this.state;
  }

  reason(): string {
    return this.why;
  }

  /** Steps with their times since start (ms), e.g. "open-XX 42". */
  log(): string[] {
    return this.steps;
  }

  handshakeMs(): number {
    return this.openMs < 0 ? -1 : this.openMs - this.startMs;
  }

  totalMs(): number {
    return this.doneMs < 0 ? -1 : this.doneMs - this.startMs;
  }

  /** The relay's ML-KEM key as learned, for the next connection (IK). */
  relayKemKey(): RelayKemKeyInfo | undefined {
    return this.conn.relayKemKey();
  }
}
