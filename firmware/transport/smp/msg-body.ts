/**
 * What the recipient decrypts from MSG (Protocol.hs RcvMsgBody / clientRcvMsgBodyP):
 *   Int64 ts ‖ Bool notification ‖ ' ' ‖ body      or      "QUOTA " ‖ Int64 ts
 * padded to 16,106 bytes and crypto_boxed with nonce = msgId, so every MSG body is
 * 16,122 bytes whatever the message length.
 */
import { Bytes } from "../../port/bytes";
import { CryptoProvider } from "../../crypto/provider";
import { Parsed, SmpReader, SmpWriter, asciiBytes, parsedError, parsedOk } from "../../port/encoding";
import { cbDecrypt, cbEncrypt, cbNonce } from "./crypto-box";

/** MaxMessageLen (16088) + 16 of metadata = 16104, padded: 16106 */
export const RCV_MSG_PADDED_LEN = 16106;
export const QUOTA_TAG = "QUOTA";

export type RcvMsgBody = { quota: false; ts: number; notification: boolean; body: Bytes } | { quota: true; ts: number };

export function encodeRcvMsgBody(m: RcvMsgBody): Bytes {
  const w = new SmpWriter();
  if (m.quota) {
    w.ascii(QUOTA_TAG).space().int64(m.ts);
  } else {
    w.int64(m.ts).bool(m.notification).space().bytes(m.body);
  }
  return w.finish();
}

export function parseRcvMsgBody(b: Bytes): Parsed<RcvMsgBody> {
  const tag = asciiBytes(QUOTA_TAG);
  let isQuota = b.length >= tag.length;
  for (let i = 0; isQuota && i < tag.length; i++) {
    isQuota = b[i] === tag[i];
  }
  const r = new SmpReader(b);
  if (isQuota) {
    r.take(tag.length);
    r.space();
    const ts = r.int64();
    r.end();
    return r.failed === undefined ? parsedOk<RcvMsgBody>({ quota: true, ts: ts }) : parsedError(r.failed);
  }
  const ts = r.int64();
  const notification = r.bool();
  r.word();
  r.space();
  const body = r.tail();
  return r.failed === undefined ? parsedOk<RcvMsgBody>({ quota: false, ts: ts, notification: notification, body: body }) : parsedError(r.failed);
}

/** Server side: the MSG body for the recipient. key = crypto_box key of the queue. */
export function encryptRcvMsg(provider: CryptoProvider, key: Bytes, msgId: Bytes, m: RcvMsgBody): Bytes {
  return cbEncrypt(provider, key, cbNonce(msgId), encodeRcvMsgBody(m), RCV_MSG_PADDED_LEN);
}

export function decryptRcvMsg(provider: CryptoProvider, key: Bytes, msgId: Bytes, encBody: Bytes): Parsed<RcvMsgBody> {
  const plain = cbDecrypt(provider, key, cbNonce(msgId), encBody);
  if (!plain.ok) {
    return parsedError(plain.error);
  }
  return parseRcvMsgBody(plain.value);
}
