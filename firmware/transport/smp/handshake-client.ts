/**
 * The client side of the SMP handshake (Transport.hs smpClientHandshake), sans-I/O: the
 * driver passes the server hello block and what TLS told it (tls-unique = our Finished
 * message, the peer's certificate chain); out come the client hello block and the
 * session parameters, or a typed error:
 *   SESSION   the hello's session id is not our tls-unique
 *   VERSION   no common version
 *   IDENTITY  the identity certificate does not hash to the address's keyHash, or the chain is invalid
 *   BAD_AUTH  the X25519 session key is not signed by the TLS leaf certificate
 *   PARSE     malformed hello
 */
import { Bytes, equalBytes } from "../../port/bytes";
import { CryptoProvider } from "../../crypto/provider";
import { encodeHandshakeBlock, parseHandshakeBlock } from "./block";
import { encodeClientHello, parseServerHello } from "./handshake";
import { PublicKey, decodeSpki } from "./keys";
import { SMP_VERSION_AUTH_CMDS, VersionRange, compatibleRange } from "./version";
import { SignatureVerifier, checkChain, parseSignedObject, verifySignedBy } from "./x509";

export type HandshakeErrorCode = "SESSION" | "VERSION" | "IDENTITY" | "BAD_AUTH" | "PARSE";

export interface ClientHandshakeInput {
  provider: CryptoProvider;
  verify: SignatureVerifier;
  /** from the server address */
  keyHash: Bytes;
  versions: VersionRange;
  /** tls-unique: the client's own Finished message */
  tlsUnique: Bytes;
  /** the certificate chain TLS received, DER, leaf first */
  peerCertChain: Bytes[];
  nowSeconds: number;
  /** optional X25519 key sent in the client hello */
  clientDhKey: PublicKey | undefined;
}

export interface ClientHandshakeResult {
  clientHelloBlock: Bytes;
  version: number;
  sessionId: Bytes;
  serverDhKey: Bytes | undefined;
}

export type ClientHandshakeOutcome = { ok: true; value: ClientHandshakeResult } | { ok: false; code: HandshakeErrorCode; error: string };

function fail(code: HandshakeErrorCode, error: string): ClientHandshakeOutcome {
  return { ok: false, code: code, error: error };
}

export function clientHandshake(serverHelloBlock: Bytes, i: ClientHandshakeInput): ClientHandshakeOutcome {
  const content = parseHandshakeBlock(serverHelloBlock);
  if (!content.ok) {
    return fail("PARSE", content.error);
  }
  const hello = parseServerHello(content.value);
  if (!hello.ok) {
    return fail("PARSE", hello.error);
  }
  const h = hello.value;
  if (!equalBytes(h.sessionId, i.tlsUnique)) {
    return fail("SESSION", "server hello session id is not this connection's tls-unique");
  }
  const common = compatibleRange(h.versions, i.versions);
  if (common === undefined) {
    return fail("VERSION", "server offers " + h.versions.min + "-" + h.versions.max + ", client supports " + i.versions.min + "-" + i.versions.max);
  }
  const v = common.max;
  // TLS-level check (Transport/Client.hs validateCertificateChain): chain of 2..4, valid, id cert = keyHash
  const tlsChain = checkChain(i.verify, i.peerCertChain, i.nowSeconds);
  if (!tlsChain.ok) {
    return fail("IDENTITY", tlsChain.error);
  }
  if (!equalBytes(i.provider.sha256(tlsChain.value.id.raw), i.keyHash)) {
    return fail("IDENTITY", "identity certificate does not match the server address keyHash");
  }
  let serverDhKey: Bytes | undefined = undefined;
  if (v >= SMP_VERSION_AUTH_CMDS) {
    if (h.certChain === undefined || h.signedKey === undefined) {
      return fail("BAD_AUTH", "no signed session key in server hello");
    }
    if (h.certChain.length < 2 || h.certChain.length > 4 || !equalBytes(i.provider.sha256(h.certChain[1]), i.keyHash)) {
      return fail("BAD_AUTH", "server hello certificate chain does not match the keyHash");
    }
    const so = parseSignedObject(h.signedKey);
    if (!so.ok) {
      return fail("BAD_AUTH", so.error);
    }
    if (!verifySignedBy(i.verify, so.value, tlsChain.value.leaf.publicKey)) {
      return fail("BAD_AUTH", "session key is not signed by the TLS certificate");
    }
    const k = decodeSpki(so.value.tbs);
    if (!k.ok || k.value.alg !== "x25519") {
      return fail("BAD_AUTH", "signed session key is not X25519");
    }
    serverDhKey = k.value.key;
  }
  const clientHello = encodeClientHello({ version: v, keyHash: i.keyHash, clientKey: i.clientDhKey });
  return { ok: true, value: { clientHelloBlock: encodeHandshakeBlock(clientHello), version: v, sessionId: h.sessionId, serverDhKey: serverDhKey } };
}
