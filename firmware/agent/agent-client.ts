/**
 * The agent over real queues: duplex connections (connection.ts) carried by SMP queues
 * through an SmpClient (which runs over SMP/TLS or GRP/Noise alike). Sans-I/O and
 * callback-driven, so the Node station and the device firmware share it.
 *
 * Per connection it keeps the queue we receive on (created with NEW, sender-secured) and
 * the queue we send to (secured by us with SKEY before the first SEND), each with its
 * per-queue e2e key for SimpleX's client envelope (crypto_box, the first message carrying
 * our e2e public key). Everything is persisted through the AgentStore before it matters:
 * outgoing bodies go to a persistent outbox before they are sent (in order, up to
 * SEND_WINDOW at once on the one connection, which keeps them in order; after a failure
 * the outbox is resent from its head, and the receiver drops the copies it already has),
 * and a received message is ACKed only after the state it produced has been saved.
 */
import { Bytes, alloc, fromAscii } from "../port/bytes";
import { toHex } from "../port/hex";
import { SmpReader, SmpWriter, bytesToAscii } from "../port/encoding";
import { CryptoProvider } from "../crypto/provider";
import { AuthAlg, AuthKeyPair, ClientEvent, ClientResult, RecipientQueue, SmpClient, SenderQueue, generateAuthKeyPair } from "../transport/smp/client";
import { cbKey, CB_NONCE_SIZE } from "../transport/smp/crypto-box";
import { SMP_CLIENT_VERSION_MAX, SMP_CLIENT_VERSION_MIN, openEnvelope, parseEnvelope, sealEnvelopeWriter } from "../transport/smp/client-envelope";
import { ServerAddress, encodeQueueUri, parseQueueUri, encodeServerAddress } from "../transport/smp/server-address";
import {
  AgentEvent, Connection, EV_CONFIRMED, EV_ERROR, Outgoing, ReceiveResult, WriteAhead, createInvitation,
  connectionWriter, deserializeConnection, joinInvitation,
} from "./connection";
import { RatchetContext } from "./ratchet";

/** Where the agent keeps one record per connection; save must be durable on return. */
export interface AgentStore {
  save(connId: string, record: Bytes): void;
  remove(connId: string): void;
  /** Every saved record, for restore at boot. */
  loadAll(): StoredRecord[];
}

export class StoredRecord {
  connId: string;
  record: Bytes;
  constructor(connId: string, record: Bytes) {
    this.connId = connId;
    this.record = record;
  }
}

/** What the agent reports to its owner (station or device app). */
export class AgentClientEvent {
  /** "connected" | "message" | "receipt" | "gap" | "duplicate" | "error" | "ready" */
  type: string;
  connId: string;
  seq: number;
  payload: Bytes;
  detail: string;
  late: boolean;
  constructor(type: string, connId: string, seq: number, payload: Bytes, detail: string) {
    this.type = type;
    this.connId = connId;
    this.seq = seq;
    this.payload = payload;
    this.detail = detail;
    this.late = false;
  }
}

export type AgentEventHandler = (this: void, e: AgentClientEvent) => void;
export type Clock = (this: void) => number;
export type Done = (this: void, error: string) => void;

const EMPTY = alloc(0);
/** SENDs in flight per connection. */
export const SEND_WINDOW = 8;
/**
 * Most messages waiting per connection: the outbox is saved with every step, so callers
 * get backpressure ("outbox full") instead of an ever larger record to rewrite.
 */
export const MAX_OUTBOX = 64;

/** The queue this side receives on. */
class OwnQueue {
  queue: RecipientQueue;
  e2eSecret: Bytes;
  constructor(queue: RecipientQueue, e2eSecret: Bytes) {
    this.queue = queue;
    this.e2eSecret = e2eSecret;
  }
}

/** The queue this side sends to. */
class PeerQueue {
  senderId: Bytes;
  senderKey: AuthKeyPair;
  e2eSecret: Bytes;
  peerE2ePublic: Bytes;
  secured: boolean;
  /** The first message carries our e2e public key (SimpleX's confirmation envelope). */
  sentFirst: boolean;
  /** cbKey(peerE2ePublic, e2eSecret), derived on first use (an X25519 per message costs more than the rest of a send). */
  boxKey: Bytes | undefined;
  constructor(senderId: Bytes, senderKey: AuthKeyPair, e2eSecret: Bytes, peerE2ePublic: Bytes) {
    this.senderId = senderId;
    this.senderKey = senderKey;
    this.e2eSecret = e2eSecret;
    this.peerE2ePublic = peerE2ePublic;
    this.secured = false;
    this.sentFirst = false;
    this.boxKey = undefined;
  }
}

class ConnRecord {
  connId: string;
  conn: Connection;
  own: OwnQueue;
  /** Peer's e2e public key for our queue, learnt from its first envelope. */
  ownPeerE2e: Bytes | undefined;
  /** cbKey(ownPeerE2e, own.e2eSecret), derived on first use; not stored. */
  ownBoxKey: Bytes | undefined;
  peer: PeerQueue | undefined;
  outbox: Bytes[];
  /** Changed since it was last saved. */
  dirty: boolean;
  /** Outbox entries sent and not yet answered. */
  inFlight: number;
  /** Bumped on failure, so answers to an abandoned window are ignored. */
  window: number;
  securing: boolean;
  /** When resume() last sent this connection's receipt (the agent's clock). */
  receiptAtMs: number;
  constructor(connId: string, conn: Connection, own: OwnQueue) {
    this.connId = connId;
    this.conn = conn;
    this.own = own;
    this.ownPeerE2e = undefined;
    this.ownBoxKey = undefined;
    this.peer = undefined;
    this.outbox = [];
    this.dirty = false;
    this.inFlight = 0;
    this.window = 0;
    this.securing = false;
    this.receiptAtMs = 0;
  }
}

const RECORD_FORMAT = 1;

function writeAuthKey(w: SmpWriter, k: AuthKeyPair): void {
  w.short(fromAscii(k.alg)).short(k.secretKey).short(k.publicKey);
}

function readAuthKey(r: SmpReader): AuthKeyPair {
  const alg = bytesToAscii(r.short());
  const secretKey = r.short();
  const publicKey = r.short();
  return { alg: alg === "x25519" ? "x25519" : "ed25519", secretKey: secretKey, publicKey: publicKey };
}

function serializeRecord(rec: ConnRecord): Bytes {
  const q = rec.own.queue;
  const w = new SmpWriter().byte(RECORD_FORMAT).short(fromAscii(rec.connId));
  w.largeWriter(connectionWriter(rec.conn));
  w.short(q.recipientId).short(q.senderId);
  writeAuthKey(w, q.recipientKey);
  w.short(q.rcvDhSecret).short(q.serverDhKey).bool(q.sndSecure).short(rec.own.e2eSecret);
  if (rec.ownPeerE2e === undefined) {
    w.byte(0x30);
  } else {
    w.byte(0x31).short(rec.ownPeerE2e);
  }
  const p = rec.peer;
  if (p === undefined) {
    w.byte(0x30);
  } else {
    w.byte(0x31).short(p.senderId);
    writeAuthKey(w, p.senderKey);
    w.short(p.e2eSecret).short(p.peerE2ePublic).bool(p.secured).bool(p.sentFirst);
  }
  w.word16(rec.outbox.length);
  for (const b of rec.outbox) {
    w.large(b);
  }
  return w.finish();
}

export class AgentClientOptions {
  provider: CryptoProvider;
  ctx: RatchetContext;
  client: SmpClient;
  /** The relay where this side creates the queues it receives on. */
  server: ServerAddress;
  store: AgentStore;
  now: Clock;
  onEvent: AgentEventHandler;
  /**
   * resume() sends a connection's cumulative receipt at most this often (ms; 0: on every
   * call). Each receipt turns the ratchet around (a DH + KEM step on both sides), so a
   * receiver of many small messages (a station) batches them.
   */
  receiptIntervalMs: number;
  /**
   * Keys that authorize this side's recipient commands (SUB, ACK, KEY, ...) and its SENDs.
   * simplexmq's agent keeps Ed25519 for recipients and plans X25519 for senders from SMP v7
   * (its AgentConfig: "TODO replace with X25519 when switching to v7"); we negotiate v7+ only,
   * so senders authenticate with X25519: one DH per session, then a crypto_box per command
   * instead of an Ed25519 signature (a device's CPU, a relay's ~120 µs verify).
   */
  recipientAuthAlg: AuthAlg;
  senderAuthAlg: AuthAlg;
  constructor(provider: CryptoProvider, ctx: RatchetContext, client: SmpClient, server: ServerAddress, store: AgentStore, now: Clock, onEvent: AgentEventHandler) {
    this.provider = provider;
    this.ctx = ctx;
    this.client = client;
    this.server = server;
    this.store = store;
    this.now = now;
    this.onEvent = onEvent;
    this.receiptIntervalMs = 0;
    this.recipientAuthAlg = "ed25519";
    this.senderAuthAlg = "x25519";
  }
}

/**
 * The connection's write-ahead hook: marks the record changed. The agent saves it before
 * anything that depends on it leaves (a SEND of a new outbox entry, an ACK), once per step.
 */
class RecordWal implements WriteAhead {
  agent: AgentClient;
  connId: string;
  constructor(agent: AgentClient, connId: string) {
    this.agent = agent;
    this.connId = connId;
  }
  persist(_connection: Connection): void {
    this.agent.markDirty(this.connId);
  }
}

export class AgentClient {
  private o: AgentClientOptions;
  private records: ConnRecord[];
  /** Indexes over `records` (a station holds thousands, every message looks one up). */
  private byConnId: Record<string, ConnRecord | undefined>;
  private byRecipientId: Record<string, ConnRecord | undefined>;
  private counter: number;

  constructor(o: AgentClientOptions) {
    this.o = o;
    this.records = [];
    this.byConnId = {};
    this.byRecipientId = {};
    this.counter = 0;
  }

  private addRecord(rec: ConnRecord): void {
    this.records.push(rec);
    this.byConnId[rec.connId] = rec;
    this.byRecipientId[toHex(rec.own.queue.recipientId)] = rec;
  }

  private find(connId: string): ConnRecord | undefined {
    return this.byConnId[connId];
  }

  private findByRecipient(recipientId: Bytes): ConnRecord | undefined {
    return this.byRecipientId[toHex(recipientId)];
  }

  /** Saves a connection's whole record (connection state, queues, outbox). */
  persist(connId: string): void {
    const rec = this.find(connId);
    if (rec !== undefined) {
      this.o.store.save(connId, serializeRecord(rec));
      rec.dirty = false;
    }
  }

  markDirty(connId: string): void {
    const rec = this.find(connId);
    if (rec !== undefined) {
      rec.dirty = true;
    }
  }

  private flush(rec: ConnRecord): void {
    if (rec.dirty) {
      this.persist(rec.connId);
    }
  }

  private emit(type: string, connId: string, seq: number, payload: Bytes, detail: string): void {
    this.o.onEvent(new AgentClientEvent(type, connId, seq, payload, detail));
  }

  private newConnId(): string {
    this.counter = this.counter + 1;
    return toHex(this.o.provider.randomBytes(6)) + "-" + this.counter;
  }

  /** Ids and peer names of every connection. */
  connections(): string[] {
    const out: string[] = [];
    for (const r of this.records) {
      out.push(r.connId);
    }
    return out;
  }

  peerName(connId: string): string {
    const r = this.find(connId);
    return r === undefined ? "" : r.conn.peerName;
  }

  status(connId: string): string {
    const r = this.find(connId);
    return r === undefined ? "" : r.conn.status;
  }

  /** Messages waiting in the outbox (not yet accepted by the relay). */
  pending(connId: string): number {
    const r = this.find(connId);
    return r === undefined ? 0 : r.outbox.length;
  }

  private createOwnQueue(cb: (this: void, q: OwnQueue | undefined, error: string) => void): void {
    const p = this.o.provider;
    const key = generateAuthKeyPair(p, this.o.recipientAuthAlg);
    this.o.client.createQueue(key, true, true, undefined, this.o.now(), (r: ClientResult<RecipientQueue>) => {
      if (!r.ok) {
        cb(undefined, "creating a queue: " + r.error);
        return;
      }
      cb(new OwnQueue(r.value, this.o.ctx.random(32)), "");
    });
  }

  private queueUri(own: OwnQueue): string {
    return encodeQueueUri({
      server: this.o.server,
      senderId: own.queue.senderId,
      clientVersions: { min: SMP_CLIENT_VERSION_MIN, max: SMP_CLIENT_VERSION_MAX },
      dhPublicKey: { alg: "x25519", key: this.o.provider.x25519PublicKey(own.e2eSecret) },
      queueMode: "m",
    });
  }

  /** Initiator (station): a new queue and the invitation text for it. */
  createInvitation(cb: (this: void, connId: string, invitation: string, error: string) => void): void {
    this.createOwnQueue((own, error) => {
      if (own === undefined) {
        cb("", "", error);
        return;
      }
      const connId = this.newConnId();
      const inv = createInvitation(this.o.ctx, new RecordWal(this, connId), this.queueUri(own));
      const rec = new ConnRecord(connId, inv.connection, own);
      this.addRecord(rec);
      this.persist(connId);
      cb(connId, inv.text, "");
    });
  }

  /** Joiner (device): accepts an invitation; "connected"/"ready" events follow. */
  joinInvitation(text: string, name: string, info: Bytes, cb: (this: void, connId: string, error: string) => void): void {
    this.createOwnQueue((own, error) => {
      if (own === undefined) {
        cb("", error);
        return;
      }
      const connId = this.newConnId();
      const joined = joinInvitation(this.o.ctx, new RecordWal(this, connId), text, this.queueUri(own), name, info);
      if (typeof joined === "string") {
        cb("", joined);
        return;
      }
      const rec = new ConnRecord(connId, joined.connection, own);
      this.addRecord(rec);
      const peerErr = this.setPeer(rec, joined.confirmation.queueUri);
      if (peerErr !== "") {
        cb("", peerErr);
        return;
      }
      rec.outbox.push(joined.confirmation.body);
      this.persist(connId);
      this.pump(rec);
      cb(connId, "");
    });
  }

  /** Sends application data; `done` reports when the relay has accepted it (or why not). */
  send(connId: string, payload: Bytes): string {
    const rec = this.find(connId);
    if (rec === undefined) {
      return "no connection " + connId;
    }
    if (rec.outbox.length >= MAX_OUTBOX) {
      return "outbox full (" + rec.outbox.length + " messages waiting); try again when pending() drops";
    }
    let out: Outgoing;
    try {
      out = rec.conn.send(payload);
    } catch (e) {
      return (e as Error).message;
    }
    this.enqueue(rec, out);
    return "";
  }

  private setPeer(rec: ConnRecord, uri: string): string {
    const q = parseQueueUri(uri);
    if (!q.ok) {
      return "peer queue: " + q.error;
    }
    if (q.value.dhPublicKey.alg !== "x25519") {
      return "peer queue: e2e key must be X25519";
    }
    rec.peer = new PeerQueue(q.value.senderId, generateAuthKeyPair(this.o.provider, this.o.senderAuthAlg), this.o.ctx.random(32), q.value.dhPublicKey.key);
    return "";
  }

  private enqueue(rec: ConnRecord, out: Outgoing): void {
    if (rec.peer === undefined) {
      const err = this.setPeer(rec, out.queueUri);
      if (err !== "") {
        this.emit(EV_ERROR, rec.connId, out.seq, EMPTY, err);
        return;
      }
    }
    rec.outbox.push(out.body);
    this.persist(rec.connId);
    this.pump(rec);
  }

  /** Sends outbox entries in order, up to SEND_WINDOW at once, securing the peer queue first. */
  private pump(rec: ConnRecord): void {
    const peer = rec.peer;
    // Nothing to send is the common case (resume() visits every connection each pump): no
    // work and no garbage before this test. Unsecured, nothing is in flight.
    if (rec.securing || peer === undefined || rec.inFlight >= rec.outbox.length || !this.o.client.isAttached()) {
      return;
    }
    const sq: SenderQueue = { senderId: peer.senderId, senderKey: peer.secured ? peer.senderKey : undefined };
    if (!peer.secured) {
      rec.securing = true;
      this.o.client.secureQueueBySender(sq, peer.senderKey, this.o.now(), (r: ClientResult<true>) => {
        rec.securing = false;
        // AUTH after a reboot can mean we secured it already and lost the record update.
        if (r.ok || (r.smpError !== undefined && r.error === "ERR AUTH")) {
          peer.secured = true;
          this.persist(rec.connId);
          this.pump(rec);
        } else {
          this.emit(EV_ERROR, rec.connId, 0, EMPTY, "securing the peer queue: " + r.error);
        }
      });
      return;
    }
    const p = this.o.provider;
    if (peer.boxKey === undefined) {
      peer.boxKey = cbKey(p, peer.peerE2ePublic, peer.e2eSecret);
    }
    const key = peer.boxKey;
    while (rec.inFlight < rec.outbox.length && rec.inFlight < SEND_WINDOW) {
      // Until one SEND has succeeded, keep to one in flight: the first envelope carries our key.
      if (!peer.sentFirst && rec.inFlight > 0) {
        return;
      }
      const e2ePub = peer.sentFirst ? undefined : { alg: "x25519" as const, key: p.x25519PublicKey(peer.e2eSecret) };
      const body = rec.outbox[rec.inFlight];
      // A writer: the 16 KiB envelope is copied once, into the block.
      const envelope = sealEnvelopeWriter(p, key, this.o.ctx.random(CB_NONCE_SIZE), SMP_CLIENT_VERSION_MAX, e2ePub, { senderKey: undefined, body: body });
      rec.inFlight = rec.inFlight + 1;
      const window = rec.window;
      this.o.client.sendWriter(sq, envelope, false, this.o.now(), (r: ClientResult<true>) => {
        if (window !== rec.window) {
          return;
        }
        if (!r.ok) {
          // Resend from the head on resume() (after a reconnect, or when QUOTA clears).
          rec.inFlight = 0;
          rec.window = rec.window + 1;
          this.emit(EV_ERROR, rec.connId, 0, EMPTY, "send: " + r.error);
          return;
        }
        peer.sentFirst = true;
        rec.inFlight = rec.inFlight - 1;
        rec.outbox = rec.outbox.slice(1);
        // Saved with the next change: after a crash before that, this entry is sent again
        // and the receiver drops the copy.
        rec.dirty = true;
        this.pump(rec);
      });
    }
  }

  /**
   * Call periodically (the pump interval): sends due cumulative receipts and retries every
   * outbox (e.g. after the client re-attached to a new session).
   */
  resume(): void {
    const every = this.o.receiptIntervalMs;
    const now = this.o.now();
    for (const r of this.records) {
      if (every <= 0 || now - r.receiptAtMs >= every) {
        const receipt = r.conn.flushReceipt();
        if (receipt !== undefined) {
          r.receiptAtMs = now;
          this.enqueue(r, receipt);
        }
      }
      this.pump(r);
    }
  }

  private report(rec: ConnRecord, res: ReceiveResult): void {
    for (const ev of res.events) {
      this.forward(rec, ev);
    }
    for (const out of res.outgoing) {
      this.enqueue(rec, out);
    }
  }

  private forward(rec: ConnRecord, ev: AgentEvent): void {
    const e = new AgentClientEvent(ev.type === EV_CONFIRMED ? "connected" : ev.type, rec.connId, ev.seq, ev.payload, ev.detail);
    e.late = ev.late;
    this.o.onEvent(e);
  }

  /** Feed every SmpClient event here. */
  handleClientEvent(e: ClientEvent): void {
    if (e.type !== "message") {
      if (e.type === "error") {
        this.emit(EV_ERROR, "", 0, EMPTY, e.error);
      }
      return;
    }
    const m = e.message;
    const rec = this.findByRecipient(m.recipientId);
    if (rec === undefined) {
      this.emit(EV_ERROR, "", 0, EMPTY, "message for an unknown queue " + toHex(m.recipientId));
      return;
    }
    const q = rec.own.queue;
    const ack = () => {
      this.o.client.ack(q, m.msgId, this.o.now(), (r: ClientResult<true>) => {
        if (!r.ok) {
          this.emit(EV_ERROR, rec.connId, 0, EMPTY, "ack: " + r.error);
        }
      });
    };
    if (m.body.quota) {
      ack();
      return;
    }
    const env = parseEnvelope(m.body.body);
    if (!env.ok) {
      this.emit(EV_ERROR, rec.connId, 0, EMPTY, "envelope: " + env.error);
      ack();
      return;
    }
    let peerE2e = rec.ownPeerE2e;
    const k = env.value.e2ePubKey;
    if (k !== undefined) {
      peerE2e = k.key;
    }
    if (peerE2e === undefined) {
      this.emit(EV_ERROR, rec.connId, 0, EMPTY, "first message on a queue without the sender's e2e key");
      ack();
      return;
    }
    // The cached key belongs to ownPeerE2e; an envelope naming a key derives afresh.
    let boxKey = rec.ownBoxKey;
    if (k !== undefined || boxKey === undefined) {
      boxKey = cbKey(this.o.provider, peerE2e, rec.own.e2eSecret);
    }
    const opened = openEnvelope(this.o.provider, boxKey, env.value);
    if (!opened.ok) {
      this.emit(EV_ERROR, rec.connId, 0, EMPTY, "envelope: " + opened.error);
      ack();
      return;
    }
    rec.ownPeerE2e = peerE2e;
    rec.ownBoxKey = boxKey;
    const res = rec.conn.receive(opened.value.body);
    this.report(rec, res);
    // Saved before the ACK: once ACKed, the relay forgets the message.
    this.flush(rec);
    ack();
  }

  /**
   * Restores stored connections not yet loaded (at boot, or to pick up connections another
   * process created) and subscribes their queues.
   */
  restore(): string[] {
    const errors: string[] = [];
    for (const s of this.o.store.loadAll()) {
      if (this.find(s.connId) !== undefined) {
        continue;
      }
      const rec = this.decodeRecord(s.connId, s.record);
      if (typeof rec === "string") {
        errors.push(s.connId + ": " + rec);
      } else {
        this.addRecord(rec);
        this.o.client.subscribe(rec.own.queue, this.o.now(), (r: ClientResult<true>) => {
          if (!r.ok) {
            this.emit(EV_ERROR, rec.connId, 0, EMPTY, "subscribe: " + r.error);
          }
        });
      }
    }
    return errors;
  }

  private decodeRecord(connId: string, b: Bytes): ConnRecord | string {
    const r = new SmpReader(b);
    if (r.byte() !== RECORD_FORMAT) {
      return "unknown record format";
    }
    const id = bytesToAscii(r.short());
    const connBytes = r.large();
    const recipientId = r.short();
    const senderId = r.short();
    const recipientKey = readAuthKey(r);
    const rcvDhSecret = r.short();
    const serverDhKey = r.short();
    const sndSecure = r.bool();
    const e2eSecret = r.short();
    const ownPeer = r.maybeTag() ? r.short() : undefined;
    let peer: PeerQueue | undefined = undefined;
    if (r.maybeTag()) {
      const sid = r.short();
      const skey = readAuthKey(r);
      const psecret = r.short();
      const ppub = r.short();
      const secured = r.bool();
      const sentFirst = r.bool();
      peer = new PeerQueue(sid, skey, psecret, ppub);
      peer.secured = secured;
      peer.sentFirst = sentFirst;
    }
    const n = r.word16();
    const outbox: Bytes[] = [];
    for (let i = 0; i < n && r.failed === undefined; i++) {
      outbox.push(r.large());
    }
    r.end();
    if (r.failed !== undefined || id !== connId) {
      return "malformed record" + (r.failed !== undefined ? ": " + r.failed : "");
    }
    const conn = deserializeConnection(this.o.ctx, new RecordWal(this, connId), connBytes);
    if (typeof conn === "string") {
      return conn;
    }
    const queue: RecipientQueue = {
      recipientId: recipientId,
      senderId: senderId,
      recipientKey: recipientKey,
      rcvDhSecret: rcvDhSecret,
      serverDhKey: serverDhKey,
      sndSecure: sndSecure,
    };
    const rec = new ConnRecord(connId, conn, new OwnQueue(queue, e2eSecret));
    rec.ownPeerE2e = ownPeer;
    rec.peer = peer;
    rec.outbox = outbox;
    return rec;
  }

  /** The relay address this agent creates queues on. */
  serverAddress(): string {
    return encodeServerAddress(this.o.server);
  }
}

