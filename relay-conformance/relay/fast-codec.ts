/**
 * Node fast paths for the relay's hot loop. The portable codec copies byte by byte (it
 * must also run on Lua tables); here blocks and transmissions are cut with zero-copy
 * Buffer views and MSG bodies assembled with Buffer ops. Every function produces exactly
 * the portable codec's bytes (fast-codec.test.ts checks them against each other).
 */
import { createHash } from "node:crypto";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import type { Bytes } from "../../firmware/port/bytes";
import { SMP_BLOCK_SIZE, BATCH_CAPACITY, MAX_BATCH_COUNT } from "../../firmware/transport/smp/block";
import { CommandResult, parseCommand } from "../../firmware/transport/smp/commands";
import { cbNonce } from "../../firmware/transport/smp/crypto-box";
import { RCV_MSG_PADDED_LEN } from "../../firmware/transport/smp/msg-body";
import { BrokerMsg, encodeBrokerMsg } from "../../firmware/transport/smp/responses";
import type { RawTransmission } from "../../firmware/transport/smp/transmission";
import { nativeProvider, secretboxSealInto } from "../../firmware/crypto/node/native";

const asBuf = (b: Bytes) => (Buffer.isBuffer(b) ? b : Buffer.from((b as Uint8Array).buffer, (b as Uint8Array).byteOffset, b.length));

/** parseBlock with views into the block; undefined = ERR BLOCK. */
export function parseBlockFast(block: Bytes): Buffer[] | undefined {
  const b = asBuf(block);
  if (b.length !== SMP_BLOCK_SIZE) return undefined;
  const len = b.readUInt16BE(0);
  if (len > b.length - 2 || len < 1) return undefined;
  const n = b[2];
  if (n === 0) return undefined;
  const end = 2 + len;
  const out: Buffer[] = [];
  let off = 3;
  for (let i = 0; i < n; i++) {
    if (off + 2 > end) return undefined;
    const l = b.readUInt16BE(off);
    off += 2;
    if (off + l > end) return undefined;
    out.push(b.subarray(off, off + l));
    off += l;
  }
  return off === end ? out : undefined;
}

export function parseTransmissionFast(t: Buffer): RawTransmission | undefined {
  if (t.length < 1) return undefined;
  const al = t[0];
  let off = 1 + al;
  if (off >= t.length) return undefined;
  const start = off;
  const cl = t[off++];
  if (off + cl >= t.length) return undefined; // the entity id length byte must follow
  const corrId = t.subarray(off, off + cl);
  off += cl;
  const el = t[off++];
  if (off + el > t.length) return undefined;
  const entityId = t.subarray(off, off + el);
  off += el;
  return { auth: t.subarray(1, 1 + al), corrId, entityId, command: t.subarray(off), authorized: t.subarray(start) };
}

const SEND_PREFIX = Buffer.from("SEND ");

/** SEND is parsed with a view of its body; every other command by the portable parser. */
export function parseCommandFast(v: number, cmd: Buffer): CommandResult {
  if (cmd.length >= 8 && cmd.subarray(0, 5).equals(SEND_PREFIX) && (cmd[5] === 0x54 || cmd[5] === 0x46)) {
    const sp = cmd.indexOf(0x20, 6);
    if (sp > 0) return { ok: true, command: { tag: "SEND", notification: cmd[5] === 0x54, body: cmd.subarray(sp + 1) } };
  }
  return parseCommand(v, cmd);
}

export function signedBytesFast(sessionId: Bytes, authorized: Bytes): Buffer {
  return Buffer.concat([Buffer.from([sessionId.length]), asBuf(sessionId), asBuf(authorized)]);
}

/**
 * What a command's authorization covers (signedBytes), joined only for signatures: an
 * X25519 authenticator needs just its SHA-512, hashed over the parts (a SEND's signed bytes
 * are ~16 KiB, joined for every message before).
 */
export class SignedParts {
  private joined: Buffer | undefined;
  constructor(
    readonly sessionId: Bytes,
    readonly authorized: Bytes,
  ) {}

  bytes(): Buffer {
    if (this.joined === undefined) this.joined = signedBytesFast(this.sessionId, this.authorized);
    return this.joined;
  }

  sha512(): Uint8Array {
    const h = createHash("sha512").update(Buffer.from([this.sessionId.length])).update(asBuf(this.sessionId)).update(asBuf(this.authorized));
    return new Uint8Array(h.digest());
  }
}

const rcvScratch = Buffer.alloc(RCV_MSG_PADDED_LEN);
const SECRETBOX_TAG = 16;

/** ts ‖ flag ‖ ' ' ‖ body padded to 16,106 in the scratch buffer (valid until the next call). */
function rcvMsgPlaintext(ts: number, notification: boolean, body: Bytes): Buffer {
  // the padded plaintext only lives until sealed: one scratch buffer, only the padding filled
  const p = rcvScratch;
  const len = 10 + body.length;
  if (len + 2 > RCV_MSG_PADDED_LEN) throw new Error(`message body of ${body.length} bytes does not fit a MSG`);
  p.fill(0x23, 2 + len);
  p.writeUInt16BE(len, 0);
  p.writeUInt32BE(Math.floor(ts / 4294967296), 2);
  p.writeUInt32BE(ts % 4294967296, 6);
  p[10] = notification ? 0x54 : 0x46;
  p[11] = 0x20;
  asBuf(body).copy(p, 12);
  return p;
}

/** encryptRcvMsg for a message (not a quota marker): ts ‖ flag ‖ ' ' ‖ body, padded to 16,106, sealed. */
export function encryptRcvMsgFast(provider: CryptoProvider, key: Bytes, msgId: Bytes, ts: number, notification: boolean, body: Bytes): Bytes {
  return provider.secretboxSeal(key, cbNonce(msgId), rcvMsgPlaintext(ts, notification, body));
}

/**
 * A MSG body to be sealed when its block is written, straight into the block: no 16 KiB
 * buffer of its own per message (each is V8 external memory, and 64 MiB of it forces a
 * mark-compact) and no copy. With the `native` provider it is its secretboxSealInto (what
 * its secretboxSeal calls); other providers seal as usual and the result is copied.
 */
export class DeferredSeal {
  readonly length = RCV_MSG_PADDED_LEN + SECRETBOX_TAG;
  constructor(
    readonly provider: CryptoProvider,
    readonly key: Bytes,
    readonly msgId: Bytes,
    readonly ts: number,
    readonly notification: boolean,
    readonly body: Bytes,
  ) {}

  /** Writes the sealed body at off; returns its length. */
  writeInto(b: Buffer, off: number): number {
    const p = rcvMsgPlaintext(this.ts, this.notification, this.body);
    const nonce = cbNonce(this.msgId) as Uint8Array;
    if (this.provider === nativeProvider) {
      secretboxSealInto(this.key, nonce, p, b.subarray(off, off + this.length));
    } else {
      b.set(this.provider.secretboxSeal(this.key, nonce, p) as Uint8Array, off);
    }
    return this.length;
  }
}

/** A MSG whose body is sealed as its block is written (the relay's own deliveries). */
export interface DeferredMsg {
  tag: "MSG";
  msgId: Bytes;
  sealed: DeferredSeal;
}

const MSG_TAG = Buffer.from("MSG ");

/** A transmission as the pieces it is made of; encodeBlocksFast copies (or seals) them straight into the block. */
export type TransmissionParts = Buffer | (Buffer | DeferredSeal)[];

/** Writes a transmission's pieces at off (sealing a deferred MSG body in place); returns the new offset. */
function writeParts(t: TransmissionParts, b: Buffer, off: number): number {
  if (Buffer.isBuffer(t)) return off + t.copy(b, off);
  for (const p of t) off += p instanceof DeferredSeal ? p.writeInto(b, off) : p.copy(b, off);
  return off;
}

function partsLength(t: TransmissionParts): number {
  if (Buffer.isBuffer(t)) return t.length;
  let n = 0;
  for (const p of t) n += p.length;
  return n;
}

/** One unauthenticated transmission 0x00 ‖ corrId ‖ entityId ‖ message, as pieces (a MSG body is not copied). */
export function responseParts(v: number, corrId: Bytes, entityId: Bytes, msg: BrokerMsg | DeferredMsg): (Buffer | DeferredSeal)[] {
  const head = Buffer.from([0, corrId.length]);
  if (msg.tag === "MSG") {
    return [head, asBuf(corrId), Buffer.from([entityId.length]), asBuf(entityId), MSG_TAG, Buffer.from([msg.msgId.length]), asBuf(msg.msgId), "sealed" in msg ? msg.sealed : asBuf(msg.encBody)];
  }
  return [head, asBuf(corrId), Buffer.from([entityId.length]), asBuf(entityId), asBuf(encodeBrokerMsg(v, msg))];
}

/** One unauthenticated transmission: 0x00 ‖ corrId ‖ entityId ‖ message. */
export function responseTransmission(v: number, corrId: Bytes, entityId: Bytes, msg: BrokerMsg | DeferredMsg): Buffer {
  const parts = responseParts(v, corrId, entityId, msg);
  const out = Buffer.allocUnsafe(partsLength(parts));
  writeParts(parts, out, 0);
  return out;
}

/**
 * Blocks handed back by a transport once their bytes are consumed (releaseBlocks), reused
 * by encodeBlocksFast: every fresh 16 KiB buffer counts as V8 external memory, and each
 * 64 MiB of it forces a mark-compact of the whole heap (thousands of sockets).
 */
const blockPool: Buffer[] = [];
const BLOCK_POOL_MAX = 256;

function takeBlock(): Buffer {
  return blockPool.pop() ?? Buffer.allocUnsafe(SMP_BLOCK_SIZE);
}

/**
 * Returns a block made by encodeBlocksFast for reuse. Only for its owner, once nothing
 * reads its bytes any more (a socket write has completed: smp-server.ts), and only once.
 */
export function releaseBlock(b: Bytes): void {
  // only whole buffers of their own (a block from allocUnsafe never comes from Node's shared pool)
  if (blockPool.length < BLOCK_POOL_MAX && Buffer.isBuffer(b) && b.length === SMP_BLOCK_SIZE && b.byteOffset === 0 && b.buffer.byteLength === SMP_BLOCK_SIZE) blockPool.push(b);
}

/** One block of the transmissions ts[from..to) (they fit: encodeBlocksFast checked). */
function blockOf(ts: TransmissionParts[], from: number, to: number): Buffer {
  const b = takeBlock();
  let off = 3;
  for (let i = from; i < to; i++) {
    const t = ts[i];
    b.writeUInt16BE(partsLength(t), off);
    off = writeParts(t, b, off + 2);
  }
  b.fill(0x23, off);
  b.writeUInt16BE(off - 2, 0);
  b[2] = to - from;
  return b;
}

/** encodeBlocks with Buffer ops (same packing rule; a transmission too large for a block is dropped). */
export function encodeBlocksFast(ts: TransmissionParts[]): Buffer[] {
  const blocks: Buffer[] = [];
  const fits: TransmissionParts[] = [];
  for (const t of ts) if (partsLength(t) + 2 <= BATCH_CAPACITY) fits.push(t);
  let from = 0;
  let size = 0;
  for (let i = 0; i < fits.length; i++) {
    const s = partsLength(fits[i]) + 2;
    if (size + s > BATCH_CAPACITY || i - from === MAX_BATCH_COUNT) {
      blocks.push(blockOf(fits, from, i));
      from = i;
      size = 0;
    }
    size += s;
  }
  if (from < fits.length) blocks.push(blockOf(fits, from, fits.length));
  return blocks;
}
