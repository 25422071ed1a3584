/**
 * Agent messages: what the double ratchet carries between device and station.
 *
 *   agentMessage = seq(Int64) ‖ shortString(prevHash) ‖ kind(1) ‖ Tail(payload)
 *   kind 'H' hello (completes the handshake), 'D' data, 'R' receipt:
 *   receipt payload = seq(Int64) ‖ shortString(SHA-256 of agent message seq)
 *                     ‖ Word16 n ‖ n × Int64 (missing seqs below seq)
 *
 * prevHash is the SHA-256 of the previous agent message this side sent (empty for the
 * first), so the receiver detects gaps, reordering, duplicates and replays. A receipt is
 * cumulative: because of the hash chain, the hash of message seq vouches for every
 * message up to it except the ones listed as missing.
 */
import { Bytes } from "../port/bytes";
import { SmpReader, SmpWriter } from "../port/encoding";

export const KIND_HELLO = 0x48; // 'H'
export const KIND_DATA = 0x44; // 'D'
export const KIND_RECEIPT = 0x52; // 'R'
export const HASH_LENGTH = 32;

export class AgentMessage {
  seq: number;
  prevHash: Bytes;
  kind: number;
  payload: Bytes;
  constructor(seq: number, prevHash: Bytes, kind: number, payload: Bytes) {
    this.seq = seq;
    this.prevHash = prevHash;
    this.kind = kind;
    this.payload = payload;
  }
}

export function encodeAgentMessage(m: AgentMessage): Bytes {
  return new SmpWriter().int64(m.seq).short(m.prevHash).byte(m.kind).bytes(m.payload).finish();
}

export function decodeAgentMessage(b: Bytes): AgentMessage | string {
  const r = new SmpReader(b);
  const seq = r.int64();
  const prevHash = r.short();
  const kind = r.byte();
  const payload = r.tail();
  if (r.failed !== undefined) {
    return "agent message: " + r.failed;
  }
  if (kind !== KIND_HELLO && kind !== KIND_DATA && kind !== KIND_RECEIPT) {
    return "agent message: unknown kind " + kind;
  }
  if (prevHash.length !== 0 && prevHash.length !== HASH_LENGTH) {
    return "agent message: bad previous hash length " + prevHash.length;
  }
  return new AgentMessage(seq, prevHash, kind, payload);
}

/** Most missing numbers one receipt lists (keeps it inside one padded message). */
export const MAX_RECEIPT_MISSING = 40;

export class Receipt {
  seq: number;
  hash: Bytes;
  missing: number[];
  constructor(seq: number, hash: Bytes, missing: number[]) {
    this.seq = seq;
    this.hash = hash;
    this.missing = missing;
  }
}

export function encodeReceipt(r: Receipt): Bytes {
  const w = new SmpWriter().int64(r.seq).short(r.hash).word16(r.missing.length);
  for (const m of r.missing) {
    w.int64(m);
  }
  return w.finish();
}

export function decodeReceipt(b: Bytes): Receipt | string {
  const r = new SmpReader(b);
  const seq = r.int64();
  const hash = r.short();
  const n = r.word16();
  const missing: number[] = [];
  for (let i = 0; i < n && r.failed === undefined; i++) {
    missing.push(r.int64());
  }
  r.end();
  if (r.failed !== undefined || hash.length !== HASH_LENGTH || n > MAX_RECEIPT_MISSING) {
    return "receipt: malformed";
  }
  return new Receipt(seq, hash, missing);
}
