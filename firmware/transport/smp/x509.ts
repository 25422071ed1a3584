/**
 * X.509 as SMP uses it: Ed25519/Ed448-signed certificates in a chain of 2..4
 * (Transport/Shared.hs chainIdCaCerts: [leaf, id], [leaf, id, ca], [leaf, id, net, ca]),
 * the server identity keyHash = SHA-256 of the id certificate's DER, and the server's
 * X25519 session key sent as an X.509 "signed object" (SEQUENCE { SPKI, algorithm,
 * signature }) signed by the leaf certificate's key.
 *
 * Signature verification is passed in (SignatureVerifier) because Ed448 is not in the
 * CryptoProvider yet: the Node driver supplies it.
 */
import { Bytes, slice } from "../../port/bytes";
import { Parsed, parsedError, parsedOk } from "../../port/encoding";
import { DER_BIT_STRING, DER_CONTEXT_0, DER_GENERALIZED_TIME, DER_OID, DER_SEQUENCE, DER_UTC_TIME, DerElement, derChildren, readDerExact } from "./der";
import { PublicKey, decodeSpki } from "./keys";

export type SignatureAlgorithm = "ed25519" | "ed448";
export type SignatureVerifier = (alg: SignatureAlgorithm, publicKey: Bytes, msg: Bytes, sig: Bytes) => boolean;

const OID_ED25519 = [0x2b, 0x65, 0x70];
const OID_BASIC_CONSTRAINTS = [0x55, 0x1d, 0x13];
const DER_BOOLEAN = 0x01;
const DER_OCTET_STRING = 0x04;
const DER_CONTEXT_3 = 0xa3;
const OID_ED448 = [0x2b, 0x65, 0x71];

export interface SignedObject {
  /** DER of the signed part (TBSCertificate or the SPKI): what the signature covers */
  tbs: Bytes;
  tbsChildren: DerElement[];
  alg: SignatureAlgorithm;
  signature: Bytes;
  /** DER of the whole object */
  raw: Bytes;
}

export interface Certificate extends SignedObject {
  publicKey: PublicKey;
  /** basicConstraints cA = TRUE: may sign other certificates */
  isCa: boolean;
  /** seconds since 1970 */
  notBefore: number;
  notAfter: number;
}

function sameBytes(a: Bytes, b: number[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < b.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

function readAlgorithm(el: DerElement): SignatureAlgorithm | undefined {
  const parts = el.tag === DER_SEQUENCE ? derChildren(el.value) : undefined;
  if (parts === undefined || parts.length !== 1 || parts[0].tag !== DER_OID) {
    return undefined;
  }
  if (sameBytes(parts[0].value, OID_ED25519)) {
    return "ed25519";
  }
  if (sameBytes(parts[0].value, OID_ED448)) {
    return "ed448";
  }
  return undefined;
}

export function parseSignedObject(der: Bytes): Parsed<SignedObject> {
  const top = readDerExact(der);
  const parts = top !== undefined && top.tag === DER_SEQUENCE ? derChildren(top.value) : undefined;
  if (top === undefined || parts === undefined || parts.length !== 3 || parts[0].tag !== DER_SEQUENCE || parts[2].tag !== DER_BIT_STRING) {
    return parsedError("not a signed X.509 object");
  }
  const alg = readAlgorithm(parts[1]);
  if (alg === undefined) {
    return parsedError("unsupported signature algorithm (Ed25519 and Ed448 only)");
  }
  const sigBits = parts[2].value;
  if (sigBits.length < 1 || sigBits[0] !== 0) {
    return parsedError("bad signature bit string");
  }
  const tbsChildren = derChildren(parts[0].value);
  if (tbsChildren === undefined) {
    return parsedError("malformed signed data");
  }
  const sig = slice(sigBits, 1, sigBits.length);
  return parsedOk({ tbs: parts[0].raw, tbsChildren: tbsChildren, alg: alg, signature: sig, raw: top.raw });
}

function digits(b: Bytes, off: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = b[off + i] - 0x30;
    if (c < 0 || c > 9) {
      return -1;
    }
    v = v * 10 + c;
  }
  return v;
}

/** Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) → seconds, or undefined. */
export function parseTime(el: DerElement): number | undefined {
  const v = el.value;
  let year: number;
  let off: number;
  if (el.tag === DER_UTC_TIME && v.length === 13) {
    const yy = digits(v, 0, 2);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    off = 2;
  } else if (el.tag === DER_GENERALIZED_TIME && v.length === 15) {
    year = digits(v, 0, 4);
    off = 4;
  } else {
    return undefined;
  }
  const mo = digits(v, off, 2);
  const d = digits(v, off + 2, 2);
  const h = digits(v, off + 4, 2);
  const mi = digits(v, off + 6, 2);
  const s = digits(v, off + 8, 2);
  if (year < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 || v[off + 10] !== 0x5a) {
    return undefined;
  }
  return daysFromCivil(year, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/** basicConstraints cA from the [3] extensions of a TBSCertificate (false when absent). */
function readIsCa(tbs: DerElement[]): boolean {
  for (const el of tbs) {
    if (el.tag !== DER_CONTEXT_3) {
      continue;
    }
    const seq = derChildren(el.value);
    const exts = seq !== undefined && seq.length === 1 && seq[0].tag === DER_SEQUENCE ? derChildren(seq[0].value) : undefined;
    if (exts === undefined) {
      return false;
    }
    for (const ext of exts) {
      const parts = ext.tag === DER_SEQUENCE ? derChildren(ext.value) : undefined;
      if (parts === undefined || parts.length < 2 || parts[0].tag !== DER_OID || !sameBytes(parts[0].value, OID_BASIC_CONSTRAINTS)) {
        continue;
      }
      const value = parts[parts.length - 1];
      const bc = value.tag === DER_OCTET_STRING ? readDerExact(value.value) : undefined;
      const fields = bc !== undefined && bc.tag === DER_SEQUENCE ? derChildren(bc.value) : undefined;
      return fields !== undefined && fields.length > 0 && fields[0].tag === DER_BOOLEAN && fields[0].value.length === 1 && fields[0].value[0] !== 0;
    }
  }
  return false;
}

export function parseCertificate(der: Bytes): Parsed<Certificate> {
  const so = parseSignedObject(der);
  if (!so.ok) {
    return parsedError(so.error);
  }
  const t = so.value.tbsChildren;
  // TBSCertificate: [0] version?, serial, signature alg, issuer, validity, subject, SPKI, …
  const base = t.length > 0 && t[0].tag === DER_CONTEXT_0 ? 1 : 0;
  if (t.length < base + 6) {
    return parsedError("truncated TBSCertificate");
  }
  const validity = t[base + 3].tag === DER_SEQUENCE ? derChildren(t[base + 3].value) : undefined;
  if (validity === undefined || validity.length !== 2) {
    return parsedError("bad certificate validity");
  }
  const notBefore = parseTime(validity[0]);
  const notAfter = parseTime(validity[1]);
  if (notBefore === undefined || notAfter === undefined) {
    return parsedError("bad certificate validity time");
  }
  const key = decodeSpki(t[base + 5].raw);
  if (!key.ok || (key.value.alg !== "ed25519" && key.value.alg !== "ed448")) {
    return parsedError("certificate key is not Ed25519 or Ed448");
  }
  const c: Certificate = {
    tbs: so.value.tbs,
    tbsChildren: t,
    alg: so.value.alg,
    signature: so.value.signature,
    raw: so.value.raw,
    publicKey: key.value,
    isCa: readIsCa(t),
    notBefore: notBefore,
    notAfter: notAfter,
  };
  return parsedOk(c);
}

/** Verifies `obj` was signed by `key` (the algorithms must match). */
export function verifySignedBy(verify: SignatureVerifier, obj: SignedObject, key: PublicKey): boolean {
  if (key.alg !== obj.alg) {
    return false;
  }
  return verify(obj.alg, key.key, obj.tbs, obj.signature);
}

export interface ChainRoles {
  leaf: Certificate;
  /** its SHA-256 is the server's keyHash */
  id: Certificate;
  /** trust anchor: the id certificate itself in a chain of 2 */
  ca: Certificate;
}

/**
 * Splits a chain as chainIdCaCerts does and checks it as x509validate would with the
 * anchor as the only trusted certificate: each certificate up to the anchor is signed
 * by the next one, every signer is a CA (basicConstraints), and all are valid at
 * `nowSeconds`.
 */
export function checkChain(verify: SignatureVerifier, chainDer: Bytes[], nowSeconds: number): Parsed<ChainRoles> {
  if (chainDer.length < 2) {
    return parsedError("certificate chain of " + chainDer.length + ": need 2 to 4");
  }
  if (chainDer.length > 4) {
    return parsedError("certificate chain of " + chainDer.length + " is too long");
  }
  const certs: Certificate[] = [];
  for (const d of chainDer) {
    const c = parseCertificate(d);
    if (!c.ok) {
      return parsedError(c.error);
    }
    certs.push(c.value);
  }
  const caIndex = certs.length === 2 ? 1 : certs.length - 1;
  for (let i = 0; i < caIndex; i++) {
    if (!certs[i + 1].isCa) {
      return parsedError("certificate " + (i + 1) + " signs another but is not a CA (basicConstraints)");
    }
    if (!verifySignedBy(verify, certs[i], certs[i + 1].publicKey)) {
      return parsedError("certificate " + i + " is not signed by certificate " + (i + 1));
    }
  }
  for (let i = 0; i <= caIndex; i++) {
    if (nowSeconds < certs[i].notBefore || nowSeconds > certs[i].notAfter) {
      return parsedError("certificate " + i + " is not valid now");
    }
  }
  return parsedOk({ leaf: certs[0], id: certs[1], ca: certs[caIndex] });
}
