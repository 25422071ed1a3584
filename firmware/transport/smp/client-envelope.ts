/**
 * The sender→recipient envelope inside SEND (Protocol.hs ClientMsgEnvelope / PubHeader /
 * ClientMessage / PrivHeader; Agent/Client.hs agentCbEncrypt):
 *   envelope = Word16 clientVersion ‖ Maybe(shortString X25519 SPKI) ‖ nonce(24) ‖ encBody
 *   encBody  = cryptoBox(e2e key, nonce, pad(privHeader ‖ body, 15904 | 16000))
 *   privHeader = 'K' ‖ shortString(sender auth key SPKI) | '_'
 * The padded length is 15,904 when the header carries a DH key (a confirmation), else 16,000.
 */
import { Bytes } from "../../port/bytes";
import { CryptoProvider } from "../../crypto/provider";
import { Parsed, SmpReader, SmpWriter, parsedError, parsedOk } from "../../port/encoding";
import { CB_NONCE_SIZE, cbDecrypt, cbEncrypt } from "./crypto-box";
import { PublicKey, decodeSpki, encodeSpki } from "./keys";

export const E2E_ENC_CONFIRMATION_LENGTH = 15904;
export const E2E_ENC_MESSAGE_LENGTH = 16000;
/** SMP client (agent) protocol versions 1..4 (Protocol.hs VersionSMPC) */
export const SMP_CLIENT_VERSION_MIN = 1;
export const SMP_CLIENT_VERSION_MAX = 4;

const PRIV_HEADER_KEY = 0x4b; // 'K'
const PRIV_HEADER_EMPTY = 0x5f; // '_'

export interface ClientMsgEnvelope {
  clientVersion: number;
  /** the sender's per-queue X25519 key, sent with the first (confirmation) message */
  e2ePubKey: PublicKey | undefined;
  nonce: Bytes;
  encBody: Bytes;
}

export interface ClientMessage {
  /** 'K' header: the sender's auth key the recipient should secure the queue with */
  senderKey: PublicKey | undefined;
  body: Bytes;
}

/** The envelope's encoding, uncopied (it goes into a SEND, and the SEND into a block). */
export function envelopeWriter(e: ClientMsgEnvelope): SmpWriter {
  const w = new SmpWriter().word16(e.clientVersion);
  if (e.e2ePubKey === undefined) {
    w.byte(0x30);
  } else {
    w.byte(0x31).short(encodeSpki(e.e2ePubKey));
  }
  return w.bytes(e.nonce).bytes(e.encBody);
}

export function encodeEnvelope(e: ClientMsgEnvelope): Bytes {
  return envelopeWriter(e).finish();
}

export function parseEnvelope(b: Bytes): Parsed<ClientMsgEnvelope> {
  const r = new SmpReader(b);
  const v = r.word16();
  let key: PublicKey | undefined = undefined;
  if (r.maybeTag()) {
    const k = decodeSpki(r.short());
    if (!k.ok || k.value.alg !== "x25519") {
      return parsedError("bad e2e key in envelope");
    }
    key = k.value;
  }
  const nonce = r.take(CB_NONCE_SIZE);
  const encBody = r.tail();
  if (r.failed !== undefined) {
    return parsedError(r.failed);
  }
  return parsedOk({ clientVersion: v, e2ePubKey: key, nonce: nonce, encBody: encBody });
}

export function encodeClientMessage(m: ClientMessage): Bytes {
  const w = new SmpWriter();
  if (m.senderKey === undefined) {
    w.byte(PRIV_HEADER_EMPTY);
  } else {
    w.byte(PRIV_HEADER_KEY).short(encodeSpki(m.senderKey));
  }
  return w.bytes(m.body).finish();
}

export function parseClientMessage(b: Bytes): Parsed<ClientMessage> {
  const r = new SmpReader(b);
  const h = r.byte();
  let key: PublicKey | undefined = undefined;
  if (h === PRIV_HEADER_KEY) {
    const k = decodeSpki(r.short());
    if (!k.ok) {
      return parsedError("bad key in private header");
    }
    key = k.value;
  } else if (h !== PRIV_HEADER_EMPTY) {
    return parsedError("invalid PrivHeader");
  }
  const body = r.tail();
  return r.failed === undefined ? parsedOk({ senderKey: key, body: body }) : parsedError(r.failed);
}

/** sealEnvelope's result as a writer (SmpClient.sendWriter copies it once, into the block). */
export function sealEnvelopeWriter(provider: CryptoProvider, key: Bytes, nonce: Bytes, clientVersion: number, e2ePubKey: PublicKey | undefined, m: ClientMessage): SmpWriter {
  const paddedLen = e2ePubKey === undefined ? E2E_ENC_MESSAGE_LENGTH : E2E_ENC_CONFIRMATION_LENGTH;
  const encBody = cbEncrypt(provider, key, nonce, encodeClientMessage(m), paddedLen);
  return envelopeWriter({ clientVersion: clientVersion, e2ePubKey: e2ePubKey, nonce: nonce, encBody: encBody });
}

/** Seals a client message for the recipient; key = crypto_box key of the e2e DH pair. */
export function sealEnvelope(provider: CryptoProvider, key: Bytes, nonce: Bytes, clientVersion: number, e2ePubKey: PublicKey | undefined, m: ClientMessage): Bytes {
  return sealEnvelopeWriter(provider, key, nonce, clientVersion, e2ePubKey, m).finish();
}

export function openEnvelope(provider: CryptoProvider, key: Bytes, e: ClientMsgEnvelope): Parsed<ClientMessage> {
  const plain = cbDecrypt(provider, key, e.nonce, e.encBody);
  if (!plain.ok) {
    return parsedError(plain.error);
  }
  return parseClientMessage(plain.value);
}
