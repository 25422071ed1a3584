/**
 * The queue-level client (smp/client.ts, the same core SMP uses) over a GRP session, for
 * Node: promises instead of callbacks, timers run by the driver. No reconnection: it is
 * the GRP counterpart of NodeSmpClient for tests, benchmarks and tools until
 * NodeSmpClient picks its transport from the URI scheme.
 */
import type { Bytes } from "../../../port/bytes";
import { type AuthKeyPair, type ClientEvent, type ClientResult, type ReceivedMessage, type RecipientQueue, type SenderQueue, SmpClient } from "../../smp/client";
import type { PublicKey } from "../../smp/keys";
import { connectGrp, type GrpConnectOptions, type NodeGrpSession } from "./grp-connection";

export class GrpQueueClient {
  readonly core: SmpClient;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((e: ClientEvent) => void)[] = [];

  private constructor(
    readonly session: NodeGrpSession,
    o: GrpConnectOptions & { timeoutMs?: number },
  ) {
    this.core = new SmpClient(o.provider, {
      timeoutMs: o.timeoutMs ?? 10_000,
      pingIntervalMs: 30_000,
      onEvent: (e) => {
        for (const l of this.listeners) l(e);
      },
    });
    this.core.attach(session, Date.now());
    session.setHandler((b) => {
      this.core.receiveBlock(b);
      this.schedule();
    });
    session.onClose = () => {
      this.core.detach();
      if (this.timer) clearTimeout(this.timer);
    };
    this.schedule();
  }

  static async connect(address: string, o: GrpConnectOptions & { timeoutMs?: number }): Promise<GrpQueueClient> {
    return new GrpQueueClient(await connectGrp(address, o), o);
  }

  onEvent(l: (e: ClientEvent) => void): void {
    this.listeners.push(l);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.core.isAttached()) return;
    this.timer = setTimeout(() => {
      this.core.tick(Date.now());
      this.schedule();
    }, Math.max(0, this.core.nextTimerMs() - Date.now()));
    this.timer.unref?.();
  }

  private call<T>(f: (now: number, cb: (r: ClientResult<T>) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      f(Date.now(), (r) => (r.ok ? resolve(r.value) : reject(new Error(r.error))));
      this.schedule();
    });
  }

  createQueue(recipientKey: AuthKeyPair, opts: { sndSecure?: boolean; subscribe?: boolean } = {}): Promise<RecipientQueue> {
    return this.call((now, cb) => this.core.createQueue(recipientKey, opts.sndSecure ?? true, opts.subscribe ?? true, undefined, now, cb));
  }
  subscribe(q: RecipientQueue): Promise<true> {
    return this.call((now, cb) => this.core.subscribe(q, now, cb));
  }
  secureQueue(q: RecipientQueue, senderKey: PublicKey): Promise<true> {
    return this.call((now, cb) => this.core.secureQueue(q, senderKey, now, cb));
  }
  send(q: SenderQueue, body: Bytes): Promise<true> {
    return this.call((now, cb) => this.core.send(q, body, false, now, cb));
  }
  ack(q: RecipientQueue, msgId: Bytes): Promise<true> {
    return this.call((now, cb) => this.core.ack(q, msgId, now, cb));
  }
  get(q: RecipientQueue): Promise<ReceivedMessage | undefined> {
    return this.call((now, cb) => this.core.get(q, now, cb));
  }
  ping(): Promise<true> {
    return this.call((now, cb) => this.core.ping(now, cb));
  }
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.session.close();
  }
}
