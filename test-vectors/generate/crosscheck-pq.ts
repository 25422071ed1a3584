/**
 * Generates the randomized cross-check files test-vectors/random/{sha3_256,sha3_512,
 * shake128,shake256,mlkem768}.json: inputs from a fixed seed, expected values from
 * @noble/hashes and @noble/post-quantum (independent of our portable code).
 * SHA-3 lengths concentrate on the sponge edges: 0, every rate multiple +-1 (the
 * single-byte 0x86 padding at rate-1), and SHAKE output lengths around the rate.
 * ML-KEM-768: one key pair per seed and several ops per key pair (keygen, encapsulate,
 * decapsulate of the valid ciphertext or of a tampered one, whose result is the
 * implicit-rejection secret J(z || c)), plus malformed keys that must be rejected.
 *
 * Run: npx tsx test-vectors/generate/crosscheck-pq.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sha3_256, sha3_512, shake128, shake256 } from "@noble/hashes/sha3.js";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { SeededRandom } from "./seeded-random";

const SEED = "tsense pq v1";
const MIN_CASES = 200;
/** Longest random message (3 KB of input keeps each SHA-3 file well under 1 MB). */
const MAX_RANDOM_LEN = 1500;
/** Longest SHAKE output. */
const MAX_OUT_LEN = 600;
/** ML-KEM-768 sizes (FIPS 203 Table 3) and q. */
const EK_BYTES = 1184;
const CT_BYTES = 1088;
const Q = 3329;
/** Key pairs in the ML-KEM file: each gives a keygen, an encapsulate and a decapsulate case. */
const MLKEM_KEYPAIRS = 70;
/** Malformed-key cases of each kind (ek modulus check, dk hash check). */
const MLKEM_BAD_KEYS = 5;

type Value = string | number | boolean;
interface Case {
  id: string;
  op: string;
  in: Record<string, Value>;
  out: Record<string, Value>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function version(pkgName: string): string {
  const pkg = JSON.parse(readFileSync(new URL(`../../node_modules/${pkgName}/package.json`, import.meta.url), "utf8"));
  return String(pkg.version);
}

/** Random bytes, with some all-0x00 / all-0xff inputs. */
function message(r: SeededRandom, n: number, k: number): Uint8Array {
  if (k % 17 === 5) return new Uint8Array(n).fill(0xff);
  if (k % 17 === 11) return new Uint8Array(n);
  return r.bytes(n);
}

/** 0..rate+2, every multiple of the rate +-1 up to 6 blocks, then random lengths. */
function spongeLengths(r: SeededRandom, rate: number, count: number): number[] {
  const set = new Set<number>();
  for (let n = 0; n <= rate + 2; n++) set.add(n);
  for (let k = 2; k <= 6; k++) {
    for (const d of [-2, -1, 0, 1]) set.add(k * rate + d);
  }
  const out = [...set].sort((a, b) => a - b);
  while (out.length < count) out.push(r.below(MAX_RANDOM_LEN + 1));
  return out;
}

function sha3Cases(r: SeededRandom, op: string, f: (m: Uint8Array) => Uint8Array, rate: number): Case[] {
  return spongeLengths(r, rate, MIN_CASES + 20).map((n, k) => {
    const msg = message(r, n, k);
    return { id: `${op}/${k}-len${n}`, op, in: { msg: hex(msg) }, out: { digest: hex(f(msg)) } };
  });
}

/** Every third of the first cases takes an edge output length (0, 1, the rate +-1, two blocks +-1…); the rest are random up to MAX_OUT_LEN. */
function outLength(r: SeededRandom, rate: number, k: number): number {
  const edges = [0, 1, 16, 32, 64, rate - 1, rate, rate + 1, 2 * rate - 1, 2 * rate, 2 * rate + 1, 3 * rate + 5];
  if (k % 3 === 0 && k < 3 * edges.length) {
    return edges[k / 3];
  }
  return 1 + r.below(MAX_OUT_LEN);
}

function shakeCases(r: SeededRandom, op: string, f: typeof shake128, rate: number): Case[] {
  return spongeLengths(r, rate, MIN_CASES + 20).map((n, k) => {
    const msg = message(r, n, k);
    const outLen = outLength(r, rate, k);
    return { id: `${op}/${k}-len${n}-out${outLen}`, op, in: { msg: hex(msg), outLen }, out: { digest: hex(f(msg, { dkLen: outLen })) } };
  });
}

/** A seed with edge values now and then: all zero, all 0xff. */
function seedBytes(r: SeededRandom, n: number, k: number): Uint8Array {
  if (k === 0) return new Uint8Array(n);
  if (k === 1) return new Uint8Array(n).fill(0xff);
  return r.bytes(n);
}

/** A tampered copy of c: one bit flip in c1 or c2, the first or last byte, or random bytes. */
function tamper(r: SeededRandom, c: Uint8Array, k: number): { ct: Uint8Array; how: string } {
  const t = c.slice();
  switch (k % 5) {
    case 0: {
      const i = r.below(960);
      t[i] ^= 1 << r.below(8);
      return { ct: t, how: `c1-bit@${i}` };
    }
    case 1: {
      const i = 960 + r.below(128);
      t[i] ^= 1 << r.below(8);
      return { ct: t, how: `c2-bit@${i}` };
    }
    case 2:
      t[0] ^= 0x80;
      return { ct: t, how: "first-byte" };
    case 3:
      t[CT_BYTES - 1] ^= 0x01;
      return { ct: t, how: "last-byte" };
    default:
      return { ct: r.bytes(CT_BYTES), how: "random" };
  }
}

function mlkemCases(r: SeededRandom): Case[] {
  if (ml_kem768.lengths.publicKey !== EK_BYTES || ml_kem768.lengths.cipherText !== CT_BYTES) {
    throw new Error("unexpected ML-KEM-768 sizes");
  }
  const cases: Case[] = [];
  for (let k = 0; k < MLKEM_KEYPAIRS; k++) {
    const seed = seedBytes(r, 64, k);
    const m = seedBytes(r, 32, k);
    const kp = ml_kem768.keygen(seed);
    cases.push({ id: `keygen/${k}`, op: "mlkem768.keygen", in: { seed: hex(seed) }, out: { publicKey: hex(kp.publicKey), secretKey: hex(kp.secretKey) } });
    const enc = ml_kem768.encapsulate(kp.publicKey, m);
    cases.push({
      id: `encapsulate/${k}`,
      op: "mlkem768.encapsulate",
      in: { publicKey: hex(kp.publicKey), m: hex(m) },
      out: { ciphertext: hex(enc.cipherText), sharedSecret: hex(enc.sharedSecret) },
    });
    if (k % 2 === 0) {
      cases.push({ id: `decapsulate/${k}-valid`, op: "mlkem768.decapsulate", in: { secretKey: hex(kp.secretKey), ciphertext: hex(enc.cipherText) }, out: { sharedSecret: hex(enc.sharedSecret) } });
    } else {
      const { ct, how } = tamper(r, enc.cipherText, k >>> 1);
      const rejected = ml_kem768.decapsulate(ct, kp.secretKey);
      if (hex(rejected) === hex(enc.sharedSecret)) throw new Error("tampered ciphertext decapsulated to the real secret");
      cases.push({ id: `decapsulate/${k}-tampered-${how}`, op: "mlkem768.decapsulate", in: { secretKey: hex(kp.secretKey), ciphertext: hex(ct) }, out: { sharedSecret: hex(rejected) } });
    }
  }
  for (let k = 0; k < MLKEM_BAD_KEYS; k++) {
    // An encapsulation key with one 12-bit coefficient raised to q..4095: the §7.2 modulus check must fail.
    const kp = ml_kem768.keygen(r.bytes(64));
    const ek = kp.publicKey.slice();
    const coeff = r.below(768);
    const value = Q + r.below(4096 - Q);
    const at = Math.floor(coeff / 2) * 3;
    if (coeff % 2 === 0) {
      ek[at] = value & 0xff;
      ek[at + 1] = (ek[at + 1] & 0xf0) | (value >>> 8);
    } else {
      ek[at + 1] = (ek[at + 1] & 0x0f) | ((value & 0x0f) << 4);
      ek[at + 2] = value >>> 4;
    }
    const m = r.bytes(32);
    let threw = false;
    try {
      ml_kem768.encapsulate(ek, m);
    } catch {
      threw = true;
    }
    if (!threw) throw new Error("noble accepted an encapsulation key that fails the modulus check");
    cases.push({ id: `encapsulate/bad-ek-${k}-coeff${coeff}-value${value}`, op: "mlkem768.encapsulate", in: { publicKey: hex(ek), m: hex(m) }, out: { error: true } });
    // A decapsulation key whose stored H(ek) has one flipped bit: the §7.3 hash check must fail.
    const dk = kp.secretKey.slice();
    const hAt = 2 * 1152 + 32 + r.below(32);
    dk[hAt] ^= 1 << r.below(8);
    const ct = ml_kem768.encapsulate(kp.publicKey, r.bytes(32)).cipherText;
    cases.push({ id: `decapsulate/bad-dk-${k}-H@${hAt}`, op: "mlkem768.decapsulate", in: { secretKey: hex(dk), ciphertext: hex(ct) }, out: { error: true } });
  }
  return cases;
}

/** One case per line: diffs stay readable. */
function render(title: string, source: string, cases: Case[]): string {
  const ids = new Set(cases.map((c) => c.id));
  if (ids.size !== cases.length) throw new Error(`${title}: duplicate case id`);
  const lines = cases.map((c) => `  { "id": ${JSON.stringify(c.id)}, "op": ${JSON.stringify(c.op)}, "in": ${JSON.stringify(c.in)}, "out": ${JSON.stringify(c.out)} }`);
  return `{\n "format": "tsense-vectors/1",\n "title": ${JSON.stringify(title)},\n "source": ${JSON.stringify(source)},\n "cases": [\n${lines.join(",\n")}\n ]\n}\n`;
}

/** Writes the five files; returns their names, case counts and sizes. */
export function generatePq(): { file: string; cases: number; bytes: number }[] {
  const source = (lib: string, what: string) =>
    `Generated by test-vectors/generate/crosscheck-pq.ts with SeededRandom("${SEED}/<file>"); expected values from ${lib} ${version(lib)} (${what}).`;
  const rng = (name: string) => new SeededRandom(`${SEED}/${name}`);
  const H = "@noble/hashes";
  const files: [string, string, string, Case[]][] = [
    ["sha3_256", "SHA3-256 randomized cross-check", source(H, "sha3_256"), sha3Cases(rng("sha3_256"), "sha3_256", sha3_256, 136)],
    ["sha3_512", "SHA3-512 randomized cross-check", source(H, "sha3_512"), sha3Cases(rng("sha3_512"), "sha3_512", sha3_512, 72)],
    ["shake128", "SHAKE128 randomized cross-check", source(H, "shake128"), shakeCases(rng("shake128"), "shake128", shake128, 168)],
    ["shake256", "SHAKE256 randomized cross-check", source(H, "shake256"), shakeCases(rng("shake256"), "shake256", shake256, 136)],
    [
      "mlkem768",
      "ML-KEM-768 randomized cross-check (keygen, encapsulate, decapsulate of valid and tampered ciphertexts, malformed keys)",
      source("@noble/post-quantum", "ml_kem768"),
      mlkemCases(rng("mlkem768")),
    ],
  ];
  const written: { file: string; cases: number; bytes: number }[] = [];
  for (const [name, title, src, cases] of files) {
    const text = render(title, src, cases);
    writeFileSync(new URL(`../random/${name}.json`, import.meta.url), text);
    written.push({ file: `test-vectors/random/${name}.json`, cases: cases.length, bytes: text.length });
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const w of generatePq()) {
    console.log(`${w.file}: ${w.cases} cases, ${(w.bytes / 1024).toFixed(0)} KiB`);
  }
}
