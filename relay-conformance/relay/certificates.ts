/**
 * The relay's identity: an offline identity (CA) certificate and an online leaf
 * certificate signed by it, Ed25519 by default or Ed448 (as simplexmq's server makes
 * with openssl, see tests/fixtures/README.md). Generated on first run into the data
 * directory and reused; the smp:// address carries SHA-256 of the identity cert's DER.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes, sign } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bitString, boolean, contextTag, integer, octetString, oid, sequence, set, time, utf8String } from "./der-writer";

export type CertAlgorithm = "ed25519" | "ed448";

const OIDS: Record<CertAlgorithm, string> = { ed25519: "1.3.101.112", ed448: "1.3.101.113" };
const OID_CN = "2.5.4.3";
const OID_O = "2.5.4.10";
const OID_BASIC_CONSTRAINTS = "2.5.29.19";
const OID_KEY_USAGE = "2.5.29.15";
const OID_EXT_KEY_USAGE = "2.5.29.37";
const OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

export interface ServerIdentity {
  alg: CertAlgorithm;
  caCertDer: Uint8Array;
  leafCertDer: Uint8Array;
  leafKey: KeyObject;
  /** SHA-256 of the identity certificate's DER */
  keyHash: Uint8Array;
  pem: { key: string; cert: string };
}

function name(cn: string): Uint8Array {
  return sequence(set(sequence(oid(OID_CN), utf8String(cn))), set(sequence(oid(OID_O), utf8String("tsense"))));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function makeCert(alg: CertAlgorithm, subject: string, issuer: string, subjectKey: KeyObject, issuerKey: KeyObject, isCa: boolean): Uint8Array {
  const algId = sequence(oid(OIDS[alg]));
  const spki = subjectKey.export({ type: "spki", format: "der" });
  const now = Date.now();
  const exts = isCa
    ? [extension(OID_BASIC_CONSTRAINTS, true, sequence(boolean(true)))]
    : [
        extension(OID_BASIC_CONSTRAINTS, false, sequence()),
        extension(OID_KEY_USAGE, true, Uint8Array.of(0x03, 0x02, 0x03, 0xc8)), // digitalSignature, nonRepudiation, keyAgreement (as the simplexmq fixtures)
        extension(OID_EXT_KEY_USAGE, false, sequence(oid(OID_SERVER_AUTH))),
      ];
  const tbs = sequence(
    contextTag(0, integer(Uint8Array.of(2))), // v3
    integer(randomBytes(16)),
    algId,
    name(issuer),
    sequence(time(new Date(now - 3600_000)), time(new Date(now + (isCa ? 100 : 10) * 365 * 86400_000))),
    name(subject),
    spki,
    contextTag(3, sequence(...exts)),
  );
  return sequence(tbs, algId, bitString(sign(null, tbs, issuerKey)));
}

function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s/g, ""), "base64"));
}

/** An X.509 signed object (SEQUENCE { object, algorithm, signature }) over any DER object. */
export function signObject(alg: CertAlgorithm, key: KeyObject, objectDer: Uint8Array): Uint8Array {
  return sequence(objectDer, sequence(oid(OIDS[alg])), bitString(sign(null, objectDer, key)));
}

export function generateIdentity(alg: CertAlgorithm): { identity: ServerIdentity; caKeyPem: string } {
  const ca = generateKeyPairSync(alg as "ed25519");
  const leaf = generateKeyPairSync(alg as "ed25519");
  const caCertDer = makeCert(alg, "tsense relay CA", "tsense relay CA", ca.publicKey, ca.privateKey, true);
  const leafCertDer = makeCert(alg, "localhost", "tsense relay CA", leaf.publicKey, ca.privateKey, false);
  const caKeyPem = ca.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { identity: identityFrom(alg, caCertDer, leafCertDer, leaf.privateKey), caKeyPem };
}

function identityFrom(alg: CertAlgorithm, caCertDer: Uint8Array, leafCertDer: Uint8Array, leafKey: KeyObject): ServerIdentity {
  return {
    alg,
    caCertDer,
    leafCertDer,
    leafKey,
    keyHash: new Uint8Array(createHash("sha256").update(caCertDer).digest()),
    pem: { key: leafKey.export({ type: "pkcs8", format: "pem" }).toString(), cert: toPem("CERTIFICATE", leafCertDer) + toPem("CERTIFICATE", caCertDer) },
  };
}

/** Loads <dir>/{ca,server}-<alg>.{crt,key}, generating them on first use. */
export function loadOrCreateIdentity(dataDir: string, alg: CertAlgorithm): { identity: ServerIdentity; created: boolean } {
  mkdirSync(dataDir, { recursive: true });
  const f = (n: string) => join(dataDir, `${n}-${alg}`);
  if (existsSync(f("ca") + ".crt") && existsSync(f("server") + ".crt") && existsSync(f("server") + ".key")) {
    const caDer = fromPem(readFileSync(f("ca") + ".crt", "utf8"));
    const leafDer = fromPem(readFileSync(f("server") + ".crt", "utf8"));
    const key = createPrivateKey(readFileSync(f("server") + ".key", "utf8"));
    if (key.asymmetricKeyType !== alg) throw new Error(`${f("server")}.key is ${key.asymmetricKeyType}, expected ${alg}`);
    void createPublicKey;
    return { identity: identityFrom(alg, caDer, leafDer, key), created: false };
  }
  const g = generateIdentity(alg);
  // the CA key is the offline identity key: written so an operator can take it away
  writeFileSync(f("ca") + ".key", g.caKeyPem, { mode: 0o600 });
  writeFileSync(f("ca") + ".crt", toPem("CERTIFICATE", g.identity.caCertDer));
  writeFileSync(f("server") + ".key", g.identity.pem.key, { mode: 0o600 });
  writeFileSync(f("server") + ".crt", toPem("CERTIFICATE", g.identity.leafCertDer));
  return { identity: g.identity, created: true };
}
