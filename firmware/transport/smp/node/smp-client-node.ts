/**
 * SmpClient driven by Node: connects through the session connector registered for the
 * address's scheme (smp:// → connectSmp over TLS; grp:// once the GRP driver registers
 * its connector), runs the client's timers, turns callbacks into promises, and reconnects
 * with exponential backoff, after which the client core resubscribes every queue.
 */
import type { Bytes } from "../../../port/bytes";
import type { BlockSession } from "../../block-session";
import { Backoff } from "../backoff";
import { AuthKeyPair, ClientEvent, ClientResult, ReceivedMessage, RecipientQueue, SenderQueue, SmpClient } from "../client";
import type { PublicKey } from "../keys";
import { connectSmp, SmpConnectOptions } from "./smp-connection";

/** A BlockSession as Node drivers hand it over: blocks in through a handler, close reported. */
export interface NodeBlockSession extends BlockSession {
  setHandler(onBlock: (b: Bytes) => void): void;
  onClose: ((reason: string) => void) | undefined;
}

export type NodeSessionConnector = (address: string, o: NodeSmpClientOptions) => Promise<NodeBlockSession>;

const CONNECTORS = new Map<string, NodeSessionConnector>([["smp", (address, o) => connectSmp(address, o)]]);

/** Lets a transport (e.g. grp://) serve NodeSmpClient addresses of its scheme. */
export function registerSessionConnector(scheme: string, connector: NodeSessionConnector): void {
  CONNECTORS.set(scheme, connector);
}

export function sessionConnectorFor(address: string): NodeSessionConnector {
  const scheme = address.slice(0, Math.max(0, address.indexOf("://")));
  const c = CONNECTORS.get(scheme);
  if (!c) throw new Error(`no session connector for '${scheme}://' (registered: ${[...CONNECTORS.keys()].join(", ")})`);
  return c;
}

export class SmpCommandError extends Error {
  constructor(readonly result: Extract<ClientResult<unknown>, { ok: false }>) {
    super(result.error);
  }
}

export interface NodeSmpClientOptions extends SmpConnectOptions {
  /** overrides the connector registered for the address's scheme */
  connector?: NodeSessionConnector;
  timeoutMs?: number;
  pingIntervalMs?: number;
  reconnect?: boolean;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  onEvent?: (e: ClientEvent) => void;
}

export class NodeSmpClient {
  readonly core: SmpClient;
  session: NodeBlockSession | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly backoff: Backoff;
  private readonly listeners: ((e: ClientEvent) => void)[] = [];
  reconnects = 0;

  private constructor(readonly address: string, private readonly o: NodeSmpClientOptions) {
    this.core = new SmpClient(o.provider, {
      timeoutMs: o.timeoutMs ?? 10_000,
      pingIntervalMs: o.pingIntervalMs ?? 30_000,
      onEvent: (e) => {
        o.onEvent?.(e);
        for (const l of this.listeners) l(e);
      },
    });
    this.backoff = new Backoff(o.backoffInitialMs ?? 200, o.backoffMaxMs ?? 30_000);
  }

  static async connect(address: string, o: NodeSmpClientOptions): Promise<NodeSmpClient> {
    const c = new NodeSmpClient(address, o);
    await c.open();
    return c;
  }

  onEvent(l: (e: ClientEvent) => void): void {
    this.listeners.push(l);
  }

  private async open(): Promise<void> {
    const s = await (this.o.connector ?? sessionConnectorFor(this.address))(this.address, this.o);
    this.session = s;
    this.backoff.reset();
    this.core.attach(s, Date.now());
    s.setHandler((b) => {
      // Commands issued while handling the blocks of one event-loop turn (the ACKs of a
      // station's MSGs) leave batched, after the turn's I/O callbacks.
      if (!this.core.isCorked()) {
        this.core.cork();
        setImmediate(() => this.core.uncork());
      }
      this.core.receiveBlock(b);
      this.schedule();
    });
    s.onClose = () => this.lost();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.closing || !this.core.isAttached()) return;
    const delay = Math.max(0, this.core.nextTimerMs() - Date.now());
    this.timer = setTimeout(() => {
      this.core.tick(Date.now());
      this.schedule();
    }, delay);
    this.timer.unref?.();
  }

  private lost(): void {
    this.core.detach();
    if (this.timer) clearTimeout(this.timer);
    if (this.closing || this.o.reconnect === false) return;
    const retry = () => {
      if (this.closing) return;
      setTimeout(() => {
        this.open().then(
          () => this.reconnects++,
          () => retry(),
        );
      }, this.backoff.nextDelayMs(Math.random())).unref?.();
    };
    retry();
  }

  /** Drops the connection (as a network failure would); the client reconnects unless reconnect: false. */
  dropConnection(): void {
    this.session?.close();
  }

  close(): void {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.session?.close();
  }

  private call<T>(f: (now: number, cb: (r: ClientResult<T>) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      f(Date.now(), (r) => (r.ok ? resolve(r.value) : reject(new SmpCommandError(r))));
      this.schedule();
    });
  }

  createQueue(recipientKey: AuthKeyPair, opts: { sndSecure?: boolean; subscribe?: boolean; basicAuth?: Bytes } = {}): Promise<RecipientQueue> {
    return this.call((now, cb) => this.core.createQueue(recipientKey, opts.sndSecure ?? true, opts.subscribe ?? true, opts.basicAuth, now, cb));
  }
  subscribe(q: RecipientQueue): Promise<true> {
    return this.call((now, cb) => this.core.subscribe(q, now, cb));
  }
  secureQueue(q: RecipientQueue, senderKey: PublicKey): Promise<true> {
    return this.call((now, cb) => this.core.secureQueue(q, senderKey, now, cb));
  }
  secureQueueBySender(q: SenderQueue, senderKey: AuthKeyPair): Promise<true> {
    return this.call((now, cb) => this.core.secureQueueBySender(q, senderKey, now, cb));
  }
  send(q: SenderQueue, body: Bytes, notification = false): Promise<true> {
    return this.call((now, cb) => this.core.send(q, body, notification, now, cb));
  }
  ack(q: RecipientQueue, msgId: Bytes): Promise<true> {
    return this.call((now, cb) => this.core.ack(q, msgId, now, cb));
  }
  get(q: RecipientQueue): Promise<ReceivedMessage | undefined> {
    return this.call((now, cb) => this.core.get(q, now, cb));
  }
  suspend(q: RecipientQueue): Promise<true> {
    return this.call((now, cb) => this.core.suspend(q, now, cb));
  }
  deleteQueue(q: RecipientQueue): Promise<true> {
    return this.call((now, cb) => this.core.deleteQueue(q, now, cb));
  }
  ping(): Promise<true> {
    return this.call((now, cb) => this.core.ping(now, cb));
  }
}
