/**
 * Generates test-vectors/published/ed25519-edge.json: edge cases for the Ed25519
 * verification rules of docs/crypto.md ("Ed25519 verification").
 *
 * - speccheck/*: the twelve cases of Chalkias, Garillot, Nikolaenko, "Taming the many
 *   EdDSAs" (SSR 2020), transcribed from github.com/novifinancial/ed25519-speccheck
 *   (cases.txt). Our rules are libsodium's, and the expected `valid` is libsodium's
 *   column of that repository's results.md: only case 3 verifies.
 * - constructed/*: ours, built here with @noble/curves points and BigInt. Each
 *   expected `valid` follows from how the case is built (which rule it hits), never
 *   from running a verifier.
 *
 * Run: npx tsx test-vectors/generate/ed25519-edge.ts
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { bytesToNumberLE, concatBytes, numberToBytesLE } from "@noble/curves/utils.js";
import { SeededRandom } from "./seeded-random";

const SEED = "tsense ed25519 edge v1";
const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const P = Point.Fp.ORDER;

interface Case {
  id: string;
  op: string;
  in: Record<string, string>;
  out: Record<string, boolean>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));
const le32 = (n: bigint): Uint8Array => numberToBytesLE(n, 32);
const modL = (n: bigint): bigint => ((n % L) + L) % L;

/** k = SHA-512(R || A || M) mod L over the exact bytes. */
function challenge(r: Uint8Array, a: Uint8Array, msg: Uint8Array): bigint {
  return modL(bytesToNumberLE(sha512(concatBytes(r, a, msg))));
}

/** The twelve speccheck cases: message, public key, signature. */
const SPECCHECK: [string, string, string][] = [
  ["8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000"],
  ["9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"],
  ["aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e"],
  ["9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
    "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009"],
  ["e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
    "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09"],
  ["e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
    "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405"],
  ["85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
    "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514"],
  ["85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
    "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22"],
  ["9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f"],
  ["9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908"],
  ["e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"],
  ["39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"],
];
/** What speccheck's cases exercise (from its README and the paper). */
const SPECCHECK_WHAT = [
  "S0-small-A-small-R", "small-A-mixed-R", "mixed-A-small-R", "mixed-A-mixed-R-cofactorless-ok", "mixed-A-mixed-R-cofactored-only",
  "mixed-A-mixed-R-cofactored-only-prereduced", "S-above-L", "S-far-above-L", "noncanonical-R-cofactored", "noncanonical-R-cofactorless",
  "noncanonical-A-cofactored", "noncanonical-A-cofactorless",
];
const SPECCHECK_VALID = [false, false, false, true, false, false, false, false, false, false, false, false];

export function ed25519EdgeCases(): Case[] {
  const rng = new SeededRandom(SEED);
  const cases: Case[] = [];
  const verify = (id: string, publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array, valid: boolean) =>
    cases.push({ id, op: "ed25519.verify", in: { publicKey: hex(publicKey), msg: hex(msg), signature: hex(signature) }, out: { valid } });

  SPECCHECK.forEach(([m, pk, sig], i) => verify(`speccheck/${i}-${SPECCHECK_WHAT[i]}`, unhex(pk), unhex(m), unhex(sig), SPECCHECK_VALID[i]));

  // A key with a known secret scalar a (RFC 8032 TEST 1's seed).
  const seed = unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const a = ed25519.utils.getExtendedPublicKey(seed).scalar;
  const pk = Point.BASE.multiply(a).toBytes();
  const msg = rng.bytes(40);
  const sig = ed25519.sign(msg, seed);
  verify("constructed/control-valid", pk, msg, sig, true);

  // Lengths.
  verify("constructed/sig-63-bytes", pk, msg, sig.subarray(0, 63), false);
  verify("constructed/sig-65-bytes", pk, msg, concatBytes(sig, new Uint8Array(1)), false);
  verify("constructed/sig-empty", pk, msg, new Uint8Array(0), false);
  verify("constructed/pk-31-bytes", pk.subarray(0, 31), msg, sig, false);
  verify("constructed/pk-33-bytes", concatBytes(pk, new Uint8Array(1)), msg, sig, false);

  // Tampering.
  const flip = (b: Uint8Array, i: number, bit: number) => {
    const c = b.slice();
    c[i] ^= bit;
    return c;
  };
  verify("constructed/tampered-msg", pk, flip(msg, 7, 0x10), sig, false);
  verify("constructed/tampered-msg-appended", pk, concatBytes(msg, new Uint8Array(1)), sig, false);
  verify("constructed/tampered-R", pk, msg, flip(sig, 3, 0x01), false);
  verify("constructed/tampered-S", pk, msg, flip(sig, 40, 0x04), false);
  verify("constructed/tampered-pk", flip(pk, 9, 0x80), msg, sig, false);

  // Non-canonical S: S + L satisfies the equation mod L but is rejected (malleability).
  const s = bytesToNumberLE(sig.subarray(32));
  verify("constructed/S-plus-L", pk, msg, concatBytes(sig.subarray(0, 32), le32(s + L)), false);
  verify("constructed/S-equals-L", pk, msg, concatBytes(sig.subarray(0, 32), le32(L)), false);
  verify("constructed/S-all-ones", pk, msg, concatBytes(sig.subarray(0, 32), new Uint8Array(32).fill(0xff)), false);

  // Small-order A where the cofactorless equation holds: rejected only by the small-order rule.
  const identity = le32(1n);
  const s1 = modL(bytesToNumberLE(rng.bytes(32)));
  const r1 = Point.BASE.multiply(s1).toBytes();
  verify("constructed/A-identity-equation-holds", identity, msg, concatBytes(r1, le32(s1)), false);
  const t8 = Point.fromBytes(unhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"));
  if (t8.multiplyUnsafe(4n).is0() || !t8.multiplyUnsafe(8n).is0()) throw new Error("expected a point of order 8");
  for (let tries = 0; ; tries++) {
    // With A of order 8 the equation [S]B = R + [k]A holds for R = [S]B when 8 divides k.
    const m = rng.bytes(16);
    if (challenge(r1, t8.toBytes(), m) % 8n === 0n) {
      verify("constructed/A-order-8-equation-holds", t8.toBytes(), m, concatBytes(r1, le32(s1)), false);
      break;
    }
    if (tries > 200) throw new Error("no message found");
  }

  // Small-order or non-canonical R with S = k a, so that [S]B - [k]A is the identity.
  const withR = (id: string, rBytes: Uint8Array, valid: boolean) => {
    const k = challenge(rBytes, pk, msg);
    verify(id, pk, msg, concatBytes(rBytes, le32(modL(k * a))), valid);
  };
  withR("constructed/R-identity-equation-holds", identity, false);
  withR("constructed/R-identity-noncanonical-y-is-p-plus-1", le32(P + 1n), false);
  const negZero = le32(1n);
  negZero[31] |= 0x80;
  withR("constructed/R-identity-x-zero-sign-set", negZero, false);

  // Mixed-order A = [a]B + T8: the cofactored equation holds for every message, the
  // cofactorless one only when 8 divides k. Mixed-order keys themselves are accepted.
  const mixed = Point.BASE.multiply(a).add(t8).toBytes();
  let haveFail = false;
  let havePass = false;
  for (let tries = 0; !(haveFail && havePass); tries++) {
    const m = rng.bytes(16);
    const r = modL(bytesToNumberLE(rng.bytes(32))) || 1n;
    const rBytes = Point.BASE.multiply(r).toBytes();
    const k = challenge(rBytes, mixed, m);
    const sg = concatBytes(rBytes, le32(modL(r + k * a)));
    if (k % 8n === 0n && !havePass) {
      verify("constructed/A-mixed-order-k-divisible-by-8", mixed, m, sg, true);
      havePass = true;
    } else if (k % 8n !== 0n && !haveFail) {
      verify("constructed/A-mixed-order-cofactored-only", mixed, m, sg, false);
      haveFail = true;
    }
    if (tries > 400) throw new Error("no message found");
  }

  // Encodings of A that are not canonical or not points.
  verify("constructed/A-identity-x-zero-sign-set", negZero, msg, sig, false);
  verify("constructed/A-y-is-p-order-4", le32(P), msg, sig, false);
  let nonCanonical = 0;
  for (let c = 2n; c < 19n; c++) {
    const enc = le32(P + c);
    let decodes = true;
    try {
      Point.fromBytes(le32(c));
    } catch {
      decodes = false;
    }
    if (decodes && !Point.fromBytes(le32(c)).isSmallOrder() && nonCanonical < 2) {
      // y = p + c encodes the same point as y = c, a point not of small order.
      verify(`constructed/A-noncanonical-y-is-p-plus-${c}`, enc, msg, sig, false);
      nonCanonical++;
    }
    if (!decodes && c < 6n) {
      verify(`constructed/A-not-on-curve-y-is-${c}`, le32(c), msg, sig, false);
    }
  }
  // R that is no point at all.
  for (let c = 2n; c < 19n; c++) {
    try {
      Point.fromBytes(le32(c));
    } catch {
      withR(`constructed/R-not-on-curve-y-is-${c}`, le32(c), false);
      break;
    }
  }
  return cases;
}

function render(title: string, source: string, cases: Case[]): string {
  const ids = new Set(cases.map((c) => c.id));
  if (ids.size !== cases.length) throw new Error(`${title}: duplicate case id`);
  const lines = cases.map((c) => `  { "id": ${JSON.stringify(c.id)}, "op": ${JSON.stringify(c.op)}, "in": ${JSON.stringify(c.in)}, "out": ${JSON.stringify(c.out)} }`);
  return `{\n "format": "tsense-vectors/1",\n "title": ${JSON.stringify(title)},\n "source": ${JSON.stringify(source)},\n "cases": [\n${lines.join(",\n")}\n ]\n}\n`;
}

export function generateEd25519Edge(): { file: string; cases: number } {
  const cases = ed25519EdgeCases();
  const source =
    "speccheck/*: Chalkias, Garillot, Nikolaenko, 'Taming the many EdDSAs' (SSR 2020), cases from github.com/novifinancial/ed25519-speccheck " +
    "cases.txt, expected values = its results.md column for libsodium (our rules, docs/crypto.md). constructed/*: generated by " +
    `test-vectors/generate/ed25519-edge.ts with SeededRandom("${SEED}"); each expected value follows from the rule the case is built to hit.`;
  writeFileSync(new URL("../published/ed25519-edge.json", import.meta.url), render("Ed25519 verification edge cases", source, cases));
  return { file: "test-vectors/published/ed25519-edge.json", cases: cases.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const w = generateEd25519Edge();
  console.log(`${w.file}: ${w.cases} cases`);
}
