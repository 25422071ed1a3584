/**
 * Generates the randomized cross-check files test-vectors/random/{chacha20poly1305,
 * secretbox,hsalsa20,aes256gcm}.json: inputs from a fixed seed, expected values from
 * @noble/ciphers (independent of our portable code).
 * Message lengths concentrate on the block edges (16 for Poly1305/GHASH/AES, 64 for the
 * ChaCha20/Salsa20 keystream, and 32 for secretbox, whose first block carries the
 * Poly1305 key), then random lengths; AAD lengths likewise. GCM IVs are mostly 12 and
 * 16 bytes (SimpleX uses 16) with other lengths of 8 bytes or more. About one open in
 * two is tampered (one flipped bit in the ciphertext, tag, AAD, nonce or key, or a cut
 * input) and must fail.
 *
 * Run: npx tsx test-vectors/generate/crosscheck-symmetric.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hsalsa, secretbox } from "@noble/ciphers/salsa.js";
import { gcm } from "@noble/ciphers/aes.js";
import { SeededRandom } from "./seeded-random";

const SEED = "tsense symmetric v1";
const SEAL_CASES = 170;
const OPEN_CASES = 60;
const HSALSA_CASES = 220;
/** Longest random message; keeps each file well under 1 MB. */
const MAX_RANDOM_LEN = 1100;
const MAX_RANDOM_AAD = 100;
/** GCM IV lengths other than 12 and 16 (all ≥ 8, which noble's gcm requires; node:crypto allows up to 128). */
const OTHER_IV_LENGTHS = [8, 9, 11, 13, 15, 17, 20, 24, 32, 48, 60, 64, 100, 128];

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

/** Every multiple of `block` up to `upTo` blocks, ±1 and ±2, plus 0..3. */
function edgeLengths(block: number, upTo: number): number[] {
  const set = new Set<number>([0, 1, 2, 3]);
  for (let k = 1; k <= upTo; k++) {
    for (const d of [-2, -1, 0, 1, 2]) set.add(k * block + d);
  }
  return [...set].sort((a, b) => a - b);
}

/** The edge lengths first, then random ones up to MAX_RANDOM_LEN. */
function lengths(r: SeededRandom, edges: number[], count: number): number[] {
  const out = edges.slice(0, count);
  while (out.length < count) out.push(r.below(MAX_RANDOM_LEN + 1));
  return out;
}

function aadLength(r: SeededRandom, k: number): number {
  const edges = [0, 0, 1, 12, 15, 16, 17, 31, 32, 33];
  return k % 3 === 0 ? edges[(k / 3) % edges.length] : r.below(MAX_RANDOM_AAD + 1);
}

/** Random bytes, with some all-0x00 / all-0xff inputs. */
function data(r: SeededRandom, n: number, k: number): Uint8Array {
  if (k % 23 === 7) return new Uint8Array(n).fill(0xff);
  if (k % 23 === 13) return new Uint8Array(n);
  return r.bytes(n);
}

function flipBit(r: SeededRandom, b: Uint8Array, at?: number): { out: Uint8Array; where: number } {
  const out = b.slice();
  const where = at === undefined ? r.below(b.length) : at;
  out[where] ^= 1 << r.below(8);
  return { out, where };
}

interface AeadInputs {
  key: Uint8Array;
  nonce: Uint8Array;
  aad: Uint8Array;
  sealed: Uint8Array;
}

/**
 * A tampered copy of an AEAD open input (sealed = body ‖ tag or tag ‖ body, tagFirst
 * says which) and a short description. Every change must make open fail.
 */
function tamper(r: SeededRandom, x: AeadInputs, tagFirst: boolean, k: number): { x: AeadInputs; how: string } {
  const body = x.sealed.length - 16;
  const tagAt = tagFirst ? 0 : body;
  const bodyAt = tagFirst ? 16 : 0;
  switch (k % 7) {
    case 0: {
      const t = flipBit(r, x.sealed, tagAt + r.below(16));
      return { x: { ...x, sealed: t.out }, how: `tag-bit@${t.where}` };
    }
    case 1:
      if (body > 0) {
        const t = flipBit(r, x.sealed, bodyAt + r.below(body));
        return { x: { ...x, sealed: t.out }, how: `ct-bit@${t.where}` };
      }
      return { x: { ...x, sealed: x.sealed.slice(0, 15) }, how: "shorter-than-tag" };
    case 2:
      if (x.aad.length > 0) {
        const t = flipBit(r, x.aad);
        return { x: { ...x, aad: t.out }, how: `aad-bit@${t.where}` };
      }
      return { x: { ...x, aad: new Uint8Array([0]) }, how: "aad-added" };
    case 3: {
      const t = flipBit(r, x.nonce);
      return { x: { ...x, nonce: t.out }, how: `nonce-bit@${t.where}` };
    }
    case 4: {
      const t = flipBit(r, x.key);
      return { x: { ...x, key: t.out }, how: `key-bit@${t.where}` };
    }
    case 5:
      return { x: { ...x, sealed: x.sealed.slice(0, x.sealed.length - 1) }, how: "cut-last-byte" };
    default: {
      const extra = new Uint8Array(x.sealed.length + 1);
      extra.set(x.sealed);
      return { x: { ...x, sealed: extra }, how: "extra-byte" };
    }
  }
}

function mustReject(what: string, f: () => Uint8Array): void {
  let opened = true;
  try {
    f();
  } catch {
    opened = false;
  }
  if (opened) throw new Error(`${what}: noble accepted a tampered input`);
}

function chachaCases(r: SeededRandom): Case[] {
  const cases: Case[] = [];
  const lens = lengths(r, edgeLengths(64, 4).concat(edgeLengths(16, 3)).filter((v, i, a) => a.indexOf(v) === i).sort((a, b) => a - b), SEAL_CASES);
  lens.forEach((n, k) => {
    const key = data(r, 32, k);
    const nonce = data(r, 12, k + 1);
    const aad = r.bytes(aadLength(r, k));
    const pt = data(r, n, k);
    const ct = chacha20poly1305(key, nonce, aad).encrypt(pt);
    cases.push({ id: `seal/${k}-len${n}-aad${aad.length}`, op: "chacha20poly1305.seal", in: { key: hex(key), nonce: hex(nonce), aad: hex(aad), plaintext: hex(pt) }, out: { ciphertext: hex(ct) } });
  });
  for (let k = 0; k < OPEN_CASES; k++) {
    const n = k < 20 ? [0, 1, 15, 16, 17, 63, 64, 65, 127, 128][k % 10] : r.below(MAX_RANDOM_LEN + 1);
    const x: AeadInputs = { key: r.bytes(32), nonce: r.bytes(12), aad: r.bytes(aadLength(r, k)), sealed: new Uint8Array(0) };
    const pt = r.bytes(n);
    x.sealed = chacha20poly1305(x.key, x.nonce, x.aad).encrypt(pt);
    const io = (y: AeadInputs) => ({ key: hex(y.key), nonce: hex(y.nonce), aad: hex(y.aad), ciphertext: hex(y.sealed) });
    if (k % 2 === 0) {
      cases.push({ id: `open/${k}-len${n}`, op: "chacha20poly1305.open", in: io(x), out: { ok: true, plaintext: hex(pt) } });
    } else {
      const t = tamper(r, x, false, k >>> 1);
      mustReject(`chacha20poly1305 open ${k}`, () => chacha20poly1305(t.x.key, t.x.nonce, t.x.aad).decrypt(t.x.sealed));
      cases.push({ id: `open/${k}-len${n}-tampered-${t.how}`, op: "chacha20poly1305.open", in: io(t.x), out: { ok: false } });
    }
  }
  return cases;
}

function secretboxCases(r: SeededRandom): Case[] {
  const cases: Case[] = [];
  // Edges of 64 shifted by the 32-byte Poly1305 key at the start of the keystream, and of 16.
  const edges = edgeLengths(64, 4).concat(edgeLengths(64, 4).map((v) => v + 32), edgeLengths(16, 3))
    .filter((v, i, a) => v >= 0 && a.indexOf(v) === i).sort((a, b) => a - b);
  lengths(r, edges, SEAL_CASES).forEach((n, k) => {
    const key = data(r, 32, k);
    const nonce = data(r, 24, k + 1);
    const pt = data(r, n, k);
    const boxed = secretbox(key, nonce).seal(pt);
    cases.push({ id: `seal/${k}-len${n}`, op: "secretbox.seal", in: { key: hex(key), nonce: hex(nonce), plaintext: hex(pt) }, out: { boxed: hex(boxed) } });
  });
  for (let k = 0; k < OPEN_CASES; k++) {
    const n = k < 20 ? [0, 1, 15, 16, 31, 32, 33, 95, 96, 97][k % 10] : r.below(MAX_RANDOM_LEN + 1);
    const x: AeadInputs = { key: r.bytes(32), nonce: r.bytes(24), aad: new Uint8Array(0), sealed: new Uint8Array(0) };
    const pt = r.bytes(n);
    x.sealed = secretbox(x.key, x.nonce).seal(pt);
    const io = (y: AeadInputs) => ({ key: hex(y.key), nonce: hex(y.nonce), boxed: hex(y.sealed) });
    if (k % 2 === 0) {
      cases.push({ id: `open/${k}-len${n}`, op: "secretbox.open", in: io(x), out: { ok: true, plaintext: hex(pt) } });
    } else {
      // No AAD in secretbox: skip that kind of tampering.
      let kind = k >>> 1;
      if (kind % 7 === 2) kind++;
      const t = tamper(r, x, true, kind);
      mustReject(`secretbox open ${k}`, () => secretbox(t.x.key, t.x.nonce).open(t.x.sealed));
      cases.push({ id: `open/${k}-len${n}-tampered-${t.how}`, op: "secretbox.open", in: io(t.x), out: { ok: false } });
    }
  }
  return cases;
}

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

function hsalsaNoble(key: Uint8Array, input: Uint8Array): Uint8Array {
  const out = new Uint32Array(8);
  hsalsa(SIGMA, new Uint32Array(key.slice().buffer), new Uint32Array(input.slice().buffer), out);
  return new Uint8Array(out.buffer);
}

function hsalsaCases(r: SeededRandom): Case[] {
  const cases: Case[] = [];
  for (let k = 0; k < HSALSA_CASES; k++) {
    const key = data(r, 32, k);
    const input = k === 0 ? new Uint8Array(16) : data(r, 16, k + 3);
    cases.push({ id: `hsalsa20/${k}`, op: "hsalsa20", in: { key: hex(key), input: hex(input) }, out: { output: hex(hsalsaNoble(key, input)) } });
  }
  return cases;
}

function ivLength(r: SeededRandom, k: number): number {
  const m = k % 10;
  if (m < 4) return 12;
  if (m < 8) return 16;
  return OTHER_IV_LENGTHS[r.below(OTHER_IV_LENGTHS.length)];
}

function gcmCases(r: SeededRandom): Case[] {
  const cases: Case[] = [];
  lengths(r, edgeLengths(16, 6).concat(edgeLengths(32, 4)).filter((v, i, a) => a.indexOf(v) === i).sort((a, b) => a - b), SEAL_CASES).forEach((n, k) => {
    const key = data(r, 32, k);
    const iv = data(r, ivLength(r, k), k + 1);
    const aad = r.bytes(aadLength(r, k));
    const pt = data(r, n, k);
    const ct = gcm(key, iv, aad).encrypt(pt);
    cases.push({ id: `seal/${k}-len${n}-aad${aad.length}-iv${iv.length}`, op: "aes256gcm.seal", in: { key: hex(key), iv: hex(iv), aad: hex(aad), plaintext: hex(pt) }, out: { ciphertext: hex(ct) } });
  });
  for (let k = 0; k < OPEN_CASES; k++) {
    const n = k < 20 ? [0, 1, 15, 16, 17, 31, 32, 33, 48, 100][k % 10] : r.below(MAX_RANDOM_LEN + 1);
    const x: AeadInputs = { key: r.bytes(32), nonce: r.bytes(ivLength(r, k)), aad: r.bytes(aadLength(r, k)), sealed: new Uint8Array(0) };
    const pt = r.bytes(n);
    x.sealed = gcm(x.key, x.nonce, x.aad).encrypt(pt);
    const io = (y: AeadInputs) => ({ key: hex(y.key), iv: hex(y.nonce), aad: hex(y.aad), ciphertext: hex(y.sealed) });
    if (k % 2 === 0) {
      cases.push({ id: `open/${k}-len${n}-iv${x.nonce.length}`, op: "aes256gcm.open", in: io(x), out: { ok: true, plaintext: hex(pt) } });
    } else {
      const t = tamper(r, x, false, k >>> 1);
      mustReject(`aes256gcm open ${k}`, () => gcm(t.x.key, t.x.nonce, t.x.aad).decrypt(t.x.sealed));
      cases.push({ id: `open/${k}-len${n}-iv${x.nonce.length}-tampered-${t.how}`, op: "aes256gcm.open", in: io(t.x), out: { ok: false } });
    }
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

/** Writes the four files; returns their names, case counts and sizes. */
export function generateSymmetric(): { file: string; cases: number; bytes: number }[] {
  const lib = "@noble/ciphers";
  const source = (what: string, name: string) =>
    `Generated by test-vectors/generate/crosscheck-symmetric.ts with SeededRandom("${SEED}/${name}"); expected values from ${lib} ${version(lib)} (${what}).`;
  const rng = (name: string) => new SeededRandom(`${SEED}/${name}`);
  const files: [string, string, string, Case[]][] = [
    ["chacha20poly1305", "ChaCha20-Poly1305 randomized cross-check", source("chacha20poly1305", "chacha20poly1305"), chachaCases(rng("chacha20poly1305"))],
    ["secretbox", "XSalsa20-Poly1305 secretbox randomized cross-check", source("secretbox", "secretbox"), secretboxCases(rng("secretbox"))],
    ["hsalsa20", "HSalsa20 randomized cross-check", source("hsalsa", "hsalsa20"), hsalsaCases(rng("hsalsa20"))],
    ["aes256gcm", "AES-256-GCM randomized cross-check", source("gcm", "aes256gcm"), gcmCases(rng("aes256gcm"))],
  ];
  return files.map(([name, title, src, cases]) => {
    const file = fileURLToPath(new URL(`../random/${name}.json`, import.meta.url));
    const text = render(title, src, cases);
    writeFileSync(file, text);
    return { file, cases: cases.length, bytes: text.length };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of generateSymmetric()) {
    console.log(`${f.file}: ${f.cases} cases, ${f.bytes} bytes`);
  }
}
