// SHA-3 sponge behaviour, ML-KEM arithmetic edges, the FIPS 203 input checks and implicit rejection.
import { describe, expect, it } from "vitest";
import { sha3_256 as nobleSha3_256, shake128 as nobleShake128, shake256 as nobleShake256 } from "@noble/hashes/sha3.js";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { sha3_256, shake128, shake128Sponge, shake256Sponge } from "./sha3";
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768Keygen } from "./mlkem768";
import { compress, decompress } from "./mlkem-encode";
import { barrett } from "./mlkem-reduce";
import { invNtt, newPoly, ntt } from "./mlkem-ntt";
import { CT_BYTES, DK_BYTES, EK_BYTES, Q } from "./mlkem-params";

const hex = (b: { length: number; [i: number]: number }): string => Buffer.from(Uint8Array.from({ length: b.length }, (_, i) => b[i])).toString("hex");
const bytes = (n: number, f: (i: number) => number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i) & 0xff);

describe("SHA-3 sponge", () => {
  it("absorbs and squeezes incrementally exactly like one-shot SHAKE", () => {
    const msg = bytes(700, (i) => i * 37 + 11);
    for (const [sponge, rate, ref] of [
      [shake128Sponge, 168, nobleShake128],
      [shake256Sponge, 136, nobleShake256],
    ] as const) {
      const s = sponge();
      // Pieces that straddle the rate: 0, 1, rate-1, rate, rate+1, rest.
      let off = 0;
      for (const n of [0, 1, rate - 1, rate, rate + 1]) {
        s.absorbRange(msg, off, n);
        off += n;
      }
      s.absorbRange(msg, off, msg.length - off);
      const out = new Uint8Array(3 * rate + 7);
      let o = 0;
      for (const n of [1, rate - 1, 2, rate, out.length - (2 * rate + 2)]) {
        s.squeezeInto(out, o, n);
        o += n;
      }
      expect(hex(out)).toBe(hex(ref(msg, { dkLen: out.length })));
    }
  });

  it("refuses to absorb after squeezing and rejects bad output lengths", () => {
    const s = shake128Sponge();
    s.squeezeInto(new Uint8Array(1), 0, 1);
    expect(() => s.absorb(new Uint8Array(1))).toThrow(/absorb after squeeze/);
    expect(() => shake128(new Uint8Array(0), -1)).toThrow(/bad output length/);
    expect(() => shake128(new Uint8Array(0), 1.5)).toThrow(/bad output length/);
  });

  it("matches noble at every message length across two SHA3-256 blocks", () => {
    for (let n = 0; n <= 2 * 136 + 1; n++) {
      const m = bytes(n, (i) => i ^ n);
      expect(hex(sha3_256(m))).toBe(hex(nobleSha3_256(m)));
    }
  });
});

describe("ML-KEM arithmetic", () => {
  it("Compress_d is exact for every residue (d = 1, 4, 10, 11)", () => {
    for (const d of [1, 4, 10, 11]) {
      for (let x = 0; x < Q; x++) {
        // round(2^d · x / q) mod 2^d, with integer arithmetic only
        const exact = Math.floor((2 ** (d + 1) * x + Q) / (2 * Q)) % 2 ** d;
        if (compress(x, d) !== exact) {
          expect({ d, x, got: compress(x, d) }).toEqual({ d, x, got: exact });
        }
      }
    }
  });

  it("Decompress_d rounds q·y / 2^d half up", () => {
    for (const d of [1, 4, 10]) {
      for (let y = 0; y < 2 ** d; y++) {
        expect(decompress(y, d)).toBe(Math.floor((2 * Q * y + 2 ** d) / 2 ** (d + 1)));
      }
    }
  });

  it("Barrett reduction agrees with % on edges and random inputs below 2^32", () => {
    const xs = [0, 1, Q - 1, Q, Q + 1, 2 * Q - 1, 2 * Q, (Q - 1) * (Q - 1), 6 * Q * Q, 2 ** 32 - 1, 2 ** 32 - Q];
    let s = 12345;
    for (let i = 0; i < 20000; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      xs.push(s, s % (7 * Q * Q));
    }
    const wrong = xs.filter((x) => barrett(x) !== x % Q);
    expect(wrong).toEqual([]);
  });

  it("NTT⁻¹(NTT(f)) = f", () => {
    const f = newPoly();
    for (let i = 0; i < 256; i++) f[i] = (i * 1237 + 5) % Q;
    const g = f.slice();
    ntt(g);
    expect(g).not.toEqual(f);
    invNtt(g);
    expect(g).toEqual(f);
  });
});

describe("ML-KEM-768 input checks (FIPS 203 §7)", () => {
  const seed = bytes(64, (i) => i * 3 + 1);
  const kp = mlkem768Keygen(seed);
  const m = bytes(32, (i) => 200 - i);
  const enc = mlkem768Encapsulate(kp.publicKey, m);

  it("produces the FIPS 203 sizes and agrees with noble", () => {
    expect([kp.publicKey.length, kp.secretKey.length, enc.ciphertext.length, enc.sharedSecret.length]).toEqual([EK_BYTES, DK_BYTES, CT_BYTES, 32]);
    const ref = ml_kem768.keygen(seed);
    expect(hex(kp.secretKey)).toBe(hex(ref.secretKey));
    expect(hex(enc.ciphertext)).toBe(hex(ml_kem768.encapsulate(ref.publicKey, m).cipherText));
  });

  it("rejects bad lengths with a clear error", () => {
    expect(() => mlkem768Keygen(new Uint8Array(63))).toThrow(/seed.*64 bytes, got 63/);
    expect(() => mlkem768Keygen(new Uint8Array(65))).toThrow(/seed.*64 bytes, got 65/);
    expect(() => mlkem768Encapsulate((kp.publicKey as Uint8Array).slice(0, EK_BYTES - 1), m)).toThrow(/encapsulation key must be 1184 bytes, got 1183/);
    expect(() => mlkem768Encapsulate(new Uint8Array(EK_BYTES + 1), m)).toThrow(/encapsulation key must be 1184 bytes/);
    expect(() => mlkem768Encapsulate(kp.publicKey, new Uint8Array(31))).toThrow(/randomness m must be 32 bytes/);
    expect(() => mlkem768Decapsulate(kp.secretKey, new Uint8Array(CT_BYTES - 1))).toThrow(/ciphertext must be 1088 bytes, got 1087/);
    expect(() => mlkem768Decapsulate(kp.secretKey, new Uint8Array(CT_BYTES + 1))).toThrow(/ciphertext must be 1088 bytes/);
    expect(() => mlkem768Decapsulate(new Uint8Array(DK_BYTES - 1), enc.ciphertext)).toThrow(/decapsulation key must be 2400 bytes, got 2399/);
  });

  /** ek with the 12-bit coefficient number `coeff` set to `value`. */
  function withCoefficient(coeff: number, value: number): Uint8Array {
    const ek = Uint8Array.from(kp.publicKey as Uint8Array);
    const at = Math.floor(coeff / 2) * 3;
    if (coeff % 2 === 0) {
      ek[at] = value & 0xff;
      ek[at + 1] = (ek[at + 1] & 0xf0) | (value >>> 8);
    } else {
      ek[at + 1] = (ek[at + 1] & 0x0f) | ((value & 0x0f) << 4);
      ek[at + 2] = value >>> 4;
    }
    return ek;
  }

  it("runs the encapsulation key modulus check on every coefficient", () => {
    for (const coeff of [0, 1, 255, 256, 511, 767]) {
      for (const value of [Q, Q + 1, 4095]) {
        expect(() => mlkem768Encapsulate(withCoefficient(coeff, value), m)).toThrow(/modulus check/);
      }
      // q - 1 is a valid coefficient: the check must not be off by one.
      expect(() => mlkem768Encapsulate(withCoefficient(coeff, Q - 1), m)).not.toThrow();
    }
  });

  it("runs the decapsulation key hash check", () => {
    for (const at of [1152, 1152 + 1183, 2336, 2367]) {
      const dk = Uint8Array.from(kp.secretKey as Uint8Array);
      dk[at] ^= 0x10;
      expect(() => mlkem768Decapsulate(dk, enc.ciphertext)).toThrow(/hash check/);
    }
    // dk_PKE and z are not covered by the hash: a changed z only changes the rejection key.
    const dk = Uint8Array.from(kp.secretKey as Uint8Array);
    dk[2399] ^= 1;
    expect(hex(mlkem768Decapsulate(dk, enc.ciphertext))).toBe(hex(enc.sharedSecret));
  });
});

describe("ML-KEM-768 implicit rejection", () => {
  const kp = mlkem768Keygen(bytes(64, (i) => 255 - i));
  const enc = mlkem768Encapsulate(kp.publicKey, bytes(32, (i) => i));
  const z = (kp.secretKey as Uint8Array).slice(DK_BYTES - 32);

  it("returns K for the valid ciphertext", () => {
    expect(hex(mlkem768Decapsulate(kp.secretKey, enc.ciphertext))).toBe(hex(enc.sharedSecret));
  });

  it("returns J(z || c) = SHAKE256(z || c, 32) for tampered ciphertexts", () => {
    for (const at of [0, 500, 959, 960, 1087]) {
      const c = Uint8Array.from(enc.ciphertext as Uint8Array);
      c[at] ^= 0x04;
      const got = hex(mlkem768Decapsulate(kp.secretKey, c));
      const jzc = new Uint8Array(32 + CT_BYTES);
      jzc.set(z);
      jzc.set(c, 32);
      expect(got).toBe(hex(nobleShake256(jzc, { dkLen: 32 })));
      expect(got).not.toBe(hex(enc.sharedSecret));
    }
  });

  it("rejects a ciphertext made for another key", () => {
    const other = mlkem768Keygen(bytes(64, (i) => i * 5));
    const c = mlkem768Encapsulate(other.publicKey, bytes(32, () => 7)).ciphertext;
    expect(hex(mlkem768Decapsulate(kp.secretKey, c))).toBe(hex(ml_kem768.decapsulate(c as Uint8Array, kp.secretKey as Uint8Array)));
  });
});
