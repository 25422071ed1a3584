/**
 * Relay addresses (docs/grp.md §9):
 *   grp://<static key, base64url>[:<KEM key id, base64url>]@<host>:<port>
 * The static key is the relay's Noise X25519 public key (32 bytes); the optional KEM key
 * id (SHA-256 of the ML-KEM-768 encapsulation key, 32 bytes) pins the KEM key the client
 * may use on first contact. host is a DNS name, IPv4 address or [IPv6] address.
 */
import { Bytes } from "../../port/bytes";
import { fromBase64, toBase64Url } from "../../port/base64";
import { errorMessage } from "../../port/error";
import { KEM_KEY_ID_SIZE } from "./constants";
import { DH_LEN } from "./noise/handshake-state";
import { lastIndexOfChar } from "../../port/strings";

export const GRP_SCHEME = "grp://";

export interface GrpAddress {
  relayStaticKey: Bytes;
  kemKeyId: Bytes | undefined;
  host: string;
  port: number;
}

function isBase64UrlChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95;
}

function decodeKey(text: string, size: number, what: string): Bytes {
  for (let i = 0; i < text.length; i++) {
    if (!isBase64UrlChar(text.charCodeAt(i))) {
      throw new Error("grp uri: " + what + " is not base64url");
    }
  }
  let b: Bytes | undefined = undefined;
  let why = "";
  try {
    b = fromBase64(text);
  } catch (e) {
    why = errorMessage(e);
  }
  if (b === undefined) {
    throw new Error("grp uri: " + what + ": " + why);
  }
  if (b.length !== size) {
    throw new Error("grp uri: " + what + " must be " + size + " bytes, got " + b.length);
  }
  return b;
}

function parsePort(text: string): number {
  if (text.length === 0 || text.length > 5) {
    throw new Error("grp uri: bad port '" + text + "'");
  }
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      throw new Error("grp uri: bad port '" + text + "'");
    }
    n = n * 10 + d;
  }
  if (n < 1 || n > 65535) {
    throw new Error("grp uri: port out of range: " + n);
  }
  return n;
}

function checkHost(host: string): void {
  if (host.length === 0) {
    throw new Error("grp uri: empty host");
  }
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    const ok = isBase64UrlChar(c) || c === 46 || c === 58 || c === 91 || c === 93;
    if (!ok || c === 95) {
      throw new Error("grp uri: bad character in host '" + host + "'");
    }
  }
}

export function parseGrpUri(uri: string): GrpAddress {
  if (uri.substring(0, GRP_SCHEME.length) !== GRP_SCHEME) {
    throw new Error("grp uri: must start with grp://");
  }
  const rest = uri.substring(GRP_SCHEME.length);
  const at = rest.indexOf("@");
  if (at < 0) {
    throw new Error("grp uri: missing '@' after the relay key");
  }
  const keys = rest.substring(0, at);
  const hostPort = rest.substring(at + 1);
  const colon = keys.indexOf(":");
  const staticText = colon < 0 ? keys : keys.substring(0, colon);
  const kemText = colon < 0 ? "" : keys.substring(colon + 1);
  if (colon >= 0 && kemText.length === 0) {
    throw new Error("grp uri: empty KEM key id after ':'");
  }
  const portColon = lastIndexOfChar(hostPort, ":");
  if (portColon < 0) {
    throw new Error("grp uri: missing ':port'");
  }
  const host = hostPort.substring(0, portColon);
  checkHost(host);
  if (host.charCodeAt(0) === 91) {
    if (host.charCodeAt(host.length - 1) !== 93) {
      throw new Error("grp uri: unterminated [IPv6] host");
    }
  } else if (host.indexOf(":") >= 0 || host.indexOf("[") >= 0 || host.indexOf("]") >= 0) {
    throw new Error("grp uri: an IPv6 host must be in brackets");
  }
  return {
    relayStaticKey: decodeKey(staticText, DH_LEN, "relay static key"),
    kemKeyId: colon < 0 ? undefined : decodeKey(kemText, KEM_KEY_ID_SIZE, "KEM key id"),
    host: host.charCodeAt(0) === 91 ? host.substring(1, host.length - 1) : host,
    port: parsePort(hostPort.substring(portColon + 1)),
  };
}

export function formatGrpUri(a: GrpAddress): string {
  const kem = a.kemKeyId === undefined ? "" : ":" + toBase64Url(a.kemKeyId);
  const host = a.host.indexOf(":") >= 0 ? "[" + a.host + "]" : a.host;
  return GRP_SCHEME + toBase64Url(a.relayStaticKey) + kem + "@" + host + ":" + a.port;
}
