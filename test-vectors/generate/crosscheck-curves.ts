/**
 * Generates the randomized curve cross-checks test-vectors/random/{x25519,ed25519,x448,ed448}.json:
 * inputs from a fixed seed, expected values from @noble/curves (independent of our
 * portable code). Random inputs cannot reach the verification edge cases (those are in
 * test-vectors/published/ed25519-edge.json), so on these cases every rule set agrees.
 *
 * Run: npx tsx test-vectors/generate/crosscheck-curves.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { ed448, x448 } from "@noble/curves/ed448.js";
import { concatBytes, numberToBytesLE, bytesToNumberLE } from "@noble/curves/utils.js";
import { SeededRandom } from "./seeded-random";

const SEED = "tsense curves v1";

type Value = string | number | boolean;
interface Case {
  id: string;
  op: string;
  in: Record<string, Value>;
  out: Record<string, Value>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function nobleVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../node_modules/@noble/curves/package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

/** Scalars with extreme bit patterns every so often (clamping and carries), random otherwise. */
function scalar(r: SeededRandom, k: number): Uint8Array {
  if (k % 23 === 3) return new Uint8Array(32).fill(0xff);
  if (k % 23 === 7) return new Uint8Array(32);
  return r.bytes(32);
}

function x25519Cases(r: SeededRandom): Case[] {
  const cases: Case[] = [];
  for (let k = 0; k < 70; k++) {
    const sk = scalar(r, k);
    cases.push({ id: `x25519.publicKey/${k}`, op: "x25519.publicKey", in: { secretKey: hex(sk) }, out: { publicKey: hex(x25519.getPublicKey(sk)) } });
  }
  for (let k = 0; k < 100; k++) {
    // A shared secret with a peer's real public key.
    const sk = scalar(r, k);
    const peer = x25519.getPublicKey(r.bytes(32));
    cases.push({ id: `x25519/peer-${k}`, op: "x25519", in: { scalar: hex(sk), u: hex(peer) }, out: { shared: hex(x25519.getSharedSecret(sk, peer)) } });
  }
  for (let k = 0; k < 40; k++) {
    // Arbitrary u: points on the twist, bit 255 set, values >= p (reduced per RFC 7748 §5).
    const sk = r.bytes(32);
    const u = r.bytes(32);
    if (k % 4 === 0) u[31] |= 0x80;
    if (k % 8 === 1) {
      // u = p + c for c in 2..18: a non-canonical encoding of a u that is not of small order.
      u.fill(0xff);
      u[31] = 0x7f;
      u[0] = 0xed + 2 + (k % 17);
    }
    cases.push({ id: `x25519/any-u-${k}`, op: "x25519", in: { scalar: hex(sk), u: hex(u) }, out: { shared: hex(x25519.getSharedSecret(sk, u)) } });
  }
  return cases;
}

function ed25519Cases(r: SeededRandom): Case[] {
  const cases: Case[] = [];
  const msgLen = (k: number) => [0, 1, 31, 32, 33, 63, 64, 65, 111, 112, 127, 128, 129, 300][k % 14];
  for (let k = 0; k < 50; k++) {
    const seed = scalar(r, k);
    cases.push({ id: `ed25519.publicKey/${k}`, op: "ed25519.publicKey", in: { seed: hex(seed) }, out: { publicKey: hex(ed25519.getPublicKey(seed)) } });
  }
  for (let k = 0; k < 60; k++) {
    const seed = scalar(r, k + 1);
    const msg = r.bytes(msgLen(k));
    cases.push({ id: `ed25519.sign/${k}-len${msg.length}`, op: "ed25519.sign", in: { seed: hex(seed), msg: hex(msg) }, out: { signature: hex(ed25519.sign(msg, seed)) } });
  }
  const L = ed25519.Point.Fn.ORDER;
  for (let k = 0; k < 100; k++) {
    const seed = r.bytes(32);
    const pk = ed25519.getPublicKey(seed);
    const msg = r.bytes(msgLen(k + 5));
    const sig = ed25519.sign(msg, seed);
    const input = { publicKey: pk, msg, signature: sig };
    let what = "valid";
    if (k % 2 === 1) {
      // Tamper: one bit of the message, R, S or the key, or S + L.
      const t = (k >>> 1) % 5;
      const flip = (b: Uint8Array) => {
        const c = b.slice();
        const i = r.below(c.length);
        c[i] ^= 1 << r.below(8);
        return c;
      };
      if (t === 0 && msg.length > 0) {
        input.msg = flip(msg);
        what = "tampered-msg";
      } else if (t === 0 || t === 1) {
        input.signature = concatBytes(flip(sig.subarray(0, 32)), sig.subarray(32));
        what = "tampered-R";
      } else if (t === 2) {
        input.signature = concatBytes(sig.subarray(0, 32), flip(sig.subarray(32)));
        what = "tampered-S";
      } else if (t === 3) {
        input.publicKey = flip(pk);
        what = "tampered-pk";
      } else {
        input.signature = concatBytes(sig.subarray(0, 32), numberToBytesLE(bytesToNumberLE(sig.subarray(32)) + L, 32));
        what = "S-plus-L";
      }
    }
    let valid: boolean;
    try {
      valid = ed25519.verify(input.signature, input.msg, input.publicKey, { zip215: false });
    } catch {
      valid = false;
    }
    if (valid !== (what === "valid")) throw new Error(`ed25519 case ${k}: noble says ${valid} for ${what}`);
    cases.push({
      id: `ed25519.verify/${k}-${what}`,
      op: "ed25519.verify",
      in: { publicKey: hex(input.publicKey), msg: hex(input.msg), signature: hex(input.signature) },
      out: { valid },
    });
  }
  return cases;
}

/**
 * X448 and Ed448 files are kept small (40 cases): one portable X448 takes ~45 ms and an
 * Ed448 verification ~70 ms on lua5.3, several times that on wasmoon and far more on Espruino.
 */
function x448Cases(r: SeededRandom): Case[] {
  const cases: Case[] = [];
  for (let k = 0; k < 15; k++) {
    const sk = k === 0 ? new Uint8Array(56).fill(0xff) : r.bytes(56);
    cases.push({ id: `x448.publicKey/${k}`, op: "x448.publicKey", in: { secretKey: hex(sk) }, out: { publicKey: hex(x448.getPublicKey(sk)) } });
  }
  for (let k = 0; k < 15; k++) {
    const sk = r.bytes(56);
    const peer = x448.getPublicKey(r.bytes(56));
    cases.push({ id: `x448/peer-${k}`, op: "x448", in: { scalar: hex(sk), u: hex(peer) }, out: { shared: hex(x448.getSharedSecret(sk, peer)) } });
  }
  for (let k = 0; k < 10; k++) {
    // Arbitrary u, including values >= p (reduced per RFC 7748 §5) and points on the twist.
    const sk = r.bytes(56);
    const u = r.bytes(56);
    if (k % 3 === 0) u.fill(0xff, 29);
    cases.push({ id: `x448/any-u-${k}`, op: "x448", in: { scalar: hex(sk), u: hex(u) }, out: { shared: hex(x448.getSharedSecret(sk, u)) } });
  }
  return cases;
}

function ed448Cases(r: SeededRandom): Case[] {
  const cases: Case[] = [];
  for (let k = 0; k < 40; k++) {
    const sk = r.bytes(57);
    const pk = ed448.getPublicKey(sk);
    const msg = r.bytes([0, 1, 56, 57, 114, 135, 136, 137, 300][k % 9]);
    const sig = ed448.sign(msg, sk);
    const input = { publicKey: pk, msg, signature: sig };
    let what = "valid";
    if (k % 2 === 1) {
      const flip = (b: Uint8Array) => {
        const c = b.slice();
        c[r.below(c.length)] ^= 1 << r.below(8);
        return c;
      };
      const t = (k >>> 1) % 4;
      if (t === 0 && msg.length > 0) {
        input.msg = flip(msg);
        what = "tampered-msg";
      } else if (t <= 1) {
        input.signature = concatBytes(flip(sig.subarray(0, 57)), sig.subarray(57));
        what = "tampered-R";
      } else if (t === 2) {
        input.signature = concatBytes(sig.subarray(0, 57), flip(sig.subarray(57)));
        what = "tampered-S";
      } else {
        input.publicKey = flip(pk);
        what = "tampered-pk";
      }
    }
    let valid: boolean;
    try {
      valid = ed448.verify(input.signature, input.msg, input.publicKey, { zip215: false });
    } catch {
      valid = false;
    }
    if (valid !== (what === "valid")) throw new Error(`ed448 case ${k}: noble says ${valid} for ${what}`);
    cases.push({
      id: `ed448.verify/${k}-${what}`,
      op: "ed448.verify",
      in: { publicKey: hex(input.publicKey), msg: hex(input.msg), signature: hex(input.signature) },
      out: { valid },
    });
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

/** Writes the files; returns their names and case counts. */
export function generateCurves(): { file: string; cases: number }[] {
  const source = (what: string) =>
    `Generated by test-vectors/generate/crosscheck-curves.ts with SeededRandom("${SEED}/<file>"); expected values from @noble/curves ${nobleVersion()} (${what}).`;
  const rng = (name: string) => new SeededRandom(`${SEED}/${name}`);
  const files: [string, string, string, Case[]][] = [
    ["x25519", "X25519 randomized cross-check", "x25519.getPublicKey, x25519.getSharedSecret", x25519Cases(rng("x25519"))],
    ["ed25519", "Ed25519 randomized cross-check", "ed25519.getPublicKey, sign, verify with zip215: false", ed25519Cases(rng("ed25519"))],
    ["x448", "X448 randomized cross-check", "x448.getPublicKey, x448.getSharedSecret", x448Cases(rng("x448"))],
    ["ed448", "Ed448 verification randomized cross-check", "ed448.sign, ed448.verify with zip215: false", ed448Cases(rng("ed448"))],
  ];
  const written: { file: string; cases: number }[] = [];
  for (const [name, title, what, cases] of files) {
    writeFileSync(new URL(`../random/${name}.json`, import.meta.url), render(title, source(what), cases));
    written.push({ file: `test-vectors/random/${name}.json`, cases: cases.length });
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const w of generateCurves()) {
    console.log(`${w.file}: ${w.cases} cases`);
  }
}
