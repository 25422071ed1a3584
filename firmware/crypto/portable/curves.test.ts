// Portable curve code: argument errors, small-order inputs, and the field/scalar arithmetic
// against BigInt at the limb bounds the headers of field25519.ts and scalar25519.ts claim.
import { describe, expect, it } from "vitest";
import { randomBytes, randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { BEGIN, END, GENERATED } from "../node/gen-field-mul";
import { x25519, x25519PublicKey } from "./x25519";
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from "./ed25519";
import { Fe, feAdd, feFromLimbs, feInvert, feMul, feSqr, feSub, feToBytes } from "./field25519";
import { scIsCanonical, scMulAdd, scReduce64 } from "./scalar25519";
import { x448, x448PublicKey } from "./x448";
import { ed448Verify } from "./ed448";
import { Fq, fqFromLimbs, fqInvert, fqMul, fqSqr, fqToBytes } from "./field448";
import { sc448IsCanonical, sc448Reduce } from "./scalar448";
import { geDecode, geEncode, geIsSmallOrder } from "./edwards25519";
import { ge448Decode, ge448IsSmallOrder } from "./edwards448";
import { ed25519 as nobleEd25519 } from "@noble/curves/ed25519.js";
import { ed448 as nobleEd448 } from "@noble/curves/ed448.js";

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));
const le = (b: ArrayLike<number>): bigint => {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
};
const toLe = (x: bigint, n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
};
const feValue = (a: Fe): bigint => a.reduce((acc, limb, i) => acc + BigInt(limb) * 2n ** BigInt(16 * i), 0n);
const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

const ALICE = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
const BOB_PUBLIC = h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

describe("x25519", () => {
  it("rejects scalars and u of the wrong length", () => {
    expect(() => x25519(ALICE.subarray(0, 31), BOB_PUBLIC)).toThrow(/scalar must be 32 bytes, got 31/);
    expect(() => x25519(new Uint8Array(33), BOB_PUBLIC)).toThrow(/scalar must be 32 bytes/);
    expect(() => x25519(ALICE, BOB_PUBLIC.subarray(0, 31))).toThrow(/u must be 32 bytes/);
    expect(() => x25519PublicKey(new Uint8Array(0))).toThrow(/secret key must be 32 bytes/);
  });

  it("throws on an all-zero result for every small-order u", () => {
    const smallOrder = [
      "0000000000000000000000000000000000000000000000000000000000000000", // 0
      "0100000000000000000000000000000000000000000000000000000000000000", // 1
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p - 1
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p (= 0)
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p + 1 (= 1)
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
    ];
    for (const u of smallOrder) {
      expect(() => x25519(rnd(32), h(u))).toThrow(/all-zero shared secret/);
    }
  });

  it("ignores bit 255 of u", () => {
    const u = BOB_PUBLIC.slice();
    u[31] |= 0x80;
    expect(x25519(ALICE, u)).toEqual(x25519(ALICE, BOB_PUBLIC));
  });

  it("does not modify its arguments", () => {
    const k = ALICE.slice();
    const u = BOB_PUBLIC.slice();
    x25519(k, u);
    expect(k).toEqual(ALICE);
    expect(u).toEqual(BOB_PUBLIC);
  });
});

describe("ed25519", () => {
  const seed = h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

  it("rejects seeds of the wrong length", () => {
    expect(() => ed25519PublicKey(seed.subarray(0, 31))).toThrow(/seed must be 32 bytes, got 31/);
    expect(() => ed25519Sign(new Uint8Array(64), new Uint8Array(0))).toThrow(/seed must be 32 bytes/);
  });

  it("returns false, never throws, for malformed keys and signatures", () => {
    const msg = rnd(10);
    const pk = ed25519PublicKey(seed);
    const sig = ed25519Sign(seed, msg);
    expect(ed25519Verify(pk, msg, sig)).toBe(true);
    expect(ed25519Verify((pk as Uint8Array).subarray(0, 31), msg, sig)).toBe(false);
    expect(ed25519Verify(pk, msg, (sig as Uint8Array).subarray(0, 63))).toBe(false);
    expect(ed25519Verify(new Uint8Array(32).fill(0xff), msg, sig)).toBe(false);
    expect(ed25519Verify(pk, msg, new Uint8Array(64).fill(0xff))).toBe(false);
  });

  it("signs and verifies random messages; any flipped bit fails", () => {
    for (let i = 0; i < 4; i++) {
      const s = rnd(32);
      const msg = rnd(i * 50);
      const pk = ed25519PublicKey(s);
      const sig = ed25519Sign(s, msg) as Uint8Array;
      expect(ed25519Verify(pk, msg, sig)).toBe(true);
      const bad = sig.slice();
      bad[(i * 17) % 64] ^= 1 << i;
      expect(ed25519Verify(pk, msg, bad)).toBe(false);
    }
  });
});

describe("field25519 against BigInt", () => {
  it("field25519.ts and field448.ts hold the generator's current multiply and square", () => {
    for (const g of GENERATED) {
      const src = readFileSync(g.file, "utf8");
      expect(src.slice(src.indexOf(BEGIN), src.indexOf(END) + END.length)).toBe(g.text());
    }
  });

  /** Limbs at the largest values the header allows for mul inputs (< 2^21). */
  const maxLimbs = (): Fe => feFromLimbs(new Array(16).fill(2 ** 21 - 1));
  const randomLimbs = (max: number): Fe => feFromLimbs(Array.from({ length: 16 }, () => randomInt(max)));

  it("mul and sqr are exact at the maximal limb bound", () => {
    const a = maxLimbs();
    const out = feFromLimbs(new Array(16).fill(0));
    feMul(out, a, a);
    expect(le(feToBytes(out))).toBe((feValue(a) * feValue(a)) % P);
    feSqr(out, a);
    expect(le(feToBytes(out))).toBe((feValue(a) * feValue(a)) % P);
    // Output limbs are reduced: limb 2 below 2^16 + 16, the others below 2^16.
    out.forEach((limb, i) => expect(limb).toBeLessThan(i === 2 ? 2 ** 16 + 16 : 2 ** 16));
  });

  it("mul, sqr, add, sub and invert agree with BigInt on random inputs", () => {
    for (let i = 0; i < 200; i++) {
      const a = randomLimbs(2 ** 21);
      const b = randomLimbs(2 ** 19);
      const out = feFromLimbs(new Array(16).fill(0));
      feMul(out, a, b);
      expect(le(feToBytes(out))).toBe((feValue(a) * feValue(b)) % P);
      feSqr(out, b);
      expect(le(feToBytes(out))).toBe((feValue(b) * feValue(b)) % P);
      const r = feFromLimbs(new Array(16).fill(0));
      feMul(r, a, b); // reduced
      const s = feFromLimbs(new Array(16).fill(0));
      feAdd(s, r, r);
      feSub(out, r, s); // b of feSub below 2^19
      expect(le(feToBytes(out))).toBe((((feValue(r) - feValue(s)) % P) + P) % P);
      feInvert(out, r);
      expect((le(feToBytes(out)) * feValue(r)) % P).toBe(feValue(r) % P === 0n ? 0n : 1n);
    }
  });

  it("encodes values at and above p canonically", () => {
    for (const v of [0n, 1n, P - 1n, P, P + 1n, 2n ** 255n - 1n, 2n ** 256n - 1n]) {
      const limbs: number[] = [];
      for (let i = 0; i < 16; i++) limbs.push(Number((v >> BigInt(16 * i)) & 0xffffn));
      expect(le(feToBytes(feFromLimbs(limbs)))).toBe(v % P);
    }
  });
});

describe("scalar25519 against BigInt", () => {
  it("reduces 64-byte values, including the extremes", () => {
    const values = [0n, 1n, L - 1n, L, L + 1n, 2n ** 252n, 2n ** 256n - 1n, 2n ** 512n - 1n, 16n * L - 1n];
    for (let i = 0; i < 300; i++) values.push(le(rnd(64)));
    for (const v of values) {
      expect(le(scReduce64(toLe(v, 64)))).toBe(v % L);
    }
  });

  it("computes a b + c mod L for any 32-byte inputs", () => {
    const edge = [0n, 1n, L - 1n, L, 2n ** 255n - 1n, 2n ** 256n - 1n];
    for (const a of edge) for (const c of edge) {
      const b = le(rnd(32));
      expect(le(scMulAdd(toLe(a, 32), toLe(b, 32), toLe(c, 32)))).toBe((a * b + c) % L);
    }
    for (let i = 0; i < 200; i++) {
      const [a, b, c] = [le(rnd(32)), le(rnd(32)), le(rnd(32))];
      expect(le(scMulAdd(toLe(a, 32), toLe(b, 32), toLe(c, 32)))).toBe((a * b + c) % L);
    }
  });

  it("accepts S below L only", () => {
    expect(scIsCanonical(toLe(L - 1n, 32))).toBe(true);
    expect(scIsCanonical(toLe(0n, 32))).toBe(true);
    expect(scIsCanonical(toLe(L, 32))).toBe(false);
    expect(scIsCanonical(toLe(2n ** 256n - 1n, 32))).toBe(false);
    expect(() => scReduce64(new Uint8Array(63))).toThrow(/64 bytes/);
  });
});

const P448 = 2n ** 448n - 2n ** 224n - 1n;
const L448 = 2n ** 446n - 13818066809895115352007386748515426880336692474882178609894547503885n;
const fqValue = (a: Fq): bigint => a.reduce((acc, limb, i) => acc + BigInt(limb) * 2n ** BigInt(16 * i), 0n);
const fqOf = (v: bigint): Fq => fqFromLimbs(Array.from({ length: 28 }, (_x, i) => Number((v >> BigInt(16 * i)) & 0xffffn)));

describe("x448", () => {
  it("rejects arguments of the wrong length", () => {
    expect(() => x448(new Uint8Array(55), new Uint8Array(56))).toThrow(/scalar must be 56 bytes, got 55/);
    expect(() => x448(new Uint8Array(56), new Uint8Array(32))).toThrow(/u must be 56 bytes/);
    expect(() => x448PublicKey(new Uint8Array(57))).toThrow(/secret key must be 56 bytes/);
  });

  it("throws on an all-zero result for small-order u", () => {
    for (const u of [0n, 1n, P448 - 1n, P448]) {
      expect(() => x448(rnd(56), toLe(u, 56))).toThrow(/all-zero shared secret/);
    }
  });
});

describe("ed448", () => {
  it("returns false, never throws, for malformed keys and signatures", () => {
    expect(ed448Verify(new Uint8Array(57), new Uint8Array(0), new Uint8Array(114))).toBe(false);
    expect(ed448Verify(new Uint8Array(56), new Uint8Array(0), new Uint8Array(114))).toBe(false);
    expect(ed448Verify(new Uint8Array(57).fill(0xff), new Uint8Array(3), new Uint8Array(114).fill(0xff))).toBe(false);
    expect(ed448Verify(new Uint8Array(57), new Uint8Array(0), new Uint8Array(113))).toBe(false);
  });
});

describe("field448 against BigInt", () => {
  it("mul and sqr are exact at the maximal limb bound", () => {
    const a = fqFromLimbs(new Array(28).fill(2 ** 22 - 1));
    const out = fqOf(0n);
    fqMul(out, a, a);
    expect(le(fqToBytes(out))).toBe((fqValue(a) * fqValue(a)) % P448);
    fqSqr(out, a);
    expect(le(fqToBytes(out))).toBe((fqValue(a) * fqValue(a)) % P448);
    out.forEach((limb, i) => expect(limb).toBeLessThan(i === 2 || i === 16 ? 2 ** 16 + 16 : 2 ** 16));
  });

  it("mul and invert agree with BigInt on random inputs; encoding is canonical", () => {
    for (let i = 0; i < 100; i++) {
      const a = fqFromLimbs(Array.from({ length: 28 }, () => randomInt(2 ** 22)));
      const b = fqFromLimbs(Array.from({ length: 28 }, () => randomInt(2 ** 16)));
      const out = fqOf(0n);
      fqMul(out, a, b);
      expect(le(fqToBytes(out))).toBe((fqValue(a) * fqValue(b)) % P448);
      fqInvert(out, b);
      expect((le(fqToBytes(out)) * fqValue(b)) % P448).toBe(fqValue(b) % P448 === 0n ? 0n : 1n);
    }
    for (const v of [0n, 1n, P448 - 1n, P448, P448 + 1n, 2n ** 448n - 1n]) {
      expect(le(fqToBytes(fqOf(v)))).toBe(v % P448);
    }
  });
});

describe("scalar448 against BigInt", () => {
  it("reduces 114-byte values, including the extremes", () => {
    const values = [0n, 1n, L448 - 1n, L448, L448 + 1n, 2n ** 446n, 2n ** 448n - 1n, 2n ** 912n - 1n, 4n * L448 - 1n];
    for (let i = 0; i < 300; i++) values.push(le(rnd(114)));
    for (const v of values) {
      expect(le(sc448Reduce(toLe(v, 114)))).toBe(v % L448);
    }
  });

  it("accepts S below L only", () => {
    expect(sc448IsCanonical(toLe(L448 - 1n, 57))).toBe(true);
    expect(sc448IsCanonical(toLe(L448, 57))).toBe(false);
    expect(sc448IsCanonical(toLe(2n ** 448n, 57))).toBe(false);
    expect(() => sc448Reduce(new Uint8Array(116))).toThrow(/up to 114 bytes/);
  });
});

describe("point decoding agrees with noble's strict decoding", () => {
  /** Random encodings, many with y near p (top bytes 0xff or 0x7f) and small y. */
  const encodings = (n: number, len: number): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const b = rnd(len);
      if (i % 4 === 1) b.fill(0xff, 1);
      if (i % 4 === 2) b.fill(0, 1, len - 1);
      if (i % 8 === 3 || (len === 57 && i % 5 !== 0)) b[len - 1] &= 0x80;
      out.push(b);
    }
    return out;
  };
  const nobleDecode = <T,>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };

  it("edwards25519: same accept/reject, same re-encoding, same small-order verdict", () => {
    let valid = 0;
    for (const b of encodings(400, 32)) {
      const ours = geDecode(b);
      if (ours !== undefined) valid++;
      const theirs = nobleDecode(() => nobleEd25519.Point.fromBytes(b, false));
      expect(ours === undefined).toBe(theirs === undefined);
      if (ours !== undefined && theirs !== undefined) {
        expect(geEncode(ours)).toEqual(theirs.toBytes());
        expect(geIsSmallOrder(ours)).toBe(theirs.isSmallOrder());
      }
    }
    expect(valid).toBeGreaterThan(100);
  });

  it("edwards448: same accept/reject and small-order verdict", () => {
    let valid = 0;
    for (const b of encodings(200, 57)) {
      const ours = ge448Decode(b);
      if (ours !== undefined) valid++;
      const theirs = nobleDecode(() => nobleEd448.Point.fromBytes(b, false));
      expect(ours === undefined).toBe(theirs === undefined);
      if (ours !== undefined && theirs !== undefined) {
        expect(ge448IsSmallOrder(ours)).toBe(theirs.isSmallOrder());
      }
    }
    expect(valid).toBeGreaterThan(40);
  });
});
