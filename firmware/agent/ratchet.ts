/**
 * Double ratchet with header encryption, augmented with a KEM in every DH step (simplexmq
 * Crypto/Ratchet.hs rcEncrypt/rcDecrypt, protocol/pqdr.md "PQ2HE"). Sans-I/O and pure:
 * every call returns a new state and leaves the old one untouched, so a failed decrypt
 * (forged, replayed or corrupt message) never changes what the caller holds.
 */
import { Bytes, alloc, concat, copyInto, slice } from "../port/bytes";
import { ctEqual } from "../port/ct";
import { pad, unpad } from "../transport/smp/pad";
import { CryptoProvider, RandomSource } from "../crypto/provider";
import { RatchetSuite } from "./suite";
import { chainKdf, rootKdf } from "./kdf";
import { KemAccepted, RatchetInitParams } from "./x3dh";
import {
  AUTH_TAG_LENGTH,
  E2E_VERSION,
  EncMessageHeader,
  EncRatchetMessage,
  MsgHeader,
  decodeEncHeader,
  decodeMsgHeader,
  decodeRatchetMessage,
  encodeEncHeader,
  encodeMsgHeader,
  encodeRatchetMessage,
  paddedHeaderLength,
} from "./header";
import { RatchetKem, RatchetState, RecvChain, SendChain, SkippedKey } from "./ratchet-state";

/** Most message keys skipped in one step, and most kept in the store (SimpleX: 512). */
export const MAX_SKIP = 512;

// Decryption error codes (simplexmq CryptoError names in comments).
export const ERR_PARSE = "PARSE"; // CryptoHeaderError
export const ERR_HEADER = "HEADER"; // CERatchetHeader: no header key decrypts it
export const ERR_DUPLICATE = "DUPLICATE"; // CERatchetDuplicateMessage
export const ERR_EARLIER = "EARLIER"; // CERatchetEarlierMessage
export const ERR_TOO_MANY_SKIPPED = "TOO_MANY_SKIPPED"; // CERatchetTooManySkipped
export const ERR_KEM_STATE = "KEM_STATE"; // CERatchetKEMState
export const ERR_MESSAGE = "MESSAGE"; // body authentication failed
export const ERR_STATE = "STATE"; // CERatchetState: no sending chain yet

export class RatchetContext {
  p: CryptoProvider;
  suite: RatchetSuite;
  random: RandomSource;
  constructor(p: CryptoProvider, suite: RatchetSuite, random: RandomSource) {
    this.p = p;
    this.suite = suite;
    this.random = random;
  }
}

/** Joiner ("Alice"): sends first. theirDhKey2 is the initiator's second DH public key. */
export function initSendingRatchet(
  ctx: RatchetContext,
  theirDhKey2: Bytes,
  ourDhSecret2: Bytes,
  init: RatchetInitParams,
  ourKem: RatchetKem | undefined,
): RatchetState {
  const ss = init.kemAccepted === undefined ? undefined : init.kemAccepted.sharedSecret;
  const step = rootKdf(ctx.p, init.rootKey, ctx.suite.dhAlg.dh(ourDhSecret2, theirDhKey2), ss);
  const pub = ctx.suite.dhAlg.publicKey(ourDhSecret2);
  const s = new RatchetState(E2E_VERSION, init.assocData, ourDhSecret2, pub, step.rootKey, step.nextHeaderKey, init.nextRecvHeaderKey);
  s.kem = ourKem;
  s.snd = new SendChain(theirDhKey2, step.chainKey, init.sendHeaderKey);
  return s;
}

/** Initiator ("Bob"): receives first, from the joiner's first message on. */
export function initReceivingRatchet(ctx: RatchetContext, ourDhSecret2: Bytes, init: RatchetInitParams, ourKem: RatchetKem | undefined): RatchetState {
  const pub = ctx.suite.dhAlg.publicKey(ourDhSecret2);
  const s = new RatchetState(E2E_VERSION, init.assocData, ourDhSecret2, pub, init.rootKey, init.nextRecvHeaderKey, init.sendHeaderKey);
  s.kem = ourKem;
  return s;
}

function seal(p: CryptoProvider, key: Bytes, iv: Bytes, ad: Bytes, plaintext: Bytes): Bytes[] {
  const sealed = p.aes256gcmSeal(key, iv, ad, plaintext);
  const n = sealed.length - AUTH_TAG_LENGTH;
  return [slice(sealed, n, sealed.length), slice(sealed, 0, n)];
}

function open(p: CryptoProvider, key: Bytes, iv: Bytes, ad: Bytes, body: Bytes, tag: Bytes): Bytes | undefined {
  const sealed = alloc(body.length + tag.length);
  copyInto(sealed, 0, body, 0, body.length);
  copyInto(sealed, body.length, tag, 0, tag.length);
  const padded = p.aes256gcmOpen(key, iv, ad, sealed);
  if (padded === undefined) {
    return undefined;
  }
  const m = unpad(padded);
  return m.ok ? m.value : undefined;
}

export class EncryptResult {
  message: Bytes;
  state: RatchetState;
  constructor(message: Bytes, state: RatchetState) {
    this.message = message;
    this.state = state;
  }
}

/**
 * Encrypts one message, padded to paddedLength. The returned state must be persisted
 * before the message is released (write-ahead): it is what stops a key being reused.
 */
export function ratchetEncrypt(ctx: RatchetContext, state: RatchetState, plaintext: Bytes, paddedLength: number): EncryptResult {
  const snd = state.snd;
  if (snd === undefined) {
    throw new Error("ratchet: no sending chain yet (" + ERR_STATE + ")");
  }
  const step = chainKdf(ctx.p, snd.chainKey);
  const kem = state.kem;
  const header = new MsgHeader(
    E2E_VERSION,
    state.dhPublic,
    kem === undefined ? undefined : kem.pair.publicKey,
    kem === undefined || kem.accepted === undefined ? undefined : kem.accepted.ciphertext,
    state.pn,
    state.ns,
  );
  const paddedHeader = pad(encodeMsgHeader(ctx.suite, header), paddedHeaderLength(ctx.suite));
  const h = seal(ctx.p, snd.headerKey, step.headerIv, state.assocData, paddedHeader);
  const emHeader = encodeEncHeader(new EncMessageHeader(E2E_VERSION, step.headerIv, h[0], h[1]));
  const b = seal(ctx.p, step.messageKey, step.messageIv, concat(state.assocData, emHeader), pad(plaintext, paddedLength));
  const next = state.clone();
  next.snd = new SendChain(snd.dhRr, step.chainKey, snd.headerKey);
  next.ns = state.ns + 1;
  return new EncryptResult(encodeRatchetMessage(new EncRatchetMessage(emHeader, b[0], b[1])), next);
}

export class DecryptResult {
  plaintext: Bytes | undefined;
  /** "" on success, else one of the ERR_* codes. */
  error: string;
  detail: string;
  /** The state to keep: the new one on success, the unchanged input on failure. */
  state: RatchetState;
  constructor(plaintext: Bytes | undefined, error: string, detail: string, state: RatchetState) {
    this.plaintext = plaintext;
    this.error = error;
    this.detail = detail;
    this.state = state;
  }
}

function failed(state: RatchetState, error: string, detail: string): DecryptResult {
  return new DecryptResult(undefined, error, detail, state);
}

function decryptHeader(ctx: RatchetContext, key: Bytes, ad: Bytes, eh: EncMessageHeader): MsgHeader | string | undefined {
  const padded = open(ctx.p, key, eh.iv, ad, eh.body, eh.tag);
  if (padded === undefined) {
    return undefined;
  }
  return decodeMsgHeader(ctx.suite, padded);
}

/** Derives and stores keys for messages up to (not including) untilN; "" or an error code. */
function skipMessageKeys(ctx: RatchetContext, s: RatchetState, untilN: number): string {
  const rcv = s.rcv;
  if (rcv === undefined) {
    return "";
  }
  if (s.nr > untilN + 1) {
    return ERR_EARLIER;
  }
  if (s.nr === untilN + 1) {
    return ERR_DUPLICATE;
  }
  if (s.nr + MAX_SKIP < untilN) {
    return ERR_TOO_MANY_SKIPPED;
  }
  let ck = rcv.chainKey;
  while (s.nr < untilN) {
    const step = chainKdf(ctx.p, ck);
    s.skipped.push(new SkippedKey(rcv.headerKey, s.nr, step.messageKey, step.messageIv));
    ck = step.chainKey;
    s.nr = s.nr + 1;
  }
  s.rcv = new RecvChain(ck, rcv.headerKey);
  // Bound the store: the oldest skipped keys go first.
  if (s.skipped.length > MAX_SKIP) {
    s.skipped = s.skipped.slice(s.skipped.length - MAX_SKIP);
  }
  return "";
}

/** The KEM half of a DH ratchet step: [secret for the receiving chain, for the sending chain]. */
function kemStep(ctx: RatchetContext, s: RatchetState, h: MsgHeader): Bytes[] | string {
  const kem = ctx.suite.kemAlg;
  if (kem === undefined || h.kemKey === undefined) {
    if (kem !== undefined && s.kem === undefined) {
      s.kem = new RatchetKem(kem.keygen(ctx.random(kem.keygenSeedLength)), undefined);
    }
    return [];
  }
  const out: Bytes[] = [];
  if (h.kemCiphertext !== undefined) {
    if (s.kem === undefined) {
      return ERR_KEM_STATE;
    }
    out.push(kem.decapsulate(s.kem.pair.secretKey, h.kemCiphertext));
  } else {
    out.push(alloc(0));
  }
  const enc = kem.encapsulate(h.kemKey, ctx.random(kem.encapsulationRandomLength));
  s.kem = new RatchetKem(kem.keygen(ctx.random(kem.keygenSeedLength)), new KemAccepted(h.kemKey, enc.sharedSecret, enc.ciphertext));
  out.push(enc.sharedSecret);
  return out;
}

function dhRatchetStep(ctx: RatchetContext, s: RatchetState, h: MsgHeader): string {
  const secrets = kemStep(ctx, s, h);
  if (typeof secrets === "string") {
    return secrets;
  }
  const recvSecret = secrets.length === 2 && secrets[0].length > 0 ? secrets[0] : undefined;
  const sendSecret = secrets.length === 2 ? secrets[1] : undefined;
  const dh = ctx.suite.dhAlg;
  const r1 = rootKdf(ctx.p, s.rootKey, dh.dh(s.dhSecret, h.dhKey), recvSecret);
  const newSecret = ctx.random(dh.secretKeyLength);
  const r2 = rootKdf(ctx.p, r1.rootKey, dh.dh(newSecret, h.dhKey), sendSecret);
  s.pn = s.ns;
  s.ns = 0;
  s.nr = 0;
  s.snd = new SendChain(h.dhKey, r2.chainKey, s.nextSendHeaderKey);
  s.rcv = new RecvChain(r1.chainKey, s.nextRecvHeaderKey);
  s.nextSendHeaderKey = r2.nextHeaderKey;
  s.nextRecvHeaderKey = r1.nextHeaderKey;
  s.rootKey = r2.rootKey;
  s.dhSecret = newSecret;
  s.dhPublic = dh.publicKey(newSecret);
  return "";
}

function decryptWith(ctx: RatchetContext, state: RatchetState, advance: boolean, h: MsgHeader, m: EncRatchetMessage): DecryptResult {
  const s = state.clone();
  if (advance) {
    const e1 = skipMessageKeys(ctx, s, h.pn);
    if (e1 !== "") {
      return failed(state, e1, "previous chain");
    }
    const e2 = dhRatchetStep(ctx, s, h);
    if (e2 !== "") {
      return failed(state, e2, "");
    }
  }
  const e3 = skipMessageKeys(ctx, s, h.ns);
  if (e3 !== "") {
    return failed(state, e3, "message " + h.ns + ", expected " + s.nr);
  }
  const rcv = s.rcv;
  if (rcv === undefined) {
    return failed(state, ERR_STATE, "no receiving chain");
  }
  const step = chainKdf(ctx.p, rcv.chainKey);
  const body = open(ctx.p, step.messageKey, step.messageIv, concat(s.assocData, m.header), m.body, m.tag);
  if (body === undefined) {
    return failed(state, ERR_MESSAGE, "body authentication failed");
  }
  s.rcv = new RecvChain(step.chainKey, rcv.headerKey);
  s.nr = s.nr + 1;
  return new DecryptResult(body, "", "", s);
}

/** Decrypts one message (RatchetDecryptPQ2HE with TrySkippedMessageKeysHE first). */
export function ratchetDecrypt(ctx: RatchetContext, state: RatchetState, message: Bytes): DecryptResult {
  const m = decodeRatchetMessage(message);
  if (typeof m === "string") {
    return failed(state, ERR_PARSE, m);
  }
  const eh = decodeEncHeader(m.header);
  if (typeof eh === "string") {
    return failed(state, ERR_PARSE, eh);
  }
  // Skipped keys first, one header trial per distinct header key.
  const tried: Bytes[] = [];
  for (let i = 0; i < state.skipped.length; i++) {
    const hk = state.skipped[i].headerKey;
    let seen = false;
    for (const t of tried) {
      if (t === hk || ctEqual(t, hk)) {
        seen = true;
      }
    }
    if (seen) {
      continue;
    }
    tried.push(hk);
    const h = decryptHeader(ctx, hk, state.assocData, eh);
    if (h === undefined) {
      continue;
    }
    if (typeof h === "string") {
      return failed(state, ERR_PARSE, h);
    }
    for (let j = 0; j < state.skipped.length; j++) {
      const k = state.skipped[j];
      if (k.n === h.ns && ctEqual(k.headerKey, hk)) {
        const body = open(ctx.p, k.messageKey, k.iv, concat(state.assocData, m.header), m.body, m.tag);
        if (body === undefined) {
          return failed(state, ERR_MESSAGE, "body authentication failed (skipped key)");
        }
        const s = state.clone();
        s.skipped = state.skipped.slice(0, j).concat(state.skipped.slice(j + 1));
        return new DecryptResult(body, "", "", s);
      }
    }
    if (state.rcv !== undefined && ctEqual(hk, state.rcv.headerKey)) {
      return decryptWith(ctx, state, false, h, m);
    }
    if (ctEqual(hk, state.nextRecvHeaderKey)) {
      return decryptWith(ctx, state, true, h, m);
    }
    return failed(state, ERR_HEADER, "header of an old chain with no key for message " + h.ns);
  }
  if (state.rcv !== undefined) {
    const h = decryptHeader(ctx, state.rcv.headerKey, state.assocData, eh);
    if (typeof h === "string") {
      return failed(state, ERR_PARSE, h);
    }
    if (h !== undefined) {
      return decryptWith(ctx, state, false, h, m);
    }
  }
  const h2 = decryptHeader(ctx, state.nextRecvHeaderKey, state.assocData, eh);
  if (h2 === undefined) {
    return failed(state, ERR_HEADER, "no header key decrypts the header");
  }
  if (typeof h2 === "string") {
    return failed(state, ERR_PARSE, h2);
  }
  return decryptWith(ctx, state, true, h2, m);
}
