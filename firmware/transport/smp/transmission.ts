/**
 * Transmissions (Protocol.hs transmissionP / encodeTransmissionForAuth), v7+ layout:
 *   auth(shortString) ‖ corrId(shortString) ‖ entityId(shortString) ‖ command
 * The session id is not sent from v7 but is part of what is signed:
 *   signed = shortString(sessionId) ‖ corrId ‖ entityId ‖ command
 * auth is empty, a 64-byte Ed25519 or 114-byte Ed448 signature, or an 80-byte X25519
 * authenticator (crypto_box of the SHA-512 of the signed bytes, nonce = corrId).
 */
import { Bytes, alloc, concat } from "../../port/bytes";
import { Parsed, SmpReader, SmpWriter, parsedError, parsedOk } from "../../port/encoding";

export const ED25519_SIGNATURE_SIZE = 64;
export const ED448_SIGNATURE_SIZE = 114;
/** SHA-512 digest (64) + Poly1305 tag (16): Crypto.hs cbAuthenticatorSize */
export const CB_AUTHENTICATOR_SIZE = 80;
/** length of the random correlation ids our clients use */
export const CORR_ID_SIZE = 24;

export type AuthKind = "none" | "ed25519" | "ed448" | "x25519";

export interface RawTransmission {
  auth: Bytes;
  corrId: Bytes;
  entityId: Bytes;
  command: Bytes;
  /** corrId ‖ entityId ‖ command exactly as received: the signed part without the session id */
  authorized: Bytes;
}

/** What an auth field holds, or undefined for a length no key type produces (→ ERR BLOCK). */
export function authKind(auth: Bytes): AuthKind | undefined {
  switch (auth.length) {
    case 0:
      return "none";
    case ED25519_SIGNATURE_SIZE:
      return "ed25519";
    case ED448_SIGNATURE_SIZE:
      return "ed448";
    case CB_AUTHENTICATOR_SIZE:
      return "x25519";
    default:
      return undefined;
  }
}

/** corrId ‖ entityId ‖ command, the part after the auth field. */
export function encodeAuthorized(corrId: Bytes, entityId: Bytes, command: Bytes): Bytes {
  return new SmpWriter().short(corrId).short(entityId).bytes(command).finish();
}

/** encodeAuthorized, uncopied. */
export function authorizedWriter(corrId: Bytes, entityId: Bytes, command: SmpWriter): SmpWriter {
  return new SmpWriter().short(corrId).short(entityId).writer(command);
}

/** encodeTransmission, uncopied. */
export function transmissionWriter(auth: Bytes, authorized: SmpWriter): SmpWriter {
  return new SmpWriter().short(auth).writer(authorized);
}

/** The bytes a signature or authenticator covers. */
export function signedBytes(sessionId: Bytes, authorized: Bytes): Bytes {
  return new SmpWriter().short(sessionId).bytes(authorized).finish();
}

/** signedBytes of an uncopied authorized part (one copy: signing needs the bytes in one piece). */
export function signedBytesOf(sessionId: Bytes, authorized: SmpWriter): Bytes {
  return new SmpWriter().short(sessionId).writer(authorized).finish();
}

export function encodeTransmission(auth: Bytes, authorized: Bytes): Bytes {
  return new SmpWriter().short(auth).bytes(authorized).finish();
}

export function unauthenticated(corrId: Bytes, entityId: Bytes, command: Bytes): Bytes {
  return concat(alloc(1), encodeAuthorized(corrId, entityId, command));
}

export function parseTransmission(t: Bytes): Parsed<RawTransmission> {
  const r = new SmpReader(t);
  const auth = r.short();
  const start = r.pos;
  const corrId = r.short();
  const entityId = r.short();
  if (r.failed !== undefined) {
    return parsedError("truncated transmission: " + r.failed);
  }
  const command = r.tail();
  const authorized = new SmpReader(t);
  authorized.pos = start;
  return parsedOk({ auth: auth, corrId: corrId, entityId: entityId, command: command, authorized: authorized.tail() });
}
