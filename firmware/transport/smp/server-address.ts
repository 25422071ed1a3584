/**
 * Server addresses and queue URIs (Protocol.hs ProtocolServer, Agent/Protocol.hs
 * SMPQueueUri):
 *   smp://<keyHash base64url>@host[,host2…][:port]
 *   smp://<keyHash>@host[:port]/<senderId base64url>#/?v=<min-max>&dh=<X25519 SPKI base64url>[&q=m]
 * base64url keeps its '=' padding, which the query escapes as %3D (renderSimpleQuery).
 */
import { Bytes } from "../../port/bytes";
import { fromBase64, toBase64Url } from "../../port/base64";
import { Parsed, parsedError, parsedOk } from "../../port/encoding";
import { PublicKey, decodeSpki, encodeSpki } from "./keys";
import { SMP_DEFAULT_PORT, VersionRange } from "./version";

export const SMP_SCHEME = "smp";

export interface ServerAddress {
  scheme: string;
  keyHash: Bytes;
  hosts: string[];
  /** undefined = the scheme's default port */
  port: number | undefined;
}

export interface QueueUri {
  server: ServerAddress;
  senderId: Bytes;
  /** SMP client versions */
  clientVersions: VersionRange;
  dhPublicKey: PublicKey;
  /** q=m: the sender secures the queue (SKEY); q=c: a contact address */
  queueMode: "m" | "c" | undefined;
}

function b64urlPadded(b: Bytes): string {
  let s = toBase64Url(b);
  while (s.length % 4 !== 0) {
    s += "=";
  }
  return s;
}

function decodeB64url(s: string): Bytes | undefined {
  let t = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    t += c === "-" ? "+" : c === "_" ? "/" : c;
  }
  while (t.length % 4 !== 0) {
    t += "=";
  }
  try {
    return fromBase64(t);
  } catch (e) {
    void e;
    return undefined;
  }
}

export function serverPort(a: ServerAddress): number {
  return a.port === undefined ? SMP_DEFAULT_PORT : a.port;
}

export function encodeServerAddress(a: ServerAddress): string {
  return a.scheme + "://" + b64urlPadded(a.keyHash) + "@" + a.hosts.join(",") + (a.port === undefined ? "" : ":" + a.port);
}

function parseAddressPart(scheme: string, rest: string): Parsed<ServerAddress> {
  const at = rest.indexOf("@");
  if (at < 1) {
    return parsedError("missing keyHash@ in server address");
  }
  const kh = decodeB64url(rest.substring(0, at));
  if (kh === undefined || kh.length !== 32) {
    return parsedError("keyHash must be 32 bytes of base64url");
  }
  let hostPort = rest.substring(at + 1);
  let port: number | undefined = undefined;
  let colon = -1; // last ':' (TSTL has no lastIndexOf)
  for (let i = 0; i < hostPort.length; i++) {
    if (hostPort.charAt(i) === ":") {
      colon = i;
    }
  }
  if (colon >= 0 && hostPort.indexOf("]") < colon) {
    const p = hostPort.substring(colon + 1);
    let n = 0;
    for (let i = 0; i < p.length; i++) {
      const d = p.charCodeAt(i) - 48;
      if (d < 0 || d > 9) {
        return parsedError("bad port '" + p + "'");
      }
      n = n * 10 + d;
    }
    if (p.length === 0 || n < 1 || n > 65535) {
      return parsedError("bad port '" + p + "'");
    }
    port = n;
    hostPort = hostPort.substring(0, colon);
  }
  const hosts = hostPort.split(",");
  for (const h of hosts) {
    if (h.length === 0) {
      return parsedError("empty host in server address");
    }
  }
  return parsedOk({ scheme: scheme, keyHash: kh, hosts: hosts, port: port });
}

export function parseServerAddress(s: string): Parsed<ServerAddress> {
  const i = s.indexOf("://");
  if (i < 1) {
    return parsedError("not a server address: " + s);
  }
  const rest = s.substring(i + 3);
  const slash = rest.indexOf("/");
  return parseAddressPart(s.substring(0, i), slash >= 0 ? rest.substring(0, slash) : rest);
}

function encodeRange(r: VersionRange): string {
  return r.min === r.max ? "" + r.min : r.min + "-" + r.max;
}

export function encodeQueueUri(q: QueueUri): string {
  let query = "v=" + encodeRange(q.clientVersions) + "&dh=" + b64urlPadded(encodeSpki(q.dhPublicKey)).split("=").join("%3D");
  if (q.queueMode !== undefined) {
    query += "&q=" + q.queueMode;
  }
  return encodeServerAddress(q.server) + "/" + b64urlPadded(q.senderId) + "#/?" + query;
}

function parseRange(s: string): VersionRange | undefined {
  const parts = s.split("-");
  if (parts.length < 1 || parts.length > 2) {
    return undefined;
  }
  const nums: number[] = [];
  for (const p of parts) {
    if (p.length === 0) {
      return undefined;
    }
    let n = 0;
    for (let i = 0; i < p.length; i++) {
      const d = p.charCodeAt(i) - 48;
      if (d < 0 || d > 9) {
        return undefined;
      }
      n = n * 10 + d;
    }
    nums.push(n);
  }
  const max = nums.length === 2 ? nums[1] : nums[0];
  return nums[0] <= max ? { min: nums[0], max: max } : undefined;
}

export function parseQueueUri(s: string): Parsed<QueueUri> {
  const i = s.indexOf("://");
  if (i < 1) {
    return parsedError("not a queue URI");
  }
  const rest = s.substring(i + 3);
  const slash = rest.indexOf("/");
  const hash = rest.indexOf("#");
  if (slash < 0 || hash < slash) {
    return parsedError("queue URI needs /<senderId>#/?…");
  }
  const addr = parseAddressPart(s.substring(0, i), rest.substring(0, slash));
  if (!addr.ok) {
    return parsedError(addr.error);
  }
  let sid = rest.substring(slash + 1, hash);
  if (sid.length > 0 && sid.charAt(sid.length - 1) === "/") {
    sid = sid.substring(0, sid.length - 1);
  }
  const senderId = decodeB64url(sid);
  if (senderId === undefined || senderId.length === 0) {
    return parsedError("bad sender id");
  }
  let frag = rest.substring(hash + 1);
  if (frag.charAt(0) === "/") {
    frag = frag.substring(1);
  }
  if (frag.charAt(0) !== "?") {
    return parsedError("queue URI fragment must be /?v=…&dh=…");
  }
  let range: VersionRange | undefined = undefined;
  let dh: PublicKey | undefined = undefined;
  let mode: "m" | "c" | undefined = undefined;
  let senderSecures = false;
  for (const kv of frag.substring(1).split("&")) {
    const eq = kv.indexOf("=");
    const k = eq < 0 ? kv : kv.substring(0, eq);
    const v = eq < 0 ? "" : kv.substring(eq + 1).split("%3D").join("=").split("%3d").join("=");
    if (k === "v") {
      range = parseRange(v);
    } else if (k === "dh") {
      const der = decodeB64url(v);
      const key = der === undefined ? undefined : decodeSpki(der);
      dh = key !== undefined && key.ok && key.value.alg === "x25519" ? key.value : undefined;
    } else if (k === "q") {
      mode = v === "m" ? "m" : v === "c" ? "c" : undefined;
    } else if (k === "k" && v === "s") {
      senderSecures = true;
    }
  }
  if (range === undefined) {
    return parsedError("queue URI without a valid v= parameter");
  }
  if (dh === undefined) {
    return parsedError("queue URI without a valid dh= X25519 key");
  }
  if (mode === undefined && senderSecures) {
    mode = "m";
  }
  return parsedOk({ server: addr.value, senderId: senderId, clientVersions: range, dhPublicKey: dh, queueMode: mode });
}
