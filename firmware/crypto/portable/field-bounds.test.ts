// The limb bounds in the headers of field25519.ts and field448.ts, checked on every call
// the curve code makes: the field modules are wrapped so each multiply, square,
// subtraction and swap asserts its operands are within the stated bounds, then X25519,
// Ed25519, X448 and Ed448 run on random and edge inputs. A formula that fed an
// unreduced value where a reduced one is required fails here even when the result
// happens to come out right.
import { describe, expect, it, vi } from "vitest";
import { randomBytes } from "node:crypto";

const violations: string[] = [];

function checkLimbs(what: string, a: number[], bound: number): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isInteger(v) || v < 0 || v >= bound) {
      violations.push(`${what}: limb ${i} = ${v} (bound ${bound})`);
      return;
    }
  }
}

vi.mock("./field25519", async (importOriginal) => {
  const m = await importOriginal<typeof import("./field25519")>();
  return {
    ...m,
    feMul: (out: number[], a: number[], b: number[]) => {
      checkLimbs("feMul a", a, 2 ** 21);
      checkLimbs("feMul b", b, 2 ** 21);
      m.feMul(out, a, b);
    },
    feSqr: (out: number[], a: number[]) => {
      checkLimbs("feSqr a", a, 2 ** 21);
      m.feSqr(out, a);
    },
    feSub: (out: number[], a: number[], b: number[]) => {
      checkLimbs("feSub a", a, 2 ** 21);
      checkLimbs("feSub b", b, 2 ** 19);
      m.feSub(out, a, b);
    },
    feAdd: (out: number[], a: number[], b: number[]) => {
      checkLimbs("feAdd a", a, 2 ** 21);
      checkLimbs("feAdd b", b, 2 ** 21);
      m.feAdd(out, a, b);
    },
    feCswap: (a: number[], b: number[], bit: number) => {
      checkLimbs("feCswap a", a, 2 ** 26);
      checkLimbs("feCswap b", b, 2 ** 26);
      m.feCswap(a, b, bit);
    },
    feNeg: (out: number[], a: number[]) => {
      checkLimbs("feNeg a", a, 2 ** 19);
      m.feNeg(out, a);
    },
  };
});

vi.mock("./field448", async (importOriginal) => {
  const m = await importOriginal<typeof import("./field448")>();
  return {
    ...m,
    fqMul: (out: number[], a: number[], b: number[]) => {
      checkLimbs("fqMul a", a, 2 ** 22);
      checkLimbs("fqMul b", b, 2 ** 22);
      m.fqMul(out, a, b);
    },
    fqSqr: (out: number[], a: number[]) => {
      checkLimbs("fqSqr a", a, 2 ** 22);
      m.fqSqr(out, a);
    },
    fqSub: (out: number[], a: number[], b: number[]) => {
      checkLimbs("fqSub a", a, 2 ** 21);
      checkLimbs("fqSub b", b, 2 ** 19);
      m.fqSub(out, a, b);
    },
    fqCswap: (a: number[], b: number[], bit: number) => {
      checkLimbs("fqCswap a", a, 2 ** 26);
      checkLimbs("fqCswap b", b, 2 ** 26);
      m.fqCswap(a, b, bit);
    },
    fqNeg: (out: number[], a: number[]) => {
      checkLimbs("fqNeg a", a, 2 ** 19);
      m.fqNeg(out, a);
    },
  };
});

const { x25519, x25519PublicKey } = await import("./x25519");
const { ed25519PublicKey, ed25519Sign, ed25519Verify } = await import("./ed25519");
const { x448, x448PublicKey } = await import("./x448");
const { ed448Verify } = await import("./ed448");
const { ed448 } = await import("@noble/curves/ed448.js");

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

describe("field limb bounds hold on every call from the curve code", () => {
  it("X25519 and Ed25519 on random and all-ones inputs", () => {
    for (let i = 0; i < 6; i++) {
      const k = i === 0 ? new Uint8Array(32).fill(0xff) : rnd(32);
      const u = i === 1 ? new Uint8Array(32).fill(0xff) : x25519PublicKey(rnd(32));
      x25519(k, u);
      const seed = i === 0 ? new Uint8Array(32).fill(0xff) : rnd(32);
      const msg = rnd(i * 20);
      const pk = ed25519PublicKey(seed);
      const sig = ed25519Sign(seed, msg);
      expect(ed25519Verify(pk, msg, sig)).toBe(true);
      // Random keys and R values exercise decoding, including points that do not decode.
      ed25519Verify(rnd(32), msg, sig);
      ed25519Verify(pk, msg, new Uint8Array([...rnd(32), ...(sig as Uint8Array).subarray(32)]));
    }
    expect(violations).toEqual([]);
  });

  it("X448 and Ed448 on random and all-ones inputs", () => {
    for (let i = 0; i < 3; i++) {
      const k = i === 0 ? new Uint8Array(56).fill(0xff) : rnd(56);
      const u = i === 1 ? new Uint8Array(56).fill(0xfe) : x448PublicKey(rnd(56));
      x448(k, u);
      const sk = rnd(57);
      const msg = rnd(i * 30);
      const pk = ed448.getPublicKey(sk);
      const sig = ed448.sign(msg, sk);
      expect(ed448Verify(pk, msg, sig)).toBe(true);
      const otherKey = rnd(57);
      otherKey[56] &= 0x80;
      ed448Verify(otherKey, msg, sig);
    }
    expect(violations).toEqual([]);
  });
});
