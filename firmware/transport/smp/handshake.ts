/**
 * SMP handshake messages (Transport.hs SMPServerHandshake / SMPClientHandshake), each in
 * its own padded 16,384-byte block; the server speaks first.
 *   server hello = Word16 min ‖ Word16 max ‖ shortString sessionId
 *                  [‖ NonEmpty(Large cert DER) ‖ Large(signed X25519 SPKI)]   when max ≥ 7
 *   client hello = Word16 version ‖ shortString keyHash [‖ shortString X25519 SPKI]  when v ≥ 7
 * The client key has no Maybe tag: it is present or the block ends. Trailing bytes are
 * ignored on both (getHandshake allows future extensions).
 */
import { Bytes } from "../../port/bytes";
import { Parsed, SmpReader, SmpWriter, parsedError, parsedOk } from "../../port/encoding";
import { PublicKey, decodeSpki, encodeSpki } from "./keys";
import { SMP_VERSION_AUTH_CMDS, VersionRange } from "./version";

export interface ServerHello {
  versions: VersionRange;
  sessionId: Bytes;
  /** v7+: the TLS certificate chain again, DER, leaf first */
  certChain: Bytes[] | undefined;
  /** v7+: DER of the X.509 signed object holding the server's X25519 session key */
  signedKey: Bytes | undefined;
}

export interface ClientHello {
  version: number;
  keyHash: Bytes;
  /** v7+: the client's X25519 key (not used by v7..9 servers beyond block encryption in v11) */
  clientKey: PublicKey | undefined;
}

export function encodeServerHello(h: ServerHello): Bytes {
  const w = new SmpWriter().word16(h.versions.min).word16(h.versions.max).short(h.sessionId);
  if (h.versions.max >= SMP_VERSION_AUTH_CMDS && h.certChain !== undefined && h.signedKey !== undefined) {
    w.byte(h.certChain.length);
    for (const c of h.certChain) {
      w.large(c);
    }
    w.large(h.signedKey);
  }
  return w.finish();
}

export function parseServerHello(b: Bytes): Parsed<ServerHello> {
  const r = new SmpReader(b);
  const min = r.word16();
  const max = r.word16();
  const sessionId = r.short();
  if (r.failed !== undefined) {
    return parsedError("bad server hello: " + r.failed);
  }
  if (min > max) {
    return parsedError("bad server hello: version range " + min + "-" + max);
  }
  let chain: Bytes[] | undefined = undefined;
  let signedKey: Bytes | undefined = undefined;
  if (max >= SMP_VERSION_AUTH_CMDS && !r.atEnd()) {
    const n = r.byte();
    const certs: Bytes[] = [];
    for (let i = 0; i < n; i++) {
      certs.push(r.large());
    }
    const k = r.large();
    // `optional` in Transport.hs: an unparsable key part counts as absent
    if (r.failed === undefined && n > 0) {
      chain = certs;
      signedKey = k;
    }
  }
  return parsedOk({ versions: { min: min, max: max }, sessionId: sessionId, certChain: chain, signedKey: signedKey });
}

export function encodeClientHello(h: ClientHello): Bytes {
  const w = new SmpWriter().word16(h.version).short(h.keyHash);
  if (h.version >= SMP_VERSION_AUTH_CMDS && h.clientKey !== undefined) {
    w.short(encodeSpki(h.clientKey));
  }
  return w.finish();
}

export function parseClientHello(b: Bytes): Parsed<ClientHello> {
  const r = new SmpReader(b);
  const version = r.word16();
  const keyHash = r.short();
  if (r.failed !== undefined) {
    return parsedError("bad client hello: " + r.failed);
  }
  let clientKey: PublicKey | undefined = undefined;
  if (version >= SMP_VERSION_AUTH_CMDS && !r.atEnd()) {
    const start = r.pos;
    const k = decodeSpki(r.short());
    if (r.failed === undefined && k.ok && k.value.alg === "x25519") {
      clientKey = k.value;
    } else {
      r.pos = start;
    }
  }
  return parsedOk({ version: version, keyHash: keyHash, clientKey: clientKey });
}
