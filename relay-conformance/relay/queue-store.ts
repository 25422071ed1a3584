/**
 * The relay's queue store: queue records and their messages. The command handler only
 * talks to this interface, so a persistent store (journal on disk) can replace the
 * in-memory one without touching protocol code. Calls are synchronous on purpose: the
 * handler processes a block without interleaving, as simplexmq's STM transactions do.
 */
import type { Bytes } from "../../firmware/port/bytes";
import type { PublicKey } from "../../firmware/transport/smp/keys";

export interface QueueRecord {
  recipientId: Bytes;
  senderId: Bytes;
  recipientKey: PublicKey;
  /** crypto_box key (HSalsa20 of the X25519 secret) for server→recipient MSG bodies */
  rcvDhSecret: Bytes;
  senderKey: PublicKey | undefined;
  /** queueMode = messaging (v9 NEW with sndSecure): the sender may SKEY */
  sndSecure: boolean;
  status: "active" | "off";
}

export type StoredMessage =
  | { quota: false; msgId: Bytes; ts: number; notification: boolean; body: Bytes }
  /** marker written when the quota is reached; delivered to the recipient as a QUOTA message */
  | { quota: true; msgId: Bytes; ts: number };

export interface WriteResult {
  /** false when the queue is over quota (a quota marker may have been written instead) */
  written: boolean;
  /** the queue was empty before this write: the caller should try to deliver */
  wasEmpty: boolean;
}

export interface QueueStore {
  /** false if either id is taken */
  addQueue(q: QueueRecord): boolean;
  getByRecipientId(recipientId: Bytes): QueueRecord | undefined;
  getBySenderId(senderId: Bytes): QueueRecord | undefined;
  /** sets the sender key; false if a different key is already set */
  secureQueue(recipientId: Bytes, senderKey: PublicKey): boolean;
  suspendQueue(recipientId: Bytes): void;
  /** removes the queue and its messages */
  deleteQueue(recipientId: Bytes): boolean;

  /** simplexmq STM writeMsg: append while below quota; at quota append one quota marker; then refuse until drained */
  writeMsg(recipientId: Bytes, msg: StoredMessage, quota: number): WriteResult;
  peekMsg(recipientId: Bytes): StoredMessage | undefined;
  /** deletes the first message if its id is msgId; returns it */
  deleteMsg(recipientId: Bytes, msgId: Bytes): StoredMessage | undefined;
  /** deletes messages older than `beforeSeconds`; returns how many */
  expireMessages(recipientId: Bytes, beforeSeconds: number): number;
  queueSize(recipientId: Bytes): number;
  /** every recipient id (for periodic expiry) */
  recipientIds(): Bytes[];
  stats(): { queues: number; messages: number };
}
