/**
 * The protocol-independent heart of the relay: a decoded session (session id, version,
 * server X25519 session key) plus 16,384-byte blocks in; response blocks and deliveries
 * to other sessions out through each session's `send`. SMP over TLS and GRP over Noise
 * both drive it. Behaviour follows simplexmq's Server.hs (see docs/smp.md):
 *
 * - every transmission's credentials checked (Protocol.hs checkCredentials), then its
 *   authorization (Server.hs verifyTransmission, with a dummy verification when the
 *   queue does not exist so both AUTH paths cost the same);
 * - one subscriber per queue; SUB from another session sends END to the displaced one;
 * - one message in flight per subscription, ACK by msgId (empty msgId = any), FIFO;
 * - SUB and GET on the same queue and session → CMD PROHIBITED;
 * - quota per queue with a QUOTA marker, SEND size limit per version, TTL expiry.
 */
import { ed448 } from "@noble/curves/ed448.js";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import type { Bytes } from "../../firmware/port/bytes";
import { Command, commandParty } from "../../firmware/transport/smp/commands";
import { cbKey, cbVerifyAuthenticatorDigest } from "../../firmware/transport/smp/crypto-box";
import {
  CMD_HAS_AUTH, CMD_NO_AUTH, CMD_NO_ENTITY, CMD_PROHIBITED, ERR_AUTH, ERR_BLOCK, ERR_INTERNAL, ERR_LARGE_MSG, ERR_NO_MSG, ERR_QUOTA,
  SmpError, cmdError, smpError,
} from "../../firmware/transport/smp/errors";
import { PublicKey, decodeSpki } from "../../firmware/transport/smp/keys";
import { encryptRcvMsg } from "../../firmware/transport/smp/msg-body";
import type { BrokerMsg } from "../../firmware/transport/smp/responses";
import { authKind } from "../../firmware/transport/smp/transmission";
import { maxMessageLength } from "../../firmware/transport/smp/version";
import { DeferredMsg, DeferredSeal, encodeBlocksFast, parseBlockFast, parseCommandFast, parseTransmissionFast, responseParts, SignedParts, TransmissionParts } from "./fast-codec";
import type { QueueRecord, QueueStore, StoredMessage } from "./queue-store";

/** queue and message ids: 24 random bytes (simplexmq queueIdBytes / msgIdBytes) */
export const ENTITY_ID_SIZE = 24;
export const MSG_ID_SIZE = 24;
export const DEFAULT_QUOTA = 128;

// Server.hs dummyKeyEd25519 / dummyKeyEd448 / dummyKeyX25519: verified against when a queue is missing
const DUMMY_KEYS = [
  "MCowBQYDK2VwAyEA139Oqs4QgpqbAmB0o7rZf6T19ryl7E65k4AYe0kE3Qs=",
  "MEMwBQYDK2VxAzoA6ibQc9XpkSLtwrf7PLvp81qW/etiumckVFImCMRdftcG/XopbOSaq9qyLhrgJWKOLyNrQPNVvpMA",
  "MCowBQYDK2VuAyEA4JGSMYht18H4mas/jHeBwfcM7jLwNYJNOAhi2/g4RXg=",
].map((s) => {
  const k = decodeSpki(new Uint8Array(Buffer.from(s, "base64")));
  if (!k.ok) throw new Error("dummy key");
  return k.value;
});

export interface CommandHandlerOptions {
  store: QueueStore;
  provider: CryptoProvider;
  /** messages per queue before ERR QUOTA */
  quota?: number;
  /** message time-to-live in seconds; undefined = keep until read */
  ttlSeconds?: number;
  /** server password required in NEW (BasicAuth); undefined = anyone may create queues */
  newQueuePassword?: Bytes;
  /** milliseconds since 1970 */
  now?: () => number;
  random?: (n: number) => Bytes;
  /** set when this handler is one of several processes of one relay (relay/cluster.ts) */
  shard?: Shard;
}

/**
 * Queues are owned by the process that created them: the first byte of both of a queue's
 * ids, modulo `count`, is the owner's `index` (the other 23 bytes and the rest of the first
 * stay random). A transmission for a queue owned elsewhere is handed to `forward` instead of
 * being executed here; the owner runs it on a proxy of this session (same session id,
 * version and X25519 key, so every authorization check is the same).
 */
export interface Shard {
  index: number;
  count: number;
  /** runs `transmissions` (raw, as received) of session `s` at process `owner` */
  forward(s: RelaySession, owner: number, transmissions: Buffer[]): void;
  /** session `s`, which may have forwarded transmissions, is closed */
  closed(s: RelaySession): void;
}

/** The process owning the queue an entity id names; ids that no queue can have stay local. */
export function ownerOf(entityId: Bytes, count: number, self: number): number {
  return entityId.length === ENTITY_ID_SIZE ? entityId[0] % count : self;
}

export interface SessionParams {
  /** tls-unique (SMP) or the Noise handshake hash (GRP) */
  sessionId: Bytes;
  /** negotiated protocol version */
  version: number;
  /** this session's X25519 secret key, whose public half was signed in the server hello (v7 authenticators) */
  serverDhSecretKey: Bytes | undefined;
  /** sends response / delivery blocks to the peer */
  send: (blocks: Bytes[]) => void;
}

interface Sub {
  kind: "sub" | "get";
  delivered: Bytes | undefined;
}

interface Response {
  corrId: Bytes;
  entityId: Bytes;
  msg: BrokerMsg | DeferredMsg;
}

const EMPTY = new Uint8Array(0);

/** bytes fetched from the provider at once: one call per ~680 message ids instead of one each */
const RANDOM_POOL_SIZE = 16384;

/** The provider's randomness, fetched in chunks; every byte is handed out once. */
function pooledRandom(provider: CryptoProvider): (n: number) => Bytes {
  let pool: Uint8Array = new Uint8Array(0);
  let off = 0;
  return (n) => {
    if (n > RANDOM_POOL_SIZE) return provider.randomBytes(n);
    if (off + n > pool.length) {
      pool = provider.randomBytes(RANDOM_POOL_SIZE) as Uint8Array;
      off = 0;
    }
    off += n;
    return pool.slice(off - n, off);
  };
}

/**
 * A SEND body to store. It is a view into the received block, whose memory the caller of
 * handleBlock / processTransmissions hands over (they never reuse it): a body that fills
 * most of that memory is kept as the view (no 16 KB allocation and copy per message, and
 * fewer of the allocations that drive V8's mark-compacts); a small one is copied, so that
 * it does not hold a large read buffer alive.
 */
function keptBody(body: Bytes): Bytes {
  const u = body as Uint8Array;
  if (2 * u.length >= u.buffer.byteLength) return u;
  const copy = Buffer.allocUnsafe(u.length);
  copy.set(u);
  return copy;
}

/** Map key of an id: its bytes as a latin1 string, read through a view (no copy). */
function idKey(b: Bytes): string {
  const u = b as Uint8Array;
  return Buffer.from(u.buffer, u.byteOffset, u.length).toString("latin1");
}

function sameBytes(a: Bytes, b: Bytes): boolean {
  return Buffer.compare(a as Uint8Array, b as Uint8Array) === 0;
}

export class RelaySession {
  readonly params: SessionParams;
  readonly subs = new Map<string, Sub>();
  /** crypto_box keys of X25519 authenticators, by client public key (one X25519 per key and session) */
  readonly authKeys = new Map<string, Bytes>();
  /** subscriptions this session holds at other processes of a sharded relay, by process */
  readonly remoteSubs = new Map<number, number>();
  closed = false;
  private readonly handler: CommandHandler;

  constructor(handler: CommandHandler, params: SessionParams) {
    this.handler = handler;
    this.params = params;
  }
  /** false when the session holds no subscription here or at another process (idle timeout) */
  hasSubscriptions(): boolean {
    if (this.subs.size > 0) return true;
    for (const n of this.remoteSubs.values()) if (n > 0) return true;
    return false;
  }
  /** Processes one received block (its memory is the handler's from now on: see keptBody); responses go out through params.send. */
  handleBlock(block: Bytes): void {
    if (!this.closed) this.handler.processBlock(this, block);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler.closeSession(this);
  }
}

export class CommandHandler {
  readonly store: QueueStore;
  private readonly provider: CryptoProvider;
  private readonly quota: number;
  private readonly ttlSeconds: number | undefined;
  private readonly password: Bytes | undefined;
  private readonly now: () => number;
  private readonly random: (n: number) => Bytes;
  private readonly shard: Shard | undefined;
  /** recipientId → the session subscribed to it */
  private readonly subscribers = new Map<string, RelaySession>();
  readonly counters = { blocks: 0, sent: 0, delivered: 0, acked: 0 };
  /**
   * The session whose block is being processed, and the transmissions delivered to it
   * meanwhile (a MSG for its own SEND): they go out in front of its responses, in the same
   * blocks, instead of a block each — the order on the wire is unchanged.
   */
  private processing: RelaySession | undefined;
  private ownDeliveries: TransmissionParts[] = [];

  constructor(o: CommandHandlerOptions) {
    this.store = o.store;
    this.provider = o.provider;
    this.quota = o.quota ?? DEFAULT_QUOTA;
    this.ttlSeconds = o.ttlSeconds;
    this.password = o.newQueuePassword;
    this.now = o.now ?? Date.now;
    this.random = o.random ?? pooledRandom(o.provider);
    this.shard = o.shard;
    if (o.shard !== undefined && !(o.shard.count >= 1 && o.shard.count <= 128 && o.shard.index >= 0 && o.shard.index < o.shard.count)) {
      throw new Error(`bad shard ${o.shard.index} of ${o.shard.count}`);
    }
  }

  openSession(params: SessionParams): RelaySession {
    return new RelaySession(this, params);
  }

  closeSession(s: RelaySession): void {
    for (const k of s.subs.keys()) {
      if (this.subscribers.get(k) === s) this.subscribers.delete(k);
    }
    s.subs.clear();
    if (this.shard !== undefined && s.remoteSubs.size > 0) this.shard.closed(s);
  }

  /** Deletes expired messages from every queue (call periodically). */
  expireAll(): number {
    if (this.ttlSeconds === undefined) return 0;
    const before = Math.floor(this.now() / 1000) - this.ttlSeconds;
    let n = 0;
    for (const id of this.store.recipientIds()) n += this.store.expireMessages(id, before);
    return n;
  }

  processBlock(s: RelaySession, block: Bytes): void {
    this.counters.blocks++;
    const ts = parseBlockFast(block);
    if (ts === undefined || this.shard === undefined) return this.processTransmissions(s, ts);
    // sharded: transmissions for queues owned elsewhere go to their owner, one batch per owner
    const shard = this.shard;
    let local: Buffer[] | undefined;
    let remote: Map<number, Buffer[]> | undefined;
    for (const raw of ts) {
      const t = parseTransmissionFast(raw);
      const owner = t === undefined ? shard.index : ownerOf(t.entityId, shard.count, shard.index);
      if (owner === shard.index) {
        (local ??= []).push(raw);
      } else {
        remote ??= new Map();
        const batch = remote.get(owner);
        if (batch === undefined) remote.set(owner, [raw]);
        else batch.push(raw);
      }
    }
    if (remote !== undefined) {
      for (const [owner, batch] of remote) {
        if (!s.remoteSubs.has(owner)) s.remoteSubs.set(owner, 0);
        shard.forward(s, owner, batch);
      }
    }
    if (local !== undefined) this.processTransmissions(s, local);
  }

  /**
   * Runs a batch of raw transmissions (undefined = the block did not parse) for session s
   * and sends the responses in as few blocks as they fit in. A sharded relay's owner calls
   * this with the transmissions another process forwarded (on a proxy of the session).
   * Message bodies may be kept as views into ts: the caller must not reuse their memory.
   */
  processTransmissions(s: RelaySession, ts: Buffer[] | undefined): void {
    const v = s.params.version;
    const out: Response[] = [];
    const after: Response[] = [];
    const delivered: TransmissionParts[] = [];
    if (ts === undefined) {
      out.push({ corrId: EMPTY, entityId: EMPTY, msg: { tag: "ERR", error: smpError(ERR_BLOCK) } });
    } else {
      this.processing = s;
      this.ownDeliveries = delivered;
      try {
        for (const t of ts) this.processTransmission(s, t, out, after);
      } finally {
        this.processing = undefined;
      }
    }
    if (delivered.length + out.length + after.length === 0) return;
    for (const r of out) delivered.push(responseParts(v, r.corrId, r.entityId, r.msg));
    for (const r of after) delivered.push(responseParts(v, r.corrId, r.entityId, r.msg));
    s.params.send(encodeBlocksFast(delivered));
  }

  private processTransmission(s: RelaySession, raw: Buffer, out: Response[], after: Response[]): void {
    const t = parseTransmissionFast(raw);
    if (t === undefined) {
      out.push({ corrId: EMPTY, entityId: EMPTY, msg: { tag: "ERR", error: smpError(ERR_BLOCK) } });
      return;
    }
    const { corrId, entityId, auth } = t;
    // no closures here: this runs once per transmission
    const kind = authKind(auth);
    if (kind === undefined) {
      out.push({ corrId, entityId: EMPTY, msg: { tag: "ERR", error: smpError(ERR_BLOCK) } });
      return;
    }
    const parsed = parseCommandFast(s.params.version, t.command as Buffer);
    if (!parsed.ok) return void out.push(errResponse(corrId, entityId, parsed.error));
    const cmd = parsed.command;
    const credErr = checkCredentials(cmd, kind !== "none", entityId.length > 0);
    if (credErr !== undefined) return void out.push(errResponse(corrId, entityId, credErr));
    const signed = new SignedParts(s.params.sessionId, t.authorized);
    const party = commandParty(cmd.tag);
    let q: QueueRecord | undefined;
    if (party === "creator") {
      if (cmd.tag === "NEW" && !this.verifyAuth(s, cmd.rcvAuthKey, auth, corrId, signed)) return void out.push(errResponse(corrId, entityId, smpError(ERR_AUTH)));
    } else if (party === "recipient") {
      q = this.store.getByRecipientId(entityId);
      if (q === undefined || !this.verifyAuth(s, q.recipientKey, auth, corrId, signed)) return void this.authFailed(s, q, auth, corrId, signed, entityId, out);
    } else if (party === "sender") {
      q = this.store.getBySenderId(entityId);
      if (q === undefined) return void this.authFailed(s, q, auth, corrId, signed, entityId, out);
      if (cmd.tag === "SKEY") {
        const allowed = q.sndSecure && (q.senderKey === undefined || sameKey(q.senderKey, cmd.key));
        if (!allowed || !this.verifyAuth(s, cmd.key, auth, corrId, signed)) return void out.push(errResponse(corrId, entityId, smpError(ERR_AUTH)));
      } else if (q.senderKey === undefined ? kind !== "none" : !this.verifyAuth(s, q.senderKey, auth, corrId, signed)) {
        // SEND is accepted unsigned until the queue is secured, and only signed after
        return void out.push(errResponse(corrId, entityId, smpError(ERR_AUTH)));
      }
    }
    switch (cmd.tag) {
      case "PING":
        return void out.push({ corrId, entityId: EMPTY, msg: { tag: "PONG" } });
      case "NEW":
        return void out.push({ corrId, entityId, msg: this.createQueue(s, cmd) });
      case "SUB":
        return this.subscribe(s, q!, corrId, out, after);
      case "GET":
        return void out.push({ corrId, entityId, msg: this.getMessage(s, q!) });
      case "ACK":
        return void out.push({ corrId, entityId, msg: this.acknowledge(s, q!, cmd.msgId) });
      case "KEY":
      case "SKEY":
        return void out.push({ corrId, entityId, msg: this.store.secureQueue(q!.recipientId, cmd.key) ? { tag: "OK" } : { tag: "ERR", error: smpError(ERR_AUTH) } });
      case "SEND":
        return void out.push({ corrId, entityId, msg: this.send(s, q!, cmd.notification, cmd.body) });
      case "OFF":
        this.store.suspendQueue(q!.recipientId);
        return void out.push({ corrId, entityId, msg: { tag: "OK" } });
      case "DEL":
        this.deleteQueue(s, q!);
        return void out.push({ corrId, entityId, msg: { tag: "OK" } });
    }
  }

  private authFailed(s: RelaySession, q: QueueRecord | undefined, auth: Bytes, corrId: Bytes, signed: SignedParts, entityId: Bytes, out: Response[]): void {
    if (q === undefined) {
      const kind = authKind(auth);
      const dummy = kind === "ed448" ? DUMMY_KEYS[1] : kind === "x25519" ? DUMMY_KEYS[2] : DUMMY_KEYS[0];
      if (kind !== "none") this.verifyAuth(s, dummy, auth, corrId, signed);
    }
    out.push(errResponse(corrId, entityId, smpError(ERR_AUTH)));
  }

  private verifyAuth(s: RelaySession, k: PublicKey, auth: Bytes, corrId: Bytes, signed: SignedParts): boolean {
    const kind = authKind(auth);
    try {
      if (kind === "ed25519") return k.alg === "ed25519" && this.provider.ed25519Verify(k.key, signed.bytes(), auth);
      if (kind === "ed448") return k.alg === "ed448" && ed448.verify(auth as Uint8Array, signed.bytes(), k.key as Uint8Array);
      if (kind === "x25519") {
        const sk = s.params.serverDhSecretKey;
        if (k.alg !== "x25519" || sk === undefined) return false;
        const id = idKey(k.key);
        let key = s.authKeys.get(id);
        if (key === undefined) {
          key = cbKey(this.provider, k.key, sk);
          if (s.authKeys.size >= 4096) s.authKeys.clear();
          s.authKeys.set(id, key);
        }
        return cbVerifyAuthenticatorDigest(this.provider, key, corrId, auth, signed.sha512());
      }
    } catch {
      return false;
    }
    return false;
  }

  private createQueue(s: RelaySession, cmd: Extract<Command, { tag: "NEW" }>): BrokerMsg {
    if (this.password !== undefined && (cmd.basicAuth === undefined || !sameBytes(cmd.basicAuth, this.password))) {
      return { tag: "ERR", error: smpError(ERR_AUTH) };
    }
    const srvSk = this.random(32);
    const srvPk = this.provider.x25519PublicKey(srvSk);
    let rcvDhSecret: Bytes;
    try {
      rcvDhSecret = cbKey(this.provider, cmd.rcvDhKey.key, srvSk);
    } catch {
      return { tag: "ERR", error: smpError(ERR_AUTH) };
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const q: QueueRecord = {
        recipientId: this.newEntityId(),
        senderId: this.newEntityId(),
        recipientKey: cmd.rcvAuthKey,
        rcvDhSecret,
        senderKey: undefined,
        sndSecure: s.params.version >= 9 && cmd.sndSecure,
        status: "active",
      };
      if (!this.store.addQueue(q)) continue;
      if (cmd.subscribe) this.takeSubscription(s, q.recipientId);
      return { tag: "IDS", rcvId: q.recipientId, sndId: q.senderId, srvDhKey: { alg: "x25519", key: srvPk }, sndSecure: q.sndSecure };
    }
    return { tag: "ERR", error: smpError(ERR_INTERNAL) };
  }

  /** A random queue id; on a sharded relay its first byte also names this process (see Shard). */
  private newEntityId(): Bytes {
    const id = this.random(ENTITY_ID_SIZE);
    const sh = this.shard;
    if (sh !== undefined && sh.count > 1) id[0] = sh.index + sh.count * (id[0] % Math.floor(256 / sh.count));
    return id;
  }

  /** Makes s the subscriber of the queue; the previous subscriber session gets END. */
  private takeSubscription(s: RelaySession, rid: Bytes): Sub {
    const k = idKey(rid);
    const prev = this.subscribers.get(k);
    if (prev !== undefined && prev !== s) {
      prev.subs.delete(k);
      if (!prev.closed) this.deliver(prev, rid, { tag: "END" });
    }
    this.subscribers.set(k, s);
    const sub: Sub = { kind: "sub", delivered: undefined };
    s.subs.set(k, sub);
    return sub;
  }

  private subscribe(s: RelaySession, q: QueueRecord, corrId: Bytes, out: Response[], after: Response[]): void {
    const k = idKey(q.recipientId);
    let sub = s.subs.get(k);
    if (sub !== undefined && sub.kind === "get") {
      out.push({ corrId, entityId: q.recipientId, msg: { tag: "ERR", error: cmdError(CMD_PROHIBITED) } });
      return;
    }
    if (sub === undefined) sub = this.takeSubscription(s, q.recipientId);
    else sub.delivered = undefined; // repeated SUB re-delivers the unacknowledged message
    out.push({ corrId, entityId: q.recipientId, msg: { tag: "OK" } });
    const m = this.store.peekMsg(q.recipientId);
    if (m !== undefined) {
      sub.delivered = m.msgId;
      after.push({ corrId: EMPTY, entityId: q.recipientId, msg: this.encryptMsg(q, m) });
    }
  }

  private getMessage(s: RelaySession, q: QueueRecord): BrokerMsg | DeferredMsg {
    const k = idKey(q.recipientId);
    let sub = s.subs.get(k);
    if (sub !== undefined && sub.kind === "sub") return { tag: "ERR", error: cmdError(CMD_PROHIBITED) };
    if (sub === undefined) {
      sub = { kind: "get", delivered: undefined };
      s.subs.set(k, sub); // not a server subscription: it only prohibits SUB on this session
    }
    sub.delivered = undefined;
    const m = this.store.peekMsg(q.recipientId);
    if (m === undefined) return { tag: "OK" };
    sub.delivered = m.msgId;
    return this.encryptMsg(q, m);
  }

  private acknowledge(s: RelaySession, q: QueueRecord, msgId: Bytes): BrokerMsg | DeferredMsg {
    const sub = s.subs.get(idKey(q.recipientId));
    if (sub === undefined || sub.delivered === undefined) return { tag: "ERR", error: smpError(ERR_NO_MSG) };
    if (msgId.length > 0 && !sameBytes(msgId, sub.delivered)) return { tag: "ERR", error: smpError(ERR_NO_MSG) };
    const ackId = msgId.length > 0 ? msgId : sub.delivered;
    sub.delivered = undefined;
    if (this.store.deleteMsg(q.recipientId, ackId) !== undefined) this.counters.acked++;
    if (sub.kind === "get") return { tag: "OK" };
    const next = this.store.peekMsg(q.recipientId);
    if (next === undefined) return { tag: "OK" };
    sub.delivered = next.msgId;
    return this.encryptMsg(q, next);
  }

  private send(s: RelaySession, q: QueueRecord, notification: boolean, body: Bytes): BrokerMsg {
    if (body.length > maxMessageLength(s.params.version)) return { tag: "ERR", error: smpError(ERR_LARGE_MSG) };
    if (q.status !== "active") return { tag: "ERR", error: smpError(ERR_AUTH) };
    const nowSec = Math.floor(this.now() / 1000);
    if (this.ttlSeconds !== undefined) this.store.expireMessages(q.recipientId, nowSec - this.ttlSeconds);
    const msg: StoredMessage = { quota: false, msgId: this.random(MSG_ID_SIZE), ts: nowSec, notification, body: keptBody(body) };
    const w = this.store.writeMsg(q.recipientId, msg, this.quota);
    if (w.wasEmpty) this.tryDeliver(q);
    if (!w.written) return { tag: "ERR", error: smpError(ERR_QUOTA) };
    this.counters.sent++;
    return { tag: "OK" };
  }

  /** A message arrived in an empty queue: push it to the subscriber if nothing is in flight. */
  private tryDeliver(q: QueueRecord): void {
    const rcv = this.subscribers.get(idKey(q.recipientId));
    if (rcv === undefined || rcv.closed) return;
    const sub = rcv.subs.get(idKey(q.recipientId));
    if (sub === undefined || sub.kind !== "sub" || sub.delivered !== undefined) return;
    const m = this.store.peekMsg(q.recipientId);
    if (m === undefined) return;
    sub.delivered = m.msgId;
    this.counters.delivered++;
    this.deliver(rcv, q.recipientId, this.encryptMsg(q, m));
  }

  private deleteQueue(s: RelaySession, q: QueueRecord): void {
    const k = idKey(q.recipientId);
    this.store.deleteQueue(q.recipientId);
    s.subs.delete(k);
    const other = this.subscribers.get(k);
    this.subscribers.delete(k);
    if (other !== undefined && other !== s && !other.closed) {
      other.subs.delete(k);
      this.deliver(other, q.recipientId, { tag: "DELD" }); // END before v10
    }
  }

  /** A message's MSG; its body is sealed when its block is written (fast-codec DeferredSeal). */
  private encryptMsg(q: QueueRecord, m: StoredMessage): BrokerMsg | DeferredMsg {
    if (m.quota) return { tag: "MSG", msgId: m.msgId, encBody: encryptRcvMsg(this.provider, q.rcvDhSecret, m.msgId, { quota: true, ts: m.ts }) };
    return { tag: "MSG", msgId: m.msgId, sealed: new DeferredSeal(this.provider, q.rcvDhSecret, m.msgId, m.ts, m.notification, m.body) };
  }

  private deliver(s: RelaySession, entityId: Bytes, msg: BrokerMsg | DeferredMsg): void {
    const t = responseParts(s.params.version, EMPTY, entityId, msg);
    if (s === this.processing) this.ownDeliveries.push(t);
    else s.params.send(encodeBlocksFast([t]));
  }
}

function errResponse(corrId: Bytes, entityId: Bytes, error: SmpError): Response {
  return { corrId, entityId, msg: { tag: "ERR", error } };
}

function sameKey(a: PublicKey, b: PublicKey): boolean {
  return a.alg === b.alg && sameBytes(a.key, b.key);
}

/** Protocol.hs checkCredentials for the commands of v7..9. */
export function checkCredentials(cmd: Command, hasAuth: boolean, hasEntity: boolean): SmpError | undefined {
  switch (cmd.tag) {
    case "NEW":
      if (!hasAuth) return cmdError(CMD_NO_AUTH);
      if (hasEntity) return cmdError(CMD_HAS_AUTH);
      return undefined;
    case "SEND":
      return hasEntity ? undefined : cmdError(CMD_NO_ENTITY);
    case "PING":
      return !hasAuth && !hasEntity ? undefined : cmdError(CMD_HAS_AUTH);
    default:
      return hasAuth && hasEntity ? undefined : cmdError(CMD_NO_AUTH);
  }
}

