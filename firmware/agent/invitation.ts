/**
 * Invitations and confirmations: how a duplex connection is set up out of band.
 *
 * The initiator (the station) creates a queue, then an invitation naming that queue and
 * its key agreement public keys. The text form is `tsense:1:` + base64url (QR-printable).
 *
 *   invitation   = agentVersion(Word16) ‖ shortString(suite) ‖ Large(queue URI)
 *                  ‖ shortString(SPKI dh1) ‖ shortString(SPKI dh2) ‖ Maybe(Large(KEM key))
 *   confirmation = 'C' ‖ agentVersion(Word16) ‖ shortString(suite) ‖ shortString(SPKI dh1)
 *                  ‖ shortString(SPKI dh2) ‖ Maybe(Large(KEM key) ‖ Large(KEM ciphertext))
 *                  ‖ Tail(ratchet message of connInfo)
 *   connInfo     = Large(reply queue URI) ‖ shortString(name) ‖ Tail(info)
 *   message      = 'M' ‖ Tail(ratchet message of an agent message)
 */
import { Bytes, fromAscii } from "../port/bytes";
import { fromBase64, toBase64Url } from "../port/base64";
import { SmpReader, SmpWriter, bytesToAscii } from "../port/encoding";
import { decodeSpki, encodeSpki } from "../transport/smp/keys";
import { RatchetSuite } from "./suite";
import { E2EParams } from "./x3dh";

export const AGENT_VERSION = 1;
export const INVITATION_PREFIX = "tsense:1:";
export const ENVELOPE_CONFIRMATION = 0x43; // 'C'
export const ENVELOPE_MESSAGE = 0x4d; // 'M'

export class Invitation {
  version: number;
  suiteName: string;
  queueUri: string;
  params: E2EParams;
  constructor(version: number, suiteName: string, queueUri: string, params: E2EParams) {
    this.version = version;
    this.suiteName = suiteName;
    this.queueUri = queueUri;
    this.params = params;
  }
}

function writeParams(w: SmpWriter, suite: RatchetSuite, p: E2EParams, withCiphertext: boolean): void {
  w.short(encodeSpki({ alg: suite.dhAlg.name, key: p.dhKey1 }));
  w.short(encodeSpki({ alg: suite.dhAlg.name, key: p.dhKey2 }));
  if (p.kemKey === undefined) {
    w.byte(0x30);
  } else {
    w.byte(0x31).large(p.kemKey);
    if (withCiphertext) {
      if (p.kemCiphertext === undefined) {
        throw new Error("confirmation: KEM ciphertext missing");
      }
      w.large(p.kemCiphertext);
    }
  }
}

function readKey(r: SmpReader, suite: RatchetSuite): Bytes {
  const k = decodeSpki(r.short());
  if (!k.ok || k.value.alg !== suite.dhAlg.name) {
    r.fail("DH key is not a " + suite.dhAlg.name + " SPKI key");
    return fromAscii("");
  }
  return k.value.key;
}

function readParams(r: SmpReader, suite: RatchetSuite, withCiphertext: boolean): E2EParams {
  const k1 = readKey(r, suite);
  const k2 = readKey(r, suite);
  let kemKey: Bytes | undefined = undefined;
  let kemCt: Bytes | undefined = undefined;
  if (r.maybeTag()) {
    kemKey = r.large();
    if (withCiphertext) {
      kemCt = r.large();
    }
  }
  return new E2EParams(k1, k2, kemKey, kemCt);
}

export function encodeInvitation(suite: RatchetSuite, inv: Invitation): string {
  const w = new SmpWriter().word16(inv.version).short(fromAscii(inv.suiteName)).large(fromAscii(inv.queueUri));
  writeParams(w, suite, inv.params, false);
  return INVITATION_PREFIX + toBase64Url(w.finish());
}

function invitationReader(text: string): SmpReader | undefined {
  const t = text.trim();
  if (t.substring(0, INVITATION_PREFIX.length) !== INVITATION_PREFIX) {
    return undefined;
  }
  try {
    return new SmpReader(fromBase64(t.substring(INVITATION_PREFIX.length)));
  } catch (e) {
    return undefined;
  }
}

/** The suite name an invitation asks for, so the caller can pick the suite before decoding. */
export function invitationSuiteName(text: string): string | undefined {
  const r = invitationReader(text);
  if (r === undefined) {
    return undefined;
  }
  r.word16();
  const name = bytesToAscii(r.short());
  return r.failed === undefined ? name : undefined;
}

export function decodeInvitation(suite: RatchetSuite, text: string): Invitation | string {
  const r = invitationReader(text);
  if (r === undefined) {
    return "invitation: expected text starting with '" + INVITATION_PREFIX + "' followed by base64url";
  }
  const version = r.word16();
  const suiteName = bytesToAscii(r.short());
  const queueUri = bytesToAscii(r.large());
  if (r.failed === undefined && suiteName !== suite.name) {
    return "invitation: suite " + suiteName + ", but this side uses " + suite.name;
  }
  const params = readParams(r, suite, false);
  r.end();
  if (r.failed !== undefined) {
    return "invitation: " + r.failed;
  }
  if (version !== AGENT_VERSION) {
    return "invitation: agent version " + version + " is not supported (this side speaks " + AGENT_VERSION + ")";
  }
  return new Invitation(version, suiteName, queueUri, params);
}

export class Confirmation {
  params: E2EParams;
  ratchetMessage: Bytes;
  constructor(params: E2EParams, ratchetMessage: Bytes) {
    this.params = params;
    this.ratchetMessage = ratchetMessage;
  }
}

export function encodeConfirmation(suite: RatchetSuite, params: E2EParams, ratchetMessage: Bytes): Bytes {
  const w = new SmpWriter().byte(ENVELOPE_CONFIRMATION).word16(AGENT_VERSION).short(fromAscii(suite.name));
  writeParams(w, suite, params, true);
  return w.bytes(ratchetMessage).finish();
}

/** Parses a confirmation body (after its 'C' tag has been seen by the caller). */
export function decodeConfirmation(suite: RatchetSuite, b: Bytes): Confirmation | string {
  const r = new SmpReader(b);
  r.char(ENVELOPE_CONFIRMATION);
  const version = r.word16();
  const suiteName = bytesToAscii(r.short());
  if (r.failed === undefined && (version !== AGENT_VERSION || suiteName !== suite.name)) {
    return "confirmation: version " + version + " suite " + suiteName + " not accepted";
  }
  const params = readParams(r, suite, true);
  const msg = r.tail();
  if (r.failed !== undefined) {
    return "confirmation: " + r.failed;
  }
  return new Confirmation(params, msg);
}

export class ConnInfo {
  replyQueueUri: string;
  name: string;
  info: Bytes;
  constructor(replyQueueUri: string, name: string, info: Bytes) {
    this.replyQueueUri = replyQueueUri;
    this.name = name;
    this.info = info;
  }
}

export function encodeConnInfo(c: ConnInfo): Bytes {
  return new SmpWriter().large(fromAscii(c.replyQueueUri)).short(fromAscii(c.name)).bytes(c.info).finish();
}

export function decodeConnInfo(b: Bytes): ConnInfo | string {
  const r = new SmpReader(b);
  const uri = bytesToAscii(r.large());
  const name = bytesToAscii(r.short());
  const info = r.tail();
  return r.failed === undefined ? new ConnInfo(uri, name, info) : "connection info: " + r.failed;
}

export function encodeMessageEnvelope(ratchetMessage: Bytes): Bytes {
  return new SmpWriter().byte(ENVELOPE_MESSAGE).bytes(ratchetMessage).finish();
}
