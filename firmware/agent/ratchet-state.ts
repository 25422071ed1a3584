/**
 * The double ratchet state (simplexmq's Ratchet record, PQ variant) and its exact byte
 * serialization. (Reads go into locals one by one: Lua does not define the
 * evaluation order of arguments or table constructor fields.) The state is what storage persists before a message that depends on it
 * leaves the device (write-ahead), so serialize → deserialize must be lossless.
 */
import { Bytes } from "../port/bytes";
import { SmpReader, SmpWriter } from "../port/encoding";
import { KemKeyPair } from "../crypto/provider";
import { KemAccepted } from "./x3dh";

export class SendChain {
  dhRr: Bytes;
  chainKey: Bytes;
  headerKey: Bytes;
  constructor(dhRr: Bytes, chainKey: Bytes, headerKey: Bytes) {
    this.dhRr = dhRr;
    this.chainKey = chainKey;
    this.headerKey = headerKey;
  }
}

export class RecvChain {
  chainKey: Bytes;
  headerKey: Bytes;
  constructor(chainKey: Bytes, headerKey: Bytes) {
    this.chainKey = chainKey;
    this.headerKey = headerKey;
  }
}

export class RatchetKem {
  pair: KemKeyPair;
  accepted: KemAccepted | undefined;
  constructor(pair: KemKeyPair, accepted: KemAccepted | undefined) {
    this.pair = pair;
    this.accepted = accepted;
  }
}

/** A message key kept for a message that has not arrived yet (out of order delivery). */
export class SkippedKey {
  headerKey: Bytes;
  n: number;
  messageKey: Bytes;
  iv: Bytes;
  constructor(headerKey: Bytes, n: number, messageKey: Bytes, iv: Bytes) {
    this.headerKey = headerKey;
    this.n = n;
    this.messageKey = messageKey;
    this.iv = iv;
  }
}

export class RatchetState {
  version: number;
  assocData: Bytes;
  dhSecret: Bytes;
  /** DHRs public key, kept so encryption does not redo a scalar multiplication per message. */
  dhPublic: Bytes;
  kem: RatchetKem | undefined;
  rootKey: Bytes;
  snd: SendChain | undefined;
  rcv: RecvChain | undefined;
  ns: number;
  nr: number;
  pn: number;
  nextSendHeaderKey: Bytes;
  nextRecvHeaderKey: Bytes;
  skipped: SkippedKey[];
  constructor(version: number, assocData: Bytes, dhSecret: Bytes, dhPublic: Bytes, rootKey: Bytes, nhks: Bytes, nhkr: Bytes) {
    this.version = version;
    this.assocData = assocData;
    this.dhSecret = dhSecret;
    this.dhPublic = dhPublic;
    this.kem = undefined;
    this.rootKey = rootKey;
    this.snd = undefined;
    this.rcv = undefined;
    this.ns = 0;
    this.nr = 0;
    this.pn = 0;
    this.nextSendHeaderKey = nhks;
    this.nextRecvHeaderKey = nhkr;
    this.skipped = [];
  }

  /** A copy whose chains and skipped list can change without touching this one. */
  clone(): RatchetState {
    const s = new RatchetState(this.version, this.assocData, this.dhSecret, this.dhPublic, this.rootKey, this.nextSendHeaderKey, this.nextRecvHeaderKey);
    s.kem = this.kem;
    s.snd = this.snd === undefined ? undefined : new SendChain(this.snd.dhRr, this.snd.chainKey, this.snd.headerKey);
    s.rcv = this.rcv === undefined ? undefined : new RecvChain(this.rcv.chainKey, this.rcv.headerKey);
    s.ns = this.ns;
    s.nr = this.nr;
    s.pn = this.pn;
    for (const k of this.skipped) {
      s.skipped.push(k);
    }
    return s;
  }
}

/** Serialization format version of the state bytes (not the protocol version). */
const STATE_FORMAT = 1;

/** The state's bytes as a writer (a connection record nests it without a copy). */
export function ratchetWriter(s: RatchetState): SmpWriter {
  const w = new SmpWriter().byte(STATE_FORMAT).word16(s.version).large(s.assocData).large(s.dhSecret).large(s.dhPublic).large(s.rootKey);
  if (s.kem === undefined) {
    w.byte(0);
  } else {
    w.byte(1).large(s.kem.pair.publicKey).large(s.kem.pair.secretKey);
    const a = s.kem.accepted;
    if (a === undefined) {
      w.byte(0);
    } else {
      w.byte(1).large(a.peerKey).large(a.sharedSecret).large(a.ciphertext);
    }
  }
  if (s.snd === undefined) {
    w.byte(0);
  } else {
    w.byte(1).large(s.snd.dhRr).large(s.snd.chainKey).large(s.snd.headerKey);
  }
  if (s.rcv === undefined) {
    w.byte(0);
  } else {
    w.byte(1).large(s.rcv.chainKey).large(s.rcv.headerKey);
  }
  w.word32(s.ns).word32(s.nr).word32(s.pn).large(s.nextSendHeaderKey).large(s.nextRecvHeaderKey);
  w.word16(s.skipped.length);
  for (const k of s.skipped) {
    w.large(k.headerKey).word32(k.n).large(k.messageKey).large(k.iv);
  }
  return w;
}

export function serializeRatchet(s: RatchetState): Bytes {
  return ratchetWriter(s).finish();
}

/** The state from its bytes, or a reason string when they are not a valid state. */
export function deserializeRatchet(b: Bytes): RatchetState | string {
  const r = new SmpReader(b);
  if (r.byte() !== STATE_FORMAT) {
    return "ratchet state: unknown format";
  }
  const version = r.word16();
  const ad = r.large();
  const dhSecret = r.large();
  const dhPublic = r.large();
  const rootKey = r.large();
  let kem: RatchetKem | undefined = undefined;
  if (r.byte() === 1) {
    const publicKey = r.large();
    const secretKey = r.large();
    const pair: KemKeyPair = { publicKey: publicKey, secretKey: secretKey };
    let accepted: KemAccepted | undefined = undefined;
    if (r.byte() === 1) {
      const peerKey = r.large();
      const ss = r.large();
      const ct = r.large();
      accepted = new KemAccepted(peerKey, ss, ct);
    }
    kem = new RatchetKem(pair, accepted);
  }
  let snd: SendChain | undefined = undefined;
  if (r.byte() === 1) {
    const dhRr = r.large();
    const ck = r.large();
    const hk = r.large();
    snd = new SendChain(dhRr, ck, hk);
  }
  let rcv: RecvChain | undefined = undefined;
  if (r.byte() === 1) {
    const ck = r.large();
    const hk = r.large();
    rcv = new RecvChain(ck, hk);
  }
  const ns = r.word32();
  const nr = r.word32();
  const pn = r.word32();
  const nhks = r.large();
  const nhkr = r.large();
  const s = new RatchetState(version, ad, dhSecret, dhPublic, rootKey, nhks, nhkr);
  s.kem = kem;
  s.snd = snd;
  s.rcv = rcv;
  s.ns = ns;
  s.nr = nr;
  s.pn = pn;
  const count = r.word16();
  for (let i = 0; i < count && r.failed === undefined; i++) {
    const hk = r.large();
    const n = r.word32();
    const mk = r.large();
    const iv = r.large();
    s.skipped.push(new SkippedKey(hk, n, mk, iv));
  }
  r.end();
  return r.failed === undefined ? s : "ratchet state: " + r.failed;
}
