/**
 * A duplex connection between two agents (device and station): two simplex queues, one
 * per direction, a double ratchet, and ordered, hash-chained agent messages with delivery
 * receipts. Sans-I/O: the caller moves bodies to and from queues; this object says what
 * to send where and what happened. Every state change is handed to the write-ahead hook
 * before a message that depends on it is released, so a reboot never reuses a key.
 */
import { Bytes, alloc, fromAscii } from "../port/bytes";
import { ctEqual } from "../port/ct";
import { SmpReader, SmpWriter, bytesToAscii } from "../port/encoding";
import {
  AgentMessage, HASH_LENGTH, KIND_DATA, KIND_HELLO, KIND_RECEIPT, MAX_RECEIPT_MISSING, Receipt, decodeAgentMessage, decodeReceipt,
  encodeAgentMessage, encodeReceipt,
} from "./agent-message";
import {
  AGENT_VERSION, ConnInfo, ENVELOPE_CONFIRMATION, ENVELOPE_MESSAGE, Invitation, decodeConfirmation, decodeConnInfo,
  decodeInvitation, encodeConfirmation, encodeConnInfo, encodeInvitation, encodeMessageEnvelope,
} from "./invitation";
import { ERR_DUPLICATE, ERR_EARLIER, RatchetContext, initReceivingRatchet, initSendingRatchet, ratchetDecrypt, ratchetEncrypt } from "./ratchet";
import { RatchetKem, RatchetState, deserializeRatchet, ratchetWriter } from "./ratchet-state";
import {
  E2EPrivate, KeyAgreementError, generateInitiatorKeys, generateJoinerKeys, initiatorAgreement,
  joinerAgreement, publicParams,
} from "./x3dh";

/** Padded plaintext sizes inside the ratchet (fixed, so lengths leak nothing). */
export const CONN_INFO_PADDED_LENGTH = 1024;
export const MESSAGE_PADDED_LENGTH = 512;
/** Largest data payload one message carries. */
export const MAX_PAYLOAD = MESSAGE_PADDED_LENGTH - 2 - (8 + 1 + HASH_LENGTH + 1);
/** Sent messages remembered for receipts, and missing sequence numbers remembered for late delivery. */
export const MAX_TRACKED = 1024;

export const ROLE_INITIATOR = "initiator";
export const ROLE_JOINER = "joiner";
export const STATUS_INVITED = "invited";
export const STATUS_JOINED = "joined";
export const STATUS_READY = "ready";

// Event types.
export const EV_CONFIRMED = "confirmed";
export const EV_READY = "ready";
export const EV_MESSAGE = "message";
export const EV_RECEIPT = "receipt";
export const EV_GAP = "gap";
export const EV_DUPLICATE = "duplicate";
export const EV_ERROR = "error";

export interface WriteAhead {
  /**
   * Called whenever the connection's state changed, before any message that depends on it
   * is returned for sending. The hook serializes (serializeConnection) only if it stores
   * the bytes itself: the agent client saves its whole record once per step instead.
   */
  persist(connection: Connection): void;
}

export class AgentEvent {
  type: string;
  seq: number;
  payload: Bytes;
  detail: string;
  /** For messages: true when it arrived after a later one (filled a gap). */
  late: boolean;
  constructor(type: string, seq: number, payload: Bytes, detail: string) {
    this.type = type;
    this.seq = seq;
    this.payload = payload;
    this.detail = detail;
    this.late = false;
  }
}

export class Outgoing {
  queueUri: string;
  body: Bytes;
  seq: number;
  constructor(queueUri: string, body: Bytes, seq: number) {
    this.queueUri = queueUri;
    this.body = body;
    this.seq = seq;
  }
}

export class ReceiveResult {
  events: AgentEvent[];
  outgoing: Outgoing[];
  constructor() {
    this.events = [];
    this.outgoing = [];
  }
}

class SentRecord {
  seq: number;
  hash: Bytes;
  /** Data messages are reported when confirmed; hello/receipts only anchor hashes. */
  data: boolean;
  constructor(seq: number, hash: Bytes, data: boolean) {
    this.seq = seq;
    this.hash = hash;
    this.data = data;
  }
}

const CONN_FORMAT = 1;

function writeOptional(w: SmpWriter, b: Bytes | undefined): void {
  if (b === undefined) {
    w.byte(0x30);
  } else {
    w.byte(0x31).large(b);
  }
}

function readOptional(r: SmpReader): Bytes | undefined {
  return r.maybeTag() ? r.large() : undefined;
}

/** The connection's bytes as a writer (the agent's record nests it without a copy). */
export function connectionWriter(c: Connection): SmpWriter {
  const w = new SmpWriter().byte(CONN_FORMAT).short(fromAscii(c.role)).short(fromAscii(c.status));
  w.large(fromAscii(c.ownQueue)).large(fromAscii(c.peerQueue)).short(fromAscii(c.peerName)).bool(c.receipts);
  w.int64(c.sndSeq).short(c.lastSndHash).int64(c.rcvSeq).short(c.lastRcvHash);
  if (c.ratchet === undefined) {
    w.byte(0x30);
  } else {
    w.byte(0x31).largeWriter(ratchetWriter(c.ratchet));
  }
  const p = c.pending;
  if (p === undefined) {
    w.byte(0x30);
  } else {
    w.byte(0x31).large(p.dhSecret1).large(p.dhSecret2);
    writeOptional(w, p.kemPair === undefined ? undefined : p.kemPair.publicKey);
    writeOptional(w, p.kemPair === undefined ? undefined : p.kemPair.secretKey);
  }
  w.bool(c.receiptDue).int64(c.confirmedSeq).short(c.confirmedHash).word16(c.sent.length);
  for (const s of c.sent) {
    w.int64(s.seq).short(s.hash).bool(s.data);
  }
  w.word16(c.missing.length);
  for (const m of c.missing) {
    w.int64(m);
  }
  return w;
}

export function serializeConnection(c: Connection): Bytes {
  return connectionWriter(c).finish();
}

const EMPTY = alloc(0);

export class Connection {
  ctx: RatchetContext;
  wal: WriteAhead;
  role: string;
  status: string;
  ratchet: RatchetState | undefined;
  pending: E2EPrivate | undefined;
  ownQueue: string;
  peerQueue: string;
  peerName: string;
  receipts: boolean;
  sndSeq: number;
  lastSndHash: Bytes;
  rcvSeq: number;
  lastRcvHash: Bytes;
  sent: SentRecord[];
  missing: number[];
  /** A data message arrived since our last receipt. */
  receiptDue: boolean;
  /** The last receipt anchor we verified: later receipts may name it again (to fill gaps). */
  confirmedSeq: number;
  confirmedHash: Bytes;

  constructor(ctx: RatchetContext, wal: WriteAhead, role: string, ownQueue: string) {
    this.ctx = ctx;
    this.wal = wal;
    this.role = role;
    this.status = role === ROLE_INITIATOR ? STATUS_INVITED : STATUS_JOINED;
    this.ratchet = undefined;
    this.pending = undefined;
    this.ownQueue = ownQueue;
    this.peerQueue = "";
    this.peerName = "";
    this.receipts = true;
    this.sndSeq = 0;
    this.lastSndHash = EMPTY;
    this.rcvSeq = 0;
    this.lastRcvHash = EMPTY;
    this.sent = [];
    this.missing = [];
    this.receiptDue = false;
    this.confirmedSeq = 0;
    this.confirmedHash = EMPTY;
  }

  private persist(): void {
    this.wal.persist(this);
  }

  /** Wraps an agent message in the ratchet for the peer queue; persists before returning it. */
  private emit(kind: number, payload: Bytes): Outgoing {
    const ratchet = this.ratchet;
    if (ratchet === undefined) {
      throw new Error("connection: no ratchet yet");
    }
    const seq = this.sndSeq + 1;
    const plain = encodeAgentMessage(new AgentMessage(seq, this.lastSndHash, kind, payload));
    const enc = ratchetEncrypt(this.ctx, ratchet, plain, MESSAGE_PADDED_LENGTH);
    const hash = this.ctx.p.sha256(plain);
    this.ratchet = enc.state;
    this.sndSeq = seq;
    this.lastSndHash = hash;
    if (this.receipts) {
      this.sent.push(new SentRecord(seq, hash, kind === KIND_DATA));
      if (this.sent.length > MAX_TRACKED) {
        this.sent = this.sent.slice(this.sent.length - MAX_TRACKED);
      }
    }
    this.persist();
    return new Outgoing(this.peerQueue, encodeMessageEnvelope(enc.message), seq);
  }

  /** Sends application data; only once the connection is ready. */
  send(payload: Bytes): Outgoing {
    if (this.status !== STATUS_READY) {
      throw new Error("connection: not ready (status " + this.status + ")");
    }
    if (payload.length > MAX_PAYLOAD) {
      throw new Error("connection: payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
    }
    return this.emit(KIND_DATA, payload);
  }

  /** Number of sent data messages not yet confirmed by a receipt. */
  unconfirmed(): number {
    let n = 0;
    for (const s of this.sent) {
      if (s.data) {
        n++;
      }
    }
    return n;
  }

  /**
   * A cumulative receipt for everything received so far, when a data message arrived since
   * the last one; the caller decides when (batching keeps the ratchet from turning around
   * for every message).
   */
  flushReceipt(): Outgoing | undefined {
    if (!this.receiptDue || !this.receipts || this.status !== STATUS_READY) {
      return undefined;
    }
    this.receiptDue = false;
    const missing: number[] = [];
    for (const m of this.missing) {
      if (missing.length < MAX_RECEIPT_MISSING) {
        missing.push(m);
      }
    }
    return this.emit(KIND_RECEIPT, encodeReceipt(new Receipt(this.rcvSeq, this.lastRcvHash, missing)));
  }

  private receiveConfirmation(body: Bytes, out: ReceiveResult): void {
    const pending = this.pending;
    if (this.role !== ROLE_INITIATOR || this.status !== STATUS_INVITED || pending === undefined) {
      out.events.push(new AgentEvent(EV_ERROR, 0, EMPTY, "unexpected confirmation"));
      return;
    }
    const c = decodeConfirmation(this.ctx.suite, body);
    if (typeof c === "string") {
      out.events.push(new AgentEvent(EV_ERROR, 0, EMPTY, c));
      return;
    }
    const init = initiatorAgreement(this.ctx.p, this.ctx.suite, pending, c.params);
    if (init instanceof KeyAgreementError) {
      out.events.push(new AgentEvent(EV_ERROR, 0, EMPTY, init.message));
      return;
    }
    const kem = pending.kemPair === undefined ? undefined : new RatchetKem(pending.kemPair, init.kemAccepted);
    const ratchet = initReceivingRatchet(this.ctx, pending.dhSecret2, init, kem);
    const dec = ratchetDecrypt(this.ctx, ratchet, c.ratchetMessage);
    if (dec.plaintext === undefined) {
      out.events.push(new AgentEvent(EV_ERROR, 0, EMPTY, "confirmation: " + dec.error + " " + dec.detail));
      return;
    }
    const info = decodeConnInfo(dec.plaintext);
    if (typeof info === "string") {
      out.events.push(new AgentEvent(EV_ERROR, 0, EMPTY, info));
      return;
    }
    this.ratchet = dec.state;
    this.pending = undefined;
    this.peerQueue = info.replyQueueUri;
    this.peerName = info.name;
    this.status = STATUS_READY;
    out.events.push(new AgentEvent(EV_CONFIRMED, 0, info.info, info.name));
    out.outgoing.push(this.emit(KIND_HELLO, EMPTY));
  }

  private acceptSequence(m: AgentMessage, plainHash: Bytes, out: ReceiveResult): boolean {
    if (m.seq <= this.rcvSeq) {
      for (let i = 0; i < this.missing.length; i++) {
        if (this.missing[i] === m.seq) {
          this.missing = this.missing.slice(0, i).concat(this.missing.slice(i + 1));
          return true;
        }
      }
      out.events.push(new AgentEvent(EV_DUPLICATE, m.seq, EMPTY, "already received"));
      return false;
    }
    if (m.seq === this.rcvSeq + 1) {
      if (!ctEqual(m.prevHash, this.lastRcvHash)) {
        out.events.push(new AgentEvent(EV_ERROR, m.seq, EMPTY, "previous-message hash does not match"));
      }
    } else {
      out.events.push(new AgentEvent(EV_GAP, m.seq, EMPTY, "expected " + (this.rcvSeq + 1) + ", got " + m.seq));
      for (let s = this.rcvSeq + 1; s < m.seq; s++) {
        this.missing.push(s);
      }
      if (this.missing.length > MAX_TRACKED) {
        this.missing = this.missing.slice(this.missing.length - MAX_TRACKED);
      }
    }
    this.rcvSeq = m.seq;
    this.lastRcvHash = plainHash;
    return true;
  }

  private receiveMessage(body: Bytes, out: ReceiveResult): void {
    const ratchet = this.ratchet;
    if (ratchet === undefined) {
      out.events.push(new AgentEvent(EV_ERROR, 0, EMPTY, "message before the connection was set up"));
      return;
    }
    const r = new SmpReader(body);
    r.char(ENVELOPE_MESSAGE);
    const dec = ratchetDecrypt(this.ctx, ratchet, r.tail());
    if (dec.plaintext === undefined) {
      // A copy of a message we already have (resent after a lost answer) is not an error.
      const replay = dec.error === ERR_DUPLICATE || dec.error === ERR_EARLIER;
      out.events.push(new AgentEvent(replay ? EV_DUPLICATE : EV_ERROR, 0, EMPTY, "decrypt: " + dec.error + " " + dec.detail));
      return;
    }
    const m = decodeAgentMessage(dec.plaintext);
    if (typeof m === "string") {
      out.events.push(new AgentEvent(EV_ERROR, 0, EMPTY, m));
      return;
    }
    this.ratchet = dec.state;
    const late = m.seq <= this.rcvSeq;
    const fresh = this.acceptSequence(m, this.ctx.p.sha256(dec.plaintext), out);
    if (fresh && m.kind === KIND_HELLO) {
      if (this.status === STATUS_JOINED) {
        this.status = STATUS_READY;
        out.events.push(new AgentEvent(EV_READY, m.seq, EMPTY, ""));
      }
    } else if (fresh && m.kind === KIND_DATA) {
      const ev = new AgentEvent(EV_MESSAGE, m.seq, m.payload, "");
      ev.late = late;
      out.events.push(ev);
      this.receiptDue = true;
    } else if (fresh && m.kind === KIND_RECEIPT) {
      this.receiveReceipt(m.payload, out);
    }
    this.persist();
  }

  private receiveReceipt(payload: Bytes, out: ReceiveResult): void {
    const rc = decodeReceipt(payload);
    if (typeof rc === "string") {
      out.events.push(new AgentEvent(EV_ERROR, 0, EMPTY, rc));
      return;
    }
    let anchorHash: Bytes | undefined = rc.seq === this.confirmedSeq ? this.confirmedHash : undefined;
    for (const s of this.sent) {
      if (s.seq === rc.seq) {
        anchorHash = s.hash;
      }
    }
    if (anchorHash === undefined) {
      // Overtaken by a later receipt: everything it covers is settled already.
      return;
    }
    if (!ctEqual(anchorHash, rc.hash)) {
      out.events.push(new AgentEvent(EV_ERROR, rc.seq, EMPTY, "receipt hash does not match the sent message"));
      return;
    }
    const keep: SentRecord[] = [];
    for (const s of this.sent) {
      let missing = false;
      for (const m of rc.missing) {
        if (m === s.seq) {
          missing = true;
        }
      }
      if (s.seq > rc.seq || missing) {
        keep.push(s);
      } else if (s.data) {
        out.events.push(new AgentEvent(EV_RECEIPT, s.seq, EMPTY, ""));
      }
    }
    this.sent = keep;
    this.confirmedSeq = rc.seq;
    this.confirmedHash = rc.hash;
  }

  /** Processes one body received on our queue. Persists the new state before returning. */
  receive(body: Bytes): ReceiveResult {
    const out = new ReceiveResult();
    if (body.length > 0 && body[0] === ENVELOPE_CONFIRMATION) {
      this.receiveConfirmation(body, out);
    } else if (body.length > 0 && body[0] === ENVELOPE_MESSAGE) {
      this.receiveMessage(body, out);
    } else {
      out.events.push(new AgentEvent(EV_ERROR, 0, EMPTY, "unknown agent envelope"));
    }
    return out;
  }
}

export class NewInvitation {
  connection: Connection;
  text: string;
  constructor(connection: Connection, text: string) {
    this.connection = connection;
    this.text = text;
  }
}

/** Initiator: a new connection waiting on ownQueueUri, and the invitation text to hand over. */
export function createInvitation(ctx: RatchetContext, wal: WriteAhead, ownQueueUri: string): NewInvitation {
  const conn = new Connection(ctx, wal, ROLE_INITIATOR, ownQueueUri);
  conn.pending = generateInitiatorKeys(ctx.suite, ctx.random);
  const text = encodeInvitation(ctx.suite, new Invitation(AGENT_VERSION, ctx.suite.name, ownQueueUri, publicParams(ctx.suite, conn.pending)));
  wal.persist(conn);
  return new NewInvitation(conn, text);
}

export class Joined {
  connection: Connection;
  /** The confirmation to send to the invitation's queue. */
  confirmation: Outgoing;
  constructor(connection: Connection, confirmation: Outgoing) {
    this.connection = connection;
    this.confirmation = confirmation;
  }
}

/** Joiner: accepts an invitation; replies will come to ownQueueUri. */
export function joinInvitation(ctx: RatchetContext, wal: WriteAhead, invitationText: string, ownQueueUri: string, name: string, info: Bytes): Joined | string {
  const inv = decodeInvitation(ctx.suite, invitationText);
  if (typeof inv === "string") {
    return inv;
  }
  const keys = generateJoinerKeys(ctx.suite, ctx.random, inv.params);
  const init = joinerAgreement(ctx.p, ctx.suite, keys, inv.params);
  if (init instanceof KeyAgreementError) {
    return "invitation: " + init.message;
  }
  const kem = keys.kemPair === undefined ? undefined : new RatchetKem(keys.kemPair, keys.kemAccepted);
  const ratchet = initSendingRatchet(ctx, inv.params.dhKey2, keys.dhSecret2, init, kem);
  const connInfo = encodeConnInfo(new ConnInfo(ownQueueUri, name, info));
  const enc = ratchetEncrypt(ctx, ratchet, connInfo, CONN_INFO_PADDED_LENGTH);
  const conn = new Connection(ctx, wal, ROLE_JOINER, ownQueueUri);
  conn.ratchet = enc.state;
  conn.peerQueue = inv.queueUri;
  wal.persist(conn);
  const body = encodeConfirmation(ctx.suite, publicParams(ctx.suite, keys), enc.message);
  return new Joined(conn, new Outgoing(inv.queueUri, body, 0));
}

/** A connection from its persisted bytes, or a reason string. */
export function deserializeConnection(ctx: RatchetContext, wal: WriteAhead, b: Bytes): Connection | string {
  const r = new SmpReader(b);
  if (r.byte() !== CONN_FORMAT) {
    return "connection state: unknown format";
  }
  const role = bytesToAscii(r.short());
  const status = bytesToAscii(r.short());
  const own = bytesToAscii(r.large());
  const c = new Connection(ctx, wal, role === ROLE_INITIATOR ? ROLE_INITIATOR : ROLE_JOINER, own);
  c.status = status;
  c.peerQueue = bytesToAscii(r.large());
  c.peerName = bytesToAscii(r.short());
  c.receipts = r.bool();
  c.sndSeq = r.int64();
  c.lastSndHash = r.short();
  c.rcvSeq = r.int64();
  c.lastRcvHash = r.short();
  const rb = readOptional(r);
  if (rb !== undefined) {
    const rs = deserializeRatchet(rb);
    if (typeof rs === "string") {
      return rs;
    }
    c.ratchet = rs;
  }
  if (r.maybeTag()) {
    const s1 = r.large();
    const s2 = r.large();
    const pk = readOptional(r);
    const sk = readOptional(r);
    c.pending = new E2EPrivate(s1, s2, pk === undefined || sk === undefined ? undefined : { publicKey: pk, secretKey: sk }, undefined);
  }
  c.receiptDue = r.bool();
  c.confirmedSeq = r.int64();
  c.confirmedHash = r.short();
  const ns = r.word16();
  for (let i = 0; i < ns && r.failed === undefined; i++) {
    const seq = r.int64();
    const h = r.short();
    const data = r.bool();
    c.sent.push(new SentRecord(seq, h, data));
  }
  const nm = r.word16();
  for (let i = 0; i < nm && r.failed === undefined; i++) {
    c.missing.push(r.int64());
  }
  r.end();
  if (r.failed !== undefined) {
    return "connection state: " + r.failed;
  }
  if (role !== ROLE_INITIATOR && role !== ROLE_JOINER) {
    return "connection state: bad role";
  }
  return c;
}

