/** In-memory QueueStore (nothing survives a restart). */
import type { Bytes } from "../../firmware/port/bytes";
import type { PublicKey } from "../../firmware/transport/smp/keys";
import type { QueueRecord, QueueStore, StoredMessage, WriteResult } from "./queue-store";

/** Map key of an id: its bytes as a latin1 string, read through a view (no copy). */
function key(b: Bytes): string {
  const u = b as Uint8Array;
  return Buffer.from(u.buffer, u.byteOffset, u.length).toString("latin1");
}

function sameBytes(a: Bytes, b: Bytes): boolean {
  return Buffer.compare(a as Uint8Array, b as Uint8Array) === 0;
}

interface MsgQueue {
  msgs: StoredMessage[];
  head: number;
  /** false after the quota marker until the queue is drained (STMMsgQueue canWrite) */
  canWrite: boolean;
}

export class MemoryQueueStore implements QueueStore {
  private byRecipient = new Map<string, QueueRecord>();
  private bySender = new Map<string, QueueRecord>();
  private messages = new Map<string, MsgQueue>();
  private messageCount = 0;

  addQueue(q: QueueRecord): boolean {
    const r = key(q.recipientId);
    const s = key(q.senderId);
    if (this.byRecipient.has(r) || this.bySender.has(s) || this.byRecipient.has(s) || this.bySender.has(r)) return false;
    this.byRecipient.set(r, q);
    this.bySender.set(s, q);
    return true;
  }
  getByRecipientId(id: Bytes): QueueRecord | undefined {
    return this.byRecipient.get(key(id));
  }
  getBySenderId(id: Bytes): QueueRecord | undefined {
    return this.bySender.get(key(id));
  }
  secureQueue(id: Bytes, senderKey: PublicKey): boolean {
    const q = this.getByRecipientId(id);
    if (q === undefined) return false;
    if (q.senderKey !== undefined) return q.senderKey.alg === senderKey.alg && sameBytes(q.senderKey.key, senderKey.key);
    q.senderKey = senderKey;
    return true;
  }
  suspendQueue(id: Bytes): void {
    const q = this.getByRecipientId(id);
    if (q !== undefined) q.status = "off";
  }
  deleteQueue(id: Bytes): boolean {
    const k = key(id);
    const q = this.byRecipient.get(k);
    if (q === undefined) return false;
    this.byRecipient.delete(k);
    this.bySender.delete(key(q.senderId));
    const mq = this.messages.get(k);
    if (mq !== undefined) this.messageCount -= mq.msgs.length - mq.head;
    this.messages.delete(k);
    return true;
  }
  private queue(id: Bytes, create: boolean): MsgQueue | undefined {
    const k = key(id);
    let mq = this.messages.get(k);
    if (mq === undefined && create) {
      mq = { msgs: [], head: 0, canWrite: true };
      this.messages.set(k, mq);
    }
    return mq;
  }
  writeMsg(id: Bytes, msg: StoredMessage, quota: number): WriteResult {
    const mq = this.queue(id, true)!;
    const size = mq.msgs.length - mq.head;
    const empty = size === 0;
    if (!mq.canWrite && !empty) return { written: false, wasEmpty: false };
    const canWrite = quota > size;
    mq.canWrite = canWrite;
    this.messageCount++;
    if (canWrite) {
      mq.msgs.push(msg);
      return { written: true, wasEmpty: empty };
    }
    mq.msgs.push({ quota: true, msgId: msg.msgId, ts: msg.ts });
    return { written: false, wasEmpty: empty };
  }
  peekMsg(id: Bytes): StoredMessage | undefined {
    const mq = this.queue(id, false);
    return mq === undefined || mq.head >= mq.msgs.length ? undefined : mq.msgs[mq.head];
  }
  private dropHead(mq: MsgQueue): void {
    mq.head++;
    this.messageCount--;
    // Let go of delivered messages at once: a body can hold its whole 16 KiB received
    // block, and up to 64 kept per queue held ~14 blocks per queue of a fleet's relay.
    // Compacting once half is delivered keeps this amortized O(1) per message.
    if (mq.head >= mq.msgs.length) {
      mq.msgs = [];
      mq.head = 0;
    } else if (mq.head * 2 >= mq.msgs.length) {
      mq.msgs = mq.msgs.slice(mq.head);
      mq.head = 0;
    }
  }
  deleteMsg(id: Bytes, msgId: Bytes): StoredMessage | undefined {
    const mq = this.queue(id, false);
    if (mq === undefined || mq.head >= mq.msgs.length) return undefined;
    const m = mq.msgs[mq.head];
    if (!sameBytes(m.msgId, msgId)) return undefined;
    this.dropHead(mq);
    return m;
  }
  expireMessages(id: Bytes, beforeSeconds: number): number {
    const mq = this.queue(id, false);
    let n = 0;
    while (mq !== undefined && mq.head < mq.msgs.length && mq.msgs[mq.head].ts < beforeSeconds) {
      this.dropHead(mq);
      n++;
    }
    return n;
  }
  queueSize(id: Bytes): number {
    const mq = this.queue(id, false);
    return mq === undefined ? 0 : mq.msgs.length - mq.head;
  }
  recipientIds(): Bytes[] {
    return [...this.byRecipient.values()].map((q) => q.recipientId);
  }
  stats(): { queues: number; messages: number } {
    return { queues: this.byRecipient.size, messages: this.messageCount };
  }
}
