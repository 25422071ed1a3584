/**
 * Generates the randomized cross-check files test-vectors/random/{sha256,sha512,
 * hmac_sha256,hmac_sha512,hkdf_sha256,hkdf_sha512,blake2s}.json: inputs from a fixed
 * seed, expected values from @noble/hashes (independent of our portable code).
 * Lengths concentrate on the edges that break hashes: 0, block boundaries +-1, the
 * padding boundary where the length field no longer fits, keys longer than a block.
 *
 * Run: npx tsx test-vectors/generate/crosscheck-hashes.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { blake2s } from "@noble/hashes/blake2.js";
import type { CHash } from "@noble/hashes/utils.js";
import { SeededRandom } from "./seeded-random";

const SEED = "tsense hashes v1";
const MIN_CASES = 200;
/** Longest random message, so each file stays well under 1 MB of hex. */
const MAX_RANDOM_LEN = 3000;

type Value = string | number | boolean;
interface Case {
  id: string;
  op: string;
  in: Record<string, Value>;
  out: Record<string, Value>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function nobleVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../node_modules/@noble/hashes/package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

/** Random bytes, with some all-0x00 / all-0xff inputs that stress carries and padding. */
function message(r: SeededRandom, n: number, k: number): Uint8Array {
  if (k % 17 === 5) return new Uint8Array(n).fill(0xff);
  if (k % 17 === 11) return new Uint8Array(n);
  return r.bytes(n);
}

/** Lengths around every block edge up to `blocks` blocks, then random lengths up to MAX_RANDOM_LEN. */
function edgeLengths(r: SeededRandom, blockLen: number, lengthField: number, count: number): number[] {
  const set = new Set<number>();
  for (let n = 0; n <= blockLen + 2; n++) set.add(n);
  for (let k = 1; k <= 8; k++) {
    for (const d of [-1, 0, 1]) {
      set.add(k * blockLen + d);
      set.add(k * blockLen - lengthField - 1 + d);
    }
  }
  const out = [...set].filter((n) => n >= 0).sort((a, b) => a - b);
  while (out.length < count) out.push(r.below(MAX_RANDOM_LEN + 1));
  return out;
}

function hashCases(r: SeededRandom, op: string, f: (m: Uint8Array) => Uint8Array, blockLen: number, lengthField: number): Case[] {
  return edgeLengths(r, blockLen, lengthField, MIN_CASES + 20).map((n, k) => {
    const msg = message(r, n, k);
    return { id: `${op}/${k}-len${n}`, op, in: { msg: hex(msg) }, out: { digest: hex(f(msg)) } };
  });
}

/** Key lengths that matter to HMAC: empty, short, digest length +-1, block +-1, several blocks. */
function hmacKeyLengths(blockLen: number, digestLen: number): number[] {
  return [0, 1, 4, 16, digestLen - 1, digestLen, digestLen + 1, blockLen - 1, blockLen, blockLen + 1, 2 * blockLen + 3, 300];
}

function hmacCases(r: SeededRandom, op: string, hash: CHash, blockLen: number): Case[] {
  const keyLens = hmacKeyLengths(blockLen, hash.outputLen);
  const msgLens = edgeLengths(r, blockLen, 0, MIN_CASES + 10);
  return msgLens.map((n, k) => {
    const keyLen = k < keyLens.length * 3 ? keyLens[k % keyLens.length] : r.below(2 * blockLen + 40);
    const key = r.bytes(keyLen);
    const msg = message(r, n, k);
    return { id: `${op}/${k}-key${keyLen}-len${n}`, op, in: { key: hex(key), msg: hex(msg) }, out: { mac: hex(hmac(hash, key, msg)) } };
  });
}

function hkdfCases(r: SeededRandom, op: string, hash: CHash, blockLen: number): Case[] {
  const hl = hash.outputLen;
  const outLens = [0, 1, hl - 1, hl, hl + 1, 2 * hl, 3 * hl + 7, 255 * hl - 1, 255 * hl];
  const saltLens = [0, 1, 16, hl, blockLen, blockLen + 1, 200];
  const cases: Case[] = [];
  for (let k = 0; k < MIN_CASES + 10; k++) {
    // The two longest outputs are 8 to 16 KB of hex each: use them a few times only.
    const length = k < outLens.length * 2 ? outLens[k % outLens.length] : r.below(4 * hl + 1);
    const salt = r.bytes(k < saltLens.length * 4 ? saltLens[k % saltLens.length] : r.below(blockLen + 20));
    const ikm = message(r, r.below(k % 9 === 0 ? 400 : 80), k);
    const info = r.bytes(r.below(k % 7 === 0 ? 300 : 40));
    const okm = hkdf(hash, ikm, salt, info, length);
    cases.push({ id: `${op}/${k}-L${length}`, op, in: { ikm: hex(ikm), salt: hex(salt), info: hex(info), length }, out: { okm: hex(okm) } });
  }
  return cases;
}

function blake2sCases(r: SeededRandom): Case[] {
  const BLOCK = 64;
  const msgLens = edgeLengths(r, BLOCK, 0, 33 * 8);
  return msgLens.map((n, k) => {
    // Every output length 1..32 and every key length 0..32 occurs, in shifting pairings.
    const outLen = 1 + (k % 32);
    const keyLen = (k * 7) % 33;
    const key = r.bytes(keyLen);
    const msg = message(r, n, k);
    const digest = blake2s(msg, keyLen > 0 ? { dkLen: outLen, key } : { dkLen: outLen });
    return { id: `blake2s/${k}-out${outLen}-key${keyLen}-len${n}`, op: "blake2s", in: { msg: hex(msg), key: hex(key), outLen }, out: { digest: hex(digest) } };
  });
}

/** One case per line: diffs stay readable. */
function render(title: string, source: string, cases: Case[]): string {
  const ids = new Set(cases.map((c) => c.id));
  if (ids.size !== cases.length) throw new Error(`${title}: duplicate case id`);
  const lines = cases.map((c) => `  { "id": ${JSON.stringify(c.id)}, "op": ${JSON.stringify(c.op)}, "in": ${JSON.stringify(c.in)}, "out": ${JSON.stringify(c.out)} }`);
  return `{\n "format": "tsense-vectors/1",\n "title": ${JSON.stringify(title)},\n "source": ${JSON.stringify(source)},\n "cases": [\n${lines.join(",\n")}\n ]\n}\n`;
}

/** Writes the seven files; returns their names and case counts. */
export function generateHashes(): { file: string; cases: number; bytes: number }[] {
  const source = (what: string) =>
    `Generated by test-vectors/generate/crosscheck-hashes.ts with SeededRandom("${SEED}"); expected values from @noble/hashes ${nobleVersion()} (${what}).`;
  const files: [string, string, string, Case[]][] = [];
  // One generator per file, each from its own stream, so adding cases to one file leaves the others unchanged.
  const rng = (name: string) => new SeededRandom(`${SEED}/${name}`);
  files.push(["sha256", "SHA-256 randomized cross-check", "sha256", hashCases(rng("sha256"), "sha256", sha256, 64, 8)]);
  files.push(["sha512", "SHA-512 randomized cross-check", "sha512", hashCases(rng("sha512"), "sha512", sha512, 128, 16)]);
  files.push(["hmac_sha256", "HMAC-SHA-256 randomized cross-check", "hmac(sha256)", hmacCases(rng("hmac_sha256"), "hmac_sha256", sha256, 64)]);
  files.push(["hmac_sha512", "HMAC-SHA-512 randomized cross-check", "hmac(sha512)", hmacCases(rng("hmac_sha512"), "hmac_sha512", sha512, 128)]);
  files.push(["hkdf_sha256", "HKDF-SHA-256 randomized cross-check", "hkdf(sha256)", hkdfCases(rng("hkdf_sha256"), "hkdf_sha256", sha256, 64)]);
  files.push(["hkdf_sha512", "HKDF-SHA-512 randomized cross-check", "hkdf(sha512)", hkdfCases(rng("hkdf_sha512"), "hkdf_sha512", sha512, 128)]);
  files.push(["blake2s", "BLAKE2s randomized cross-check (every output length 1..32 with every key length 0..32)", "blake2s", blake2sCases(rng("blake2s"))]);
  const written: { file: string; cases: number; bytes: number }[] = [];
  for (const [name, title, what, cases] of files) {
    const text = render(title, source(what), cases);
    const url = new URL(`../random/${name}.json`, import.meta.url);
    writeFileSync(url, text);
    written.push({ file: `test-vectors/random/${name}.json`, cases: cases.length, bytes: text.length });
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const w of generateHashes()) {
    console.log(`${w.file}: ${w.cases} cases, ${(w.bytes / 1024).toFixed(0)} KiB`);
  }
}
