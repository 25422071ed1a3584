/**
 * Ratchet message wire format (simplexmq's MsgHeader / EncMessageHeader /
 * EncRatchetMessage, PQ layout):
 *
 *   msgHeader        = maxVersion(Word16) ‖ shortString(SPKI(DHRs)) ‖ kemParams ‖ PN(Word32) ‖ Ns(Word32)
 *   kemParams        = "0" | "1" "P" Large(ek) | "1" "A" Large(ct) Large(ek)
 *   encMessageHeader = version(Word16) ‖ headerIV(16) ‖ headerTag(16) ‖ Large(AES-GCM(HKs, pad(msgHeader)))
 *   encRatchetMsg    = Large(encMessageHeader) ‖ bodyTag(16) ‖ Tail(AES-GCM(mk, pad(body)))
 */
import { Bytes } from "../port/bytes";
import { SmpReader, SmpWriter } from "../port/encoding";
import { decodeSpki, encodeSpki } from "../transport/smp/keys";
import { RatchetSuite } from "./suite";

/** tsense e2e ratchet version (our numbering; the suite is not SimpleX's X448/sntrup761). */
export const E2E_VERSION = 1;
export const AUTH_TAG_LENGTH = 16;
export const HEADER_IV_LENGTH = 16;
/** Padded header size without a KEM (SimpleX's pre-PQ size). */
export const PADDED_HEADER_NO_KEM = 88;

/** RFC 8410 SPKI encodings of curve keys are a 12-byte prefix and the raw key. */
const SPKI_PREFIX_LENGTH = 12;
const MAYBE_NOTHING = 0x30; // '0'
const MAYBE_JUST = 0x31; // '1'
const KEM_PROPOSED = 0x50; // 'P'
const KEM_ACCEPTED = 0x41; // 'A'

export class MsgHeader {
  maxVersion: number;
  dhKey: Bytes;
  kemKey: Bytes | undefined;
  kemCiphertext: Bytes | undefined;
  pn: number;
  ns: number;
  constructor(maxVersion: number, dhKey: Bytes, kemKey: Bytes | undefined, kemCiphertext: Bytes | undefined, pn: number, ns: number) {
    this.maxVersion = maxVersion;
    this.dhKey = dhKey;
    this.kemKey = kemKey;
    this.kemCiphertext = kemCiphertext;
    this.pn = pn;
    this.ns = ns;
  }
}

/** The padded header length for a suite: the largest header plus the 2-byte pad prefix. */
export function paddedHeaderLength(suite: RatchetSuite): number {
  const kem = suite.kemAlg;
  if (kem === undefined) {
    return PADDED_HEADER_NO_KEM;
  }
  const spki = SPKI_PREFIX_LENGTH + suite.dhAlg.publicKeyLength;
  return 2 + 2 + (1 + spki) + 2 + (2 + kem.ciphertextLength) + (2 + kem.encapsulationKeyLength) + 8;
}

export function encodeMsgHeader(suite: RatchetSuite, h: MsgHeader): Bytes {
  const w = new SmpWriter().word16(h.maxVersion).short(encodeSpki({ alg: suite.dhAlg.name, key: h.dhKey }));
  if (h.kemKey === undefined) {
    w.byte(MAYBE_NOTHING);
  } else if (h.kemCiphertext === undefined) {
    w.byte(MAYBE_JUST).byte(KEM_PROPOSED).large(h.kemKey);
  } else {
    w.byte(MAYBE_JUST).byte(KEM_ACCEPTED).large(h.kemCiphertext).large(h.kemKey);
  }
  return w.word32(h.pn).word32(h.ns).finish();
}

/** Parses a header; returns a reason string on failure. */
export function decodeMsgHeader(suite: RatchetSuite, b: Bytes): MsgHeader | string {
  const r = new SmpReader(b);
  const version = r.word16();
  const spki = decodeSpki(r.short());
  let kemKey: Bytes | undefined = undefined;
  let kemCt: Bytes | undefined = undefined;
  const maybe = r.byte();
  if (maybe === MAYBE_JUST) {
    const tag = r.byte();
    if (tag === KEM_ACCEPTED) {
      kemCt = r.large();
    } else if (tag !== KEM_PROPOSED) {
      r.fail("bad KEM params tag " + tag);
    }
    kemKey = r.large();
  } else if (maybe !== MAYBE_NOTHING) {
    r.fail("bad KEM params");
  }
  const pn = r.word32();
  const ns = r.word32();
  r.end();
  if (r.failed !== undefined) {
    return "header: " + r.failed;
  }
  if (!spki.ok || spki.value.alg !== suite.dhAlg.name) {
    return "header: DH key is not a " + suite.dhAlg.name + " SPKI key";
  }
  const dhKey = spki.value.key;
  const kem = suite.kemAlg;
  if (kemKey !== undefined && (kem === undefined || kemKey.length !== kem.encapsulationKeyLength)) {
    return "header: bad KEM key";
  }
  if (kemCt !== undefined && (kem === undefined || kemCt.length !== kem.ciphertextLength)) {
    return "header: bad KEM ciphertext";
  }
  return new MsgHeader(version, dhKey, kemKey, kemCt, pn, ns);
}

export class EncMessageHeader {
  version: number;
  iv: Bytes;
  tag: Bytes;
  body: Bytes;
  constructor(version: number, iv: Bytes, tag: Bytes, body: Bytes) {
    this.version = version;
    this.iv = iv;
    this.tag = tag;
    this.body = body;
  }
}

export function encodeEncHeader(h: EncMessageHeader): Bytes {
  return new SmpWriter().word16(h.version).bytes(h.iv).bytes(h.tag).large(h.body).finish();
}

export function decodeEncHeader(b: Bytes): EncMessageHeader | string {
  const r = new SmpReader(b);
  const version = r.word16();
  const iv = r.take(HEADER_IV_LENGTH);
  const tag = r.take(AUTH_TAG_LENGTH);
  const body = r.large();
  r.end();
  return r.failed === undefined ? new EncMessageHeader(version, iv, tag, body) : "encrypted header: " + r.failed;
}

export class EncRatchetMessage {
  header: Bytes;
  tag: Bytes;
  body: Bytes;
  constructor(header: Bytes, tag: Bytes, body: Bytes) {
    this.header = header;
    this.tag = tag;
    this.body = body;
  }
}

export function encodeRatchetMessage(m: EncRatchetMessage): Bytes {
  return new SmpWriter().large(m.header).bytes(m.tag).bytes(m.body).finish();
}

export function decodeRatchetMessage(b: Bytes): EncRatchetMessage | string {
  const r = new SmpReader(b);
  const header = r.large();
  const tag = r.take(AUTH_TAG_LENGTH);
  const body = r.tail();
  return r.failed === undefined ? new EncRatchetMessage(header, tag, body) : "ratchet message: " + r.failed;
}
