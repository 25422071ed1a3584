/**
 * The queue-level SMP client, sans-I/O. It works on any BlockSession (SMP over TLS,
 * GRP over Noise): blocks in through receiveBlock, blocks out through session.send,
 * time passed in (tick / nowMs), completion reported through callbacks.
 *
 * - correlation ids: 24 random bytes per command; responses are matched by corrId
 * - timeouts: a command without a response after `timeoutMs` fails with "TIMEOUT"
 * - keep-alive: PING after `pingIntervalMs` without traffic
 * - resubscription: attach() after a reconnect re-sends SUB for every subscribed queue
 * - MSG bodies are decrypted (server→recipient crypto_box, nonce = msgId) before events
 * - batching: between cork() and uncork() small transmissions wait and leave together, as
 *   few blocks as they fit in (SMP v7+ batches; simplexmq's client batches the same way). A
 *   station ACKing MSGs from many queues sends one block for them, not one 16 KiB block each.
 */
import { Bytes, alloc, equalBytes } from "../../port/bytes";
import { toHex } from "../../port/hex";
import { SmpWriter } from "../../port/encoding";
import { CryptoProvider } from "../../crypto/provider";
import { errorMessage } from "../../port/error";
import { BlockSession } from "../block-session";
import { BATCH_CAPACITY, batchedWriterSize, encodeBlocks, encodeSingleBlock, parseBlock } from "./block";
import { Command, commandWriter, sendCommandWriter } from "./commands";
import { cbAuthenticate, cbKey } from "./crypto-box";
import { SmpError, errorText } from "./errors";
import { PublicKey } from "./keys";
import { RcvMsgBody, decryptRcvMsg } from "./msg-body";
import { BrokerMsg, parseBrokerMsg } from "./responses";
import { CORR_ID_SIZE, authorizedWriter, parseTransmission, signedBytesOf, transmissionWriter } from "./transmission";

/** How a key authorizes commands: Ed25519 signatures or X25519 authenticators (SMP v7+). */
export type AuthAlg = "ed25519" | "x25519";

/** A key pair that authorizes commands. */
export interface AuthKeyPair {
  alg: AuthAlg;
  /** Ed25519 seed or X25519 secret key, 32 bytes */
  secretKey: Bytes;
  publicKey: Bytes;
}

export function generateAuthKeyPair(provider: CryptoProvider, alg: AuthAlg): AuthKeyPair {
  const sk = provider.randomBytes(32);
  return { alg: alg, secretKey: sk, publicKey: alg === "ed25519" ? provider.ed25519PublicKey(sk) : provider.x25519PublicKey(sk) };
}

export function authPublicKey(k: AuthKeyPair): PublicKey {
  return { alg: k.alg, key: k.publicKey };
}

/** Everything the recipient keeps about a queue it created. */
export interface RecipientQueue {
  recipientId: Bytes;
  senderId: Bytes;
  recipientKey: AuthKeyPair;
  /** crypto_box key for MSG bodies: HSalsa20(X25519(server queue key, our dh secret)) */
  rcvDhSecret: Bytes;
  /** the server's per-queue X25519 key (for the queue URI) */
  serverDhKey: Bytes;
  sndSecure: boolean;
}

export interface SenderQueue {
  senderId: Bytes;
  /** undefined until the queue is secured: SEND goes unsigned */
  senderKey: AuthKeyPair | undefined;
}

export interface ReceivedMessage {
  recipientId: Bytes;
  msgId: Bytes;
  body: RcvMsgBody;
}

export type ClientEvent =
  | { type: "message"; message: ReceivedMessage }
  | { type: "end"; recipientId: Bytes }
  | { type: "deleted"; recipientId: Bytes }
  | { type: "error"; error: string };

/** ok: the response; error: "ERR …" from the relay, "TIMEOUT", "NETWORK" or a local problem. */
export type ClientResult<T> = { ok: true; value: T } | { ok: false; error: string; smpError: SmpError | undefined };
export type ClientCallback<T> = (this: void, r: ClientResult<T>) => void;

interface Pending {
  corrId: Bytes;
  entityId: Bytes;
  deadline: number;
  onResponse: (this: void, m: BrokerMsg) => void;
  onFail: (this: void, error: string) => void;
}

interface Subscription {
  queue: RecipientQueue;
}

export interface SmpClientOptions {
  timeoutMs: number;
  pingIntervalMs: number;
  onEvent: (this: void, e: ClientEvent) => void;
}

function okResult<T>(v: T): ClientResult<T> {
  return { ok: true, value: v };
}

function failResult<T>(error: string, e: SmpError | undefined): ClientResult<T> {
  return { ok: false, error: error, smpError: e };
}

/** The callback result of a command whose only success is OK. */
function okResponse(m: BrokerMsg, cb: ClientCallback<true>): void {
  if (m.tag === "OK") {
    cb(okResult<true>(true));
  } else if (m.tag === "ERR") {
    cb(failResult<true>("ERR " + errorText(m.error), m.error));
  } else {
    cb(failResult<true>("unexpected response " + m.tag, undefined));
  }
}

/** An X25519 authenticator's crypto_box key, valid while the server's session key is this one. */
class AuthBoxKey {
  serverDhKey: Bytes;
  key: Bytes;
  constructor(serverDhKey: Bytes, key: Bytes) {
    this.serverDhKey = serverDhKey;
    this.key = key;
  }
}

/** Largest transmission (batched size) that waits for uncork(): half a block. */
const HOLD_LIMIT = Math.floor(BATCH_CAPACITY / 2);

export class SmpClient {
  private readonly provider: CryptoProvider;
  private readonly options: SmpClientOptions;
  private session: BlockSession | undefined;
  private pending: Pending[];
  private subs: Subscription[];
  /** The same subscriptions by recipient id (hex): a station holds thousands, and every MSG looks one up. */
  private subIndex: Record<string, Subscription | undefined>;
  private lastSendMs: number;
  /** By public key (hex): a DH per key and server session, not per command. */
  private authBoxKeys: Record<string, AuthBoxKey | undefined>;
  private corked: boolean;
  /** Transmissions waiting for uncork(), in order. */
  private held: Bytes[];

  constructor(provider: CryptoProvider, options: SmpClientOptions) {
    this.provider = provider;
    this.options = options;
    this.session = undefined;
    this.pending = [];
    this.subs = [];
    this.subIndex = {};
    this.lastSendMs = 0;
    this.authBoxKeys = {};
    this.corked = false;
    this.held = [];
  }

  /** Small transmissions wait for uncork() and then leave batched (see the module comment). */
  cork(): void {
    this.corked = true;
  }

  isCorked(): boolean {
    return this.corked;
  }

  /** Sends what waited since cork(), packed into as few blocks as it fits in. */
  uncork(): void {
    this.corked = false;
    this.flushHeld();
  }

  private flushHeld(): void {
    const held = this.held;
    if (held.length === 0) {
      return;
    }
    this.held = [];
    const session = this.session;
    if (session !== undefined) {
      // Each held transmission fitted a block on its own (checked when it was held).
      session.send(encodeBlocks(held).blocks);
    }
  }

  private authBoxKey(serverDhKey: Bytes, key: AuthKeyPair): Bytes {
    const id = toHex(key.publicKey);
    const known = this.authBoxKeys[id];
    if (known !== undefined && equalBytes(known.serverDhKey, serverDhKey)) {
      return known.key;
    }
    const k = cbKey(this.provider, serverDhKey, key.secretKey);
    this.authBoxKeys[id] = new AuthBoxKey(serverDhKey, k);
    return k;
  }

  isAttached(): boolean {
    return this.session !== undefined;
  }

  /** Use a (new) session; every subscribed queue is subscribed again on it. */
  attach(session: BlockSession, nowMs: number): void {
    this.session = session;
    this.lastSendMs = nowMs;
    for (const s of this.subs) {
      this.subscribeOn(s.queue, nowMs, undefined);
    }
  }

  /** The session is gone: pending commands fail with NETWORK; subscriptions are kept. */
  detach(): void {
    this.session = undefined;
    this.held = [];
    const p = this.pending;
    this.pending = [];
    for (const x of p) {
      x.onFail("NETWORK");
    }
  }

  /** When tick() next needs to run (ms since epoch), for the driver's timer. */
  nextTimerMs(): number {
    let t = this.lastSendMs + this.options.pingIntervalMs;
    for (const p of this.pending) {
      if (p.deadline < t) {
        t = p.deadline;
      }
    }
    return t;
  }

  tick(nowMs: number): void {
    const expired: Pending[] = [];
    const kept: Pending[] = [];
    for (const p of this.pending) {
      if (p.deadline <= nowMs) {
        expired.push(p);
      } else {
        kept.push(p);
      }
    }
    this.pending = kept;
    for (const p of expired) {
      p.onFail("TIMEOUT");
    }
    if (this.session !== undefined && nowMs - this.lastSendMs >= this.options.pingIntervalMs) {
      this.command({ tag: "PING" }, undefined, undefined, nowMs, () => {
        /* PONG only proves liveness */
      }, () => {
        /* a lost PING shows up as TIMEOUT of later commands or a closed session */
      });
    }
  }

  receiveBlock(block: Bytes): void {
    const session = this.session;
    if (session === undefined) {
      return;
    }
    const ts = parseBlock(block);
    if (!ts.ok) {
      this.options.onEvent({ type: "error", error: "bad block from relay: " + ts.error });
      return;
    }
    for (const raw of ts.value) {
      const t = parseTransmission(raw);
      if (!t.ok) {
        this.options.onEvent({ type: "error", error: "bad transmission from relay: " + t.error });
        continue;
      }
      const m = parseBrokerMsg(session.version, t.value.command);
      if (!m.ok) {
        this.options.onEvent({ type: "error", error: "bad response from relay: " + errorText(m.error) });
        continue;
      }
      this.dispatch(t.value.corrId, t.value.entityId, m.msg);
    }
  }

  private dispatch(corrId: Bytes, entityId: Bytes, m: BrokerMsg): void {
    if (corrId.length > 0) {
      for (let i = 0; i < this.pending.length; i++) {
        const p = this.pending[i];
        if (equalBytes(p.corrId, corrId)) {
          this.pending.splice(i, 1);
          p.onResponse(m);
          return;
        }
      }
    }
    if (m.tag === "MSG") {
      this.emitMessage(entityId, m.msgId, m.encBody);
    } else if (m.tag === "END" || m.tag === "DELD") {
      this.removeSub(entityId);
      this.options.onEvent(m.tag === "END" ? { type: "end", recipientId: entityId } : { type: "deleted", recipientId: entityId });
    } else if (corrId.length > 0) {
      this.options.onEvent({ type: "error", error: "response to an unknown command: " + m.tag });
    }
  }

  private findSub(recipientId: Bytes): Subscription | undefined {
    return this.subIndex[toHex(recipientId)];
  }

  private addSub(q: RecipientQueue): void {
    const s: Subscription = { queue: q };
    this.subs.push(s);
    this.subIndex[toHex(q.recipientId)] = s;
  }

  private removeSub(recipientId: Bytes): void {
    const kept: Subscription[] = [];
    for (const s of this.subs) {
      if (!equalBytes(s.queue.recipientId, recipientId)) {
        kept.push(s);
      }
    }
    this.subs = kept;
    this.subIndex[toHex(recipientId)] = undefined;
  }

  private decrypt(q: RecipientQueue, msgId: Bytes, encBody: Bytes): ClientResult<ReceivedMessage> {
    const d = decryptRcvMsg(this.provider, q.rcvDhSecret, msgId, encBody);
    if (!d.ok) {
      return failResult("cannot decrypt message " + toHex(msgId) + ": " + d.error, undefined);
    }
    return okResult({ recipientId: q.recipientId, msgId: msgId, body: d.value });
  }

  private emitMessage(entityId: Bytes, msgId: Bytes, encBody: Bytes): void {
    const s = this.findSub(entityId);
    if (s === undefined) {
      this.options.onEvent({ type: "error", error: "message for a queue we are not subscribed to" });
      return;
    }
    const r = this.decrypt(s.queue, msgId, encBody);
    if (r.ok) {
      this.options.onEvent({ type: "message", message: r.value });
    } else {
      this.options.onEvent({ type: "error", error: r.error });
    }
  }

  /** Sends one command; key = the key that authorizes it (undefined = unsigned). */
  command(cmd: Command, entityId: Bytes | undefined, key: AuthKeyPair | undefined, nowMs: number, onResponse: (this: void, m: BrokerMsg) => void, onFail: (this: void, e: string) => void): void {
    const session = this.session;
    if (session === undefined) {
      onFail("NETWORK");
      return;
    }
    let encoded: SmpWriter;
    try {
      encoded = commandWriter(session.version, cmd);
    } catch (e) {
      onFail(errorMessage(e));
      return;
    }
    this.transmit(session, encoded, entityId, key, nowMs, onResponse, onFail);
  }

  /** Sends one encoded command on the session (see command). */
  private transmit(session: BlockSession, encoded: SmpWriter, entityId: Bytes | undefined, key: AuthKeyPair | undefined, nowMs: number, onResponse: (this: void, m: BrokerMsg) => void, onFail: (this: void, e: string) => void): void {
    const corrId = this.provider.randomBytes(CORR_ID_SIZE);
    const entity = entityId === undefined ? alloc(0) : entityId;
    let block: Bytes | undefined;
    let heldT: Bytes | undefined;
    try {
      // Built as writers and copied once, into the block (and once for signing).
      const authorized = authorizedWriter(corrId, entity, encoded);
      let auth = alloc(0);
      if (key !== undefined) {
        const signed = signedBytesOf(session.sessionId, authorized);
        if (key.alg === "ed25519") {
          auth = this.provider.ed25519Sign(key.secretKey, signed);
        } else {
          if (session.serverDhKey === undefined) {
            onFail("no server session key for an X25519 authenticator");
            return;
          }
          auth = cbAuthenticate(this.provider, this.authBoxKey(session.serverDhKey, key), corrId, signed);
        }
      }
      const t = transmissionWriter(auth, authorized);
      // Only small ones wait: a transmission filling half a block gains nothing from company.
      if (this.corked && batchedWriterSize(t) <= HOLD_LIMIT) {
        heldT = t.finish();
      } else {
        block = encodeSingleBlock(t);
      }
    } catch (e) {
      onFail(errorMessage(e));
      return;
    }
    if (block === undefined && heldT === undefined) {
      onFail("LARGE_MSG: transmission does not fit in a block");
      return;
    }
    this.pending.push({ corrId: corrId, entityId: entity, deadline: nowMs + this.options.timeoutMs, onResponse: onResponse, onFail: onFail });
    this.lastSendMs = nowMs;
    if (heldT !== undefined) {
      this.held.push(heldT);
    } else if (block !== undefined) {
      // Held transmissions were issued first: they leave first.
      this.flushHeld();
      session.send([block]);
    }
  }

  /** A command whose only success is OK. */
  private expectOk(cmd: Command, entityId: Bytes, key: AuthKeyPair | undefined, nowMs: number, cb: ClientCallback<true>): void {
    this.command(cmd, entityId, key, nowMs, (m) => okResponse(m, cb), (e) => {
      cb(failResult<true>(e, undefined));
    });
  }

  /** NEW: creates a queue; the recipient is subscribed to it when `subscribe` is set. */
  createQueue(recipientKey: AuthKeyPair, sndSecure: boolean, subscribe: boolean, basicAuth: Bytes | undefined, nowMs: number, cb: ClientCallback<RecipientQueue>): void {
    const provider = this.provider;
    const dhSecret = provider.randomBytes(32);
    const dhPublic = provider.x25519PublicKey(dhSecret);
    const cmd: Command = {
      tag: "NEW",
      rcvAuthKey: authPublicKey(recipientKey),
      rcvDhKey: { alg: "x25519", key: dhPublic },
      basicAuth: basicAuth,
      subscribe: subscribe,
      sndSecure: sndSecure,
    };
    this.command(cmd, undefined, recipientKey, nowMs, (m) => {
      if (m.tag === "IDS") {
        let secret: Bytes;
        try {
          secret = cbKey(provider, m.srvDhKey.key, dhSecret);
        } catch (e) {
          cb(failResult<RecipientQueue>("bad server DH key: " + errorMessage(e), undefined));
          return;
        }
        const q: RecipientQueue = {
          recipientId: m.rcvId,
          senderId: m.sndId,
          recipientKey: recipientKey,
          rcvDhSecret: secret,
          serverDhKey: m.srvDhKey.key,
          sndSecure: m.sndSecure,
        };
        if (subscribe) {
          this.addSub(q);
        }
        cb(okResult(q));
      } else if (m.tag === "ERR") {
        cb(failResult<RecipientQueue>("ERR " + errorText(m.error), m.error));
      } else {
        cb(failResult<RecipientQueue>("unexpected response " + m.tag, undefined));
      }
    }, (e) => {
      cb(failResult<RecipientQueue>(e, undefined));
    });
  }

  private subscribeOn(q: RecipientQueue, nowMs: number, cb: ClientCallback<true> | undefined): void {
    this.command({ tag: "SUB" }, q.recipientId, q.recipientKey, nowMs, (m) => {
      if (m.tag === "OK") {
        if (cb !== undefined) {
          cb(okResult<true>(true));
        }
      } else {
        this.removeSub(q.recipientId);
        const err = m.tag === "ERR" ? "ERR " + errorText(m.error) : "unexpected response " + m.tag;
        if (cb !== undefined) {
          cb(failResult<true>(err, m.tag === "ERR" ? m.error : undefined));
        } else {
          this.options.onEvent({ type: "error", error: "resubscription failed: " + err });
        }
      }
    }, (e) => {
      if (cb !== undefined) {
        cb(failResult<true>(e, undefined));
      }
    });
  }

  /** SUB: messages then arrive as "message" events; the subscription survives reconnects. */
  subscribe(q: RecipientQueue, nowMs: number, cb: ClientCallback<true>): void {
    if (this.findSub(q.recipientId) === undefined) {
      this.addSub(q);
    }
    this.subscribeOn(q, nowMs, cb);
  }

  /** KEY: the recipient secures the queue with the sender's key. */
  secureQueue(q: RecipientQueue, senderKey: PublicKey, nowMs: number, cb: ClientCallback<true>): void {
    this.expectOk({ tag: "KEY", key: senderKey }, q.recipientId, q.recipientKey, nowMs, cb);
  }

  /** SKEY (v9): the sender secures the queue itthis. */
  secureQueueBySender(q: SenderQueue, senderKey: AuthKeyPair, nowMs: number, cb: ClientCallback<true>): void {
    this.expectOk({ tag: "SKEY", key: authPublicKey(senderKey) }, q.senderId, senderKey, nowMs, cb);
  }

  /** SEND: signed with the sender key once the queue is secured. */
  send(q: SenderQueue, body: Bytes, notification: boolean, nowMs: number, cb: ClientCallback<true>): void {
    this.expectOk({ tag: "SEND", notification: notification, body: body }, q.senderId, q.senderKey, nowMs, cb);
  }

  /** send() of a body held by a writer (an agent's envelope): its 16 KiB are copied once, into the block. */
  sendWriter(q: SenderQueue, body: SmpWriter, notification: boolean, nowMs: number, cb: ClientCallback<true>): void {
    const session = this.session;
    if (session === undefined) {
      cb(failResult<true>("NETWORK", undefined));
      return;
    }
    this.transmit(session, sendCommandWriter(notification, body), q.senderId, q.senderKey, nowMs, (m) => okResponse(m, cb), (e) => {
      cb(failResult<true>(e, undefined));
    });
  }

  /** ACK: acknowledges msgId; a subscriber may get the next message as the response (also emitted as an event). */
  ack(q: RecipientQueue, msgId: Bytes, nowMs: number, cb: ClientCallback<true>): void {
    this.command({ tag: "ACK", msgId: msgId }, q.recipientId, q.recipientKey, nowMs, (m) => {
      if (m.tag === "OK") {
        cb(okResult<true>(true));
      } else if (m.tag === "MSG") {
        cb(okResult<true>(true));
        this.emitMessage(q.recipientId, m.msgId, m.encBody);
      } else if (m.tag === "ERR") {
        cb(failResult<true>("ERR " + errorText(m.error), m.error));
      } else {
        cb(failResult<true>("unexpected response " + m.tag, undefined));
      }
    }, (e) => {
      cb(failResult<true>(e, undefined));
    });
  }

  /** GET: one message without subscribing (undefined when the queue is empty). */
  get(q: RecipientQueue, nowMs: number, cb: ClientCallback<ReceivedMessage | undefined>): void {
    this.command({ tag: "GET" }, q.recipientId, q.recipientKey, nowMs, (m) => {
      if (m.tag === "OK") {
        cb(okResult<ReceivedMessage | undefined>(undefined));
      } else if (m.tag === "MSG") {
        const r = this.decrypt(q, m.msgId, m.encBody);
        cb(r.ok ? okResult<ReceivedMessage | undefined>(r.value) : failResult<ReceivedMessage | undefined>(r.error, undefined));
      } else if (m.tag === "ERR") {
        cb(failResult<ReceivedMessage | undefined>("ERR " + errorText(m.error), m.error));
      } else {
        cb(failResult<ReceivedMessage | undefined>("unexpected response " + m.tag, undefined));
      }
    }, (e) => {
      cb(failResult<ReceivedMessage | undefined>(e, undefined));
    });
  }

  /** OFF: suspends the queue (senders get AUTH). */
  suspend(q: RecipientQueue, nowMs: number, cb: ClientCallback<true>): void {
    this.expectOk({ tag: "OFF" }, q.recipientId, q.recipientKey, nowMs, cb);
  }

  /** DEL: deletes the queue and its messages. */
  deleteQueue(q: RecipientQueue, nowMs: number, cb: ClientCallback<true>): void {
    this.removeSub(q.recipientId);
    this.expectOk({ tag: "DEL" }, q.recipientId, q.recipientKey, nowMs, cb);
  }

  ping(nowMs: number, cb: ClientCallback<true>): void {
    this.command({ tag: "PING" }, undefined, undefined, nowMs, (m) => {
      cb(m.tag === "PONG" ? okResult<true>(true) : failResult<true>("unexpected response " + m.tag, undefined));
    }, (e) => {
      cb(failResult<true>(e, undefined));
    });
  }
}
