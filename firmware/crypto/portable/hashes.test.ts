// Edge cases of the portable hashes that the vector files cannot express: argument
// errors, the HKDF length limit, incremental versus one-shot use, and the length field
// of messages longer than 2^32 bits. Expected values come from @noble/hashes.
import { describe, expect, it } from "vitest";
import { sha256 as nSha256, sha512 as nSha512 } from "@noble/hashes/sha2.js";
import { hmac as nHmac } from "@noble/hashes/hmac.js";
import { hkdf as nHkdf, expand as nExpand } from "@noble/hashes/hkdf.js";
import { blake2s as nBlake2s } from "@noble/hashes/blake2.js";
import type { Bytes } from "../../port/bytes";
import { Sha256, sha256 } from "./sha256";
import { Sha512, sha512 } from "./sha512";
import { Hmac, hmacSha256, hmacSha512, newSha256, newSha512 } from "./hmac";
import { hkdfExpand, hkdfSha256, hkdfSha512 } from "./hkdf";
import { Blake2s, blake2s } from "./blake2s";
import { MerkleDamgardHash } from "./merkle-damgard";

const hex = (b: Bytes) => Buffer.from(b as Uint8Array).toString("hex");
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + (i >>> 3)) & 0xff);
const EMPTY = new Uint8Array(0);

/** Splits msg at the given cut points and feeds the pieces (some empty) to update. */
function pieces(msg: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, msg.length]) {
    out.push(msg.subarray(prev, c));
    out.push(EMPTY);
    prev = c;
  }
  return out;
}

const SPLITS: number[][] = [[], [0], [1], [63], [64], [65], [127, 128, 129], [3, 70, 200, 201], [55, 56, 111, 112]];

describe("incremental hashing equals one-shot", () => {
  const msg = bytes(300, 1);
  for (const cuts of SPLITS) {
    it(`splits at ${JSON.stringify(cuts)}`, () => {
      const h256 = new Sha256();
      const h512 = new Sha512();
      const b2 = new Blake2s(32, bytes(32, 2));
      const mac = new Hmac(newSha512, bytes(200, 3));
      for (const p of pieces(msg, cuts)) {
        h256.update(p);
        h512.update(p);
        b2.update(p);
        mac.update(p);
      }
      expect(hex(h256.digest())).toBe(hex(sha256(msg)));
      expect(hex(h512.digest())).toBe(hex(sha512(msg)));
      expect(hex(b2.digest())).toBe(hex(blake2s(msg, 32, bytes(32, 2))));
      expect(hex(mac.digest())).toBe(hex(hmacSha512(bytes(200, 3), msg)));
    });
  }

  it("byte-at-a-time over several blocks", () => {
    const m = bytes(777, 4);
    const h = new Sha512();
    const b = new Blake2s(17, EMPTY);
    for (let i = 0; i < m.length; i++) {
      h.update(m.subarray(i, i + 1));
      b.update(m.subarray(i, i + 1));
    }
    expect(hex(h.digest())).toBe(hex(nSha512(m)));
    expect(hex(b.digest())).toBe(hex(nBlake2s(m, { dkLen: 17 })));
  });

  it("a keyed BLAKE2s with an empty message compresses the key block as the last block", () => {
    const key = bytes(32, 5);
    expect(hex(new Blake2s(32, key).update(EMPTY).digest())).toBe(hex(nBlake2s(EMPTY, { dkLen: 32, key })));
    // exactly one block of data after the key block: the data block is the last one
    const m = bytes(64, 6);
    expect(hex(blake2s(m, 32, key))).toBe(hex(nBlake2s(m, { dkLen: 32, key })));
  });

  it("an object is finished after digest", () => {
    for (const h of [new Sha256(), new Sha512(), new Blake2s(32, EMPTY)]) {
      h.digest();
      expect(() => h.update(bytes(1, 0))).toThrow(/after digest/);
      expect(() => h.digest()).toThrow(/twice/);
    }
  });
});

describe("length field", () => {
  /** A Merkle-Damgard hash whose compression records the final block, to inspect the padding. */
  class PaddingProbe extends MerkleDamgardHash {
    last = new Uint8Array(0);
    constructor(blockLen: number, lengthBytes: number) {
      super(blockLen, 0, lengthBytes);
    }
    protected compress(b: Bytes, off: number, nBlocks: number): void {
      if (!(b instanceof Uint8Array)) return; // the stand-in message below
      this.last = Uint8Array.from((b as Uint8Array).subarray(off + (nBlocks - 1) * this.blockLen, off + nBlocks * this.blockLen));
    }
    protected writeState(): void {}
  }

  it("encodes bit counts at and above 2^32 (messages of 2^29 bytes and more)", () => {
    for (const n of [0x20000000 - 1, 0x20000000, 0x20000000 * 3 + 5, 2 ** 40 + 3]) {
      const p = new PaddingProbe(64, 8);
      // A stand-in message: only its tail (n mod 64 bytes) is ever read, the rest goes
      // straight to the probe's compress, which ignores it.
      const fake: { [i: number]: number; length: number } = { length: n };
      for (let i = n - (n % 64); i < n; i++) fake[i] = 0xab;
      p.update(fake);
      p.digest();
      const bits = BigInt(n) * 8n;
      const field = new DataView(p.last.buffer).getBigUint64(56, false);
      expect(field).toBe(bits);
    }
  });

  it("puts the length in a new block when it no longer fits (55/56 and 111/112 bytes)", () => {
    for (const n of [55, 56, 57, 63, 64]) expect(hex(sha256(bytes(n, 7)))).toBe(hex(nSha256(bytes(n, 7))));
    for (const n of [111, 112, 113, 127, 128]) expect(hex(sha512(bytes(n, 7)))).toBe(hex(nSha512(bytes(n, 7))));
  });
});

describe("HMAC", () => {
  it("hashes keys longer than a block (RFC 2104): HMAC(K) = HMAC(H(K))", () => {
    const key = bytes(129, 8);
    const m = bytes(40, 9);
    expect(hex(hmacSha256(key, m))).toBe(hex(hmacSha256(nSha256(key), m)));
    expect(hex(hmacSha512(key, m))).toBe(hex(hmacSha512(nSha512(key), m)));
  });

  it("accepts an empty key and an empty message", () => {
    expect(hex(hmacSha256(EMPTY, EMPTY))).toBe(hex(nHmac(nSha256, EMPTY, EMPTY)));
    expect(hex(hmacSha512(EMPTY, EMPTY))).toBe(hex(nHmac(nSha512, EMPTY, EMPTY)));
  });

  it("one-shot HMAC-SHA-256 (module scratch, no hash objects) matches noble and the incremental Hmac", () => {
    // Alternate long and short keys and messages across the padding boundaries: any
    // scratch left dirty by one call shows up in the next.
    const keyLens = [0, 1, 31, 32, 63, 64, 65, 100, 129, 3];
    const msgLens = [0, 1, 55, 56, 63, 64, 65, 119, 120, 200];
    for (let i = 0; i < keyLens.length; i++) {
      for (const ml of msgLens) {
        const key = bytes(keyLens[i], i + 20);
        const m = bytes(ml, i + 40);
        const want = hex(nHmac(nSha256, key, m));
        expect(hex(hmacSha256(key, m))).toBe(want);
        expect(hex(new Hmac(newSha256, key).update(m).digest())).toBe(want);
        expect(hex(sha256(m))).toBe(hex(nSha256(m)));
      }
    }
  });

  it("a one-shot HMAC that throws on a bad message leaves the next call correct", () => {
    const key = bytes(40, 16);
    expect(() => hmacSha256(key, null as unknown as Bytes)).toThrow();
    const m = bytes(30, 17);
    expect(hex(hmacSha256(bytes(10, 18), m))).toBe(hex(nHmac(nSha256, bytes(10, 18), m)));
  });

  it("does not modify the caller's key", () => {
    const key = bytes(200, 10);
    const copy = Uint8Array.from(key);
    new Hmac(newSha256, key).update(bytes(5, 1)).digest();
    expect(hex(key)).toBe(hex(copy));
  });
});

describe("HKDF", () => {
  const ikm = bytes(22, 11);
  const salt = bytes(13, 12);
  const info = bytes(10, 13);

  it("produces the maximum length 255 * HashLen", () => {
    expect(hex(hkdfSha256(ikm, salt, info, 8160))).toBe(hex(nHkdf(nSha256, ikm, salt, info, 8160)));
    expect(hex(hkdfSha512(ikm, salt, info, 16320))).toBe(hex(nHkdf(nSha512, ikm, salt, info, 16320)));
  });

  it("rejects lengths above 255 * HashLen with a clear message", () => {
    expect(() => hkdfSha256(ikm, salt, info, 8161)).toThrow(/hkdf: output length 8161 must be an integer in 0\.\.8160/);
    expect(() => hkdfSha512(ikm, salt, info, 16321)).toThrow(/0\.\.16320/);
  });

  it("rejects negative and fractional lengths", () => {
    expect(() => hkdfSha256(ikm, salt, info, -1)).toThrow(/hkdf: output length -1/);
    expect(() => hkdfSha256(ikm, salt, info, 1.5)).toThrow(/hkdf: output length 1.5/);
    expect(() => hkdfSha256(ikm, salt, info, NaN)).toThrow(/hkdf: output length NaN/);
  });

  it("rejects a PRK shorter than HashLen in HKDF-Expand (RFC 5869 2.3)", () => {
    expect(() => hkdfExpand(newSha256, new Uint8Array(31), info, 10)).toThrow(/hkdf: PRK of 31 bytes is shorter than HashLen \(32\)/);
    expect(hex(hkdfExpand(newSha256, bytes(32, 1), info, 10))).toBe(hex(nExpand(nSha256, bytes(32, 1), info, 10)));
  });

  it("returns an empty result for length 0", () => {
    expect(hkdfSha256(ikm, salt, info, 0).length).toBe(0);
  });

  it("treats an empty salt as HashLen zero bytes (RFC 5869 2.2)", () => {
    expect(hex(hkdfSha256(ikm, EMPTY, info, 50))).toBe(hex(hkdfSha256(ikm, new Uint8Array(32), info, 50)));
    expect(hex(hkdfSha512(ikm, EMPTY, info, 50))).toBe(hex(hkdfSha512(ikm, new Uint8Array(64), info, 50)));
  });
});

describe("BLAKE2s argument checks", () => {
  it("accepts every output length 1..32 and key length 0..32", () => {
    const m = bytes(70, 14);
    for (let outLen = 1; outLen <= 32; outLen++) {
      const key = bytes(outLen, 15);
      expect(hex(blake2s(m, outLen, key))).toBe(hex(nBlake2s(m, { dkLen: outLen, key })));
    }
    expect(hex(blake2s(m, 32, EMPTY))).toBe(hex(nBlake2s(m, { dkLen: 32 })));
  });

  it("rejects output lengths outside 1..32", () => {
    for (const bad of [0, 33, -1, 1.5, NaN]) {
      expect(() => blake2s(EMPTY, bad, EMPTY)).toThrow(new RegExp(`blake2s: output length ${bad} must be an integer in 1\\.\\.32`));
    }
  });

  it("rejects keys longer than 32 bytes", () => {
    expect(() => blake2s(EMPTY, 32, new Uint8Array(33))).toThrow(/blake2s: key length 33 must be at most 32/);
  });
});

describe("factories", () => {
  it("report block and digest lengths", () => {
    expect([newSha256().blockLen, newSha256().digestLen]).toEqual([64, 32]);
    expect([newSha512().blockLen, newSha512().digestLen]).toEqual([128, 64]);
  });
});
