/**
 * X3DH-style key agreement with an optional KEM (simplexmq pqX3dhSnd / pqX3dhRcv). The
 * initiator (the party that creates the invitation, "Bob") publishes two DH public keys
 * and, with a KEM, an encapsulation key ("proposed"). The joiner ("Alice") replies with
 * its two DH public keys, the KEM ciphertext for Bob's key and its own encapsulation key
 * ("accepted"). Both derive (hk, nhk, sk) = HKDF-SHA512(salt 0^64, dh1‖dh2‖dh3[‖kem_ss],
 * "SimpleXX3DH") and the associated data AD = joiner's key 1 ‖ initiator's key 1.
 */
import { Bytes, alloc, concatAll } from "../port/bytes";
import { CryptoProvider, KemKeyPair, RandomSource } from "../crypto/provider";
import { RatchetSuite } from "./suite";
import { X3DH_INFO, X3DH_SALT_LENGTH, hkdf3 } from "./kdf";

/** The public half of one side's key agreement parameters (what goes on the wire). */
export class E2EParams {
  dhKey1: Bytes;
  dhKey2: Bytes;
  /** KEM encapsulation key, when the suite has a KEM. */
  kemKey: Bytes | undefined;
  /** KEM ciphertext: only in the joiner's reply ("accepted"). */
  kemCiphertext: Bytes | undefined;
  constructor(dhKey1: Bytes, dhKey2: Bytes, kemKey: Bytes | undefined, kemCiphertext: Bytes | undefined) {
    this.dhKey1 = dhKey1;
    this.dhKey2 = dhKey2;
    this.kemKey = kemKey;
    this.kemCiphertext = kemCiphertext;
  }
}

/** A KEM agreement both sides hold after the exchange: peer key, shared secret, sent ciphertext. */
export class KemAccepted {
  peerKey: Bytes;
  sharedSecret: Bytes;
  ciphertext: Bytes;
  constructor(peerKey: Bytes, sharedSecret: Bytes, ciphertext: Bytes) {
    this.peerKey = peerKey;
    this.sharedSecret = sharedSecret;
    this.ciphertext = ciphertext;
  }
}

/** One side's private key agreement material. */
export class E2EPrivate {
  dhSecret1: Bytes;
  dhSecret2: Bytes;
  kemPair: KemKeyPair | undefined;
  /** Joiner only: the encapsulation it performed for the initiator's key. */
  kemAccepted: KemAccepted | undefined;
  constructor(dhSecret1: Bytes, dhSecret2: Bytes, kemPair: KemKeyPair | undefined, kemAccepted: KemAccepted | undefined) {
    this.dhSecret1 = dhSecret1;
    this.dhSecret2 = dhSecret2;
    this.kemPair = kemPair;
    this.kemAccepted = kemAccepted;
  }
}

export class RatchetInitParams {
  assocData: Bytes;
  rootKey: Bytes;
  sendHeaderKey: Bytes;
  nextRecvHeaderKey: Bytes;
  kemAccepted: KemAccepted | undefined;
  constructor(assocData: Bytes, rootKey: Bytes, sendHeaderKey: Bytes, nextRecvHeaderKey: Bytes, kemAccepted: KemAccepted | undefined) {
    this.assocData = assocData;
    this.rootKey = rootKey;
    this.sendHeaderKey = sendHeaderKey;
    this.nextRecvHeaderKey = nextRecvHeaderKey;
    this.kemAccepted = kemAccepted;
  }
}

export class KeyAgreementError {
  message: string;
  constructor(message: string) {
    this.message = message;
  }
}

function checkKey(b: Bytes | undefined, n: number, what: string): string {
  if (b === undefined) {
    return what + " missing";
  }
  return b.length === n ? "" : what + " must be " + n + " bytes, got " + b.length;
}

/** Checks the public params a peer sent, for this suite and role ("invitation" or "reply"). */
export function checkParams(suite: RatchetSuite, params: E2EParams, role: string): string {
  const n = suite.dhAlg.publicKeyLength;
  let why = checkKey(params.dhKey1, n, role + " DH key 1");
  if (why === "") {
    why = checkKey(params.dhKey2, n, role + " DH key 2");
  }
  const kem = suite.kemAlg;
  if (why === "" && kem !== undefined) {
    why = checkKey(params.kemKey, kem.encapsulationKeyLength, role + " KEM key");
    if (why === "" && role === "reply") {
      why = checkKey(params.kemCiphertext, kem.ciphertextLength, role + " KEM ciphertext");
    }
  }
  if (why === "" && kem === undefined && (params.kemKey !== undefined || params.kemCiphertext !== undefined)) {
    why = role + " has KEM parameters but suite " + suite.name + " has no KEM";
  }
  return why;
}

function x3dh(
  p: CryptoProvider,
  joinerKey1: Bytes,
  initiatorKey1: Bytes,
  dh1: Bytes,
  dh2: Bytes,
  dh3: Bytes,
  kemAccepted: KemAccepted | undefined,
): RatchetInitParams {
  const parts = [dh1, dh2, dh3];
  if (kemAccepted !== undefined) {
    parts.push(kemAccepted.sharedSecret);
  }
  const k = hkdf3(p, alloc(X3DH_SALT_LENGTH), concatAll(parts), X3DH_INFO);
  return new RatchetInitParams(concatAll([joinerKey1, initiatorKey1]), k.k3, k.k1, k.k2, kemAccepted);
}

/** The initiator's keys and the public params to put in the invitation. */
export function generateInitiatorKeys(suite: RatchetSuite, random: RandomSource): E2EPrivate {
  const dh = suite.dhAlg;
  const kemPair = suite.kemAlg === undefined ? undefined : suite.kemAlg.keygen(random(suite.kemAlg.keygenSeedLength));
  return new E2EPrivate(random(dh.secretKeyLength), random(dh.secretKeyLength), kemPair, undefined);
}

/** The joiner's keys, accepting the KEM proposed in the invitation. */
export function generateJoinerKeys(suite: RatchetSuite, random: RandomSource, invitation: E2EParams): E2EPrivate {
  const dh = suite.dhAlg;
  const kem = suite.kemAlg;
  let kemPair: KemKeyPair | undefined = undefined;
  let accepted: KemAccepted | undefined = undefined;
  if (kem !== undefined && invitation.kemKey !== undefined) {
    const enc = kem.encapsulate(invitation.kemKey, random(kem.encapsulationRandomLength));
    kemPair = kem.keygen(random(kem.keygenSeedLength));
    accepted = new KemAccepted(invitation.kemKey, enc.sharedSecret, enc.ciphertext);
  }
  return new E2EPrivate(random(dh.secretKeyLength), random(dh.secretKeyLength), kemPair, accepted);
}

export function publicParams(suite: RatchetSuite, priv: E2EPrivate): E2EParams {
  const dh = suite.dhAlg;
  return new E2EParams(
    dh.publicKey(priv.dhSecret1),
    dh.publicKey(priv.dhSecret2),
    priv.kemPair === undefined ? undefined : priv.kemPair.publicKey,
    priv.kemAccepted === undefined ? undefined : priv.kemAccepted.ciphertext,
  );
}

/** Joiner side (pqX3dhSnd): our private keys, the initiator's invitation params. */
export function joinerAgreement(p: CryptoProvider, suite: RatchetSuite, ours: E2EPrivate, theirs: E2EParams): RatchetInitParams | KeyAgreementError {
  const why = checkParams(suite, theirs, "invitation");
  if (why !== "") {
    return new KeyAgreementError(why);
  }
  const dh = suite.dhAlg;
  return x3dh(
    p,
    dh.publicKey(ours.dhSecret1),
    theirs.dhKey1,
    dh.dh(ours.dhSecret2, theirs.dhKey1),
    dh.dh(ours.dhSecret1, theirs.dhKey2),
    dh.dh(ours.dhSecret2, theirs.dhKey2),
    ours.kemAccepted,
  );
}

/** Initiator side (pqX3dhRcv): our private keys, the joiner's reply params. */
export function initiatorAgreement(p: CryptoProvider, suite: RatchetSuite, ours: E2EPrivate, theirs: E2EParams): RatchetInitParams | KeyAgreementError {
  const why = checkParams(suite, theirs, "reply");
  if (why !== "") {
    return new KeyAgreementError(why);
  }
  const dh = suite.dhAlg;
  let accepted: KemAccepted | undefined = undefined;
  const kem = suite.kemAlg;
  if (kem !== undefined && ours.kemPair !== undefined && theirs.kemCiphertext !== undefined && theirs.kemKey !== undefined) {
    const ss = kem.decapsulate(ours.kemPair.secretKey, theirs.kemCiphertext);
    accepted = new KemAccepted(theirs.kemKey, ss, theirs.kemCiphertext);
  }
  return x3dh(
    p,
    theirs.dhKey1,
    dh.publicKey(ours.dhSecret1),
    dh.dh(ours.dhSecret1, theirs.dhKey2),
    dh.dh(ours.dhSecret2, theirs.dhKey1),
    dh.dh(ours.dhSecret2, theirs.dhKey2),
    accepted,
  );
}
