// Edge cases of the portable ChaCha20-Poly1305, secretbox/HSalsa20 and AES-256-GCM that the
// vector files cannot express: argument errors on every entry point, the ChaCha20 block
// counter limit, in-place use, Poly1305 and GHASH arithmetic at extreme values against
// BigInt references, incremental Poly1305, GCM IVs outside what noble or node:crypto
// accept, and messages longer than 64 KiB. Other expected values come from RFC 8439,
// @noble/ciphers and node:crypto.
import { createCipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import { chacha20poly1305 as nChaCha } from "@noble/ciphers/chacha.js";
import { secretbox as nSecretbox } from "@noble/ciphers/salsa.js";
import { gcm as nGcm } from "@noble/ciphers/aes.js";
import type { Bytes } from "../../port/bytes";
import { chacha20Keystream, chacha20Xor, chacha20XorInto } from "./chacha20";
import { Poly1305, poly1305 } from "./poly1305";
import { chacha20poly1305Open, chacha20poly1305Seal } from "./chacha20poly1305";
import { hsalsa20, salsa20XorInto, xsalsa20Subkey } from "./salsa20";
import { secretboxOpen, secretboxSeal } from "./secretbox";
import { aes256EncryptBlock, aes256ExpandKey } from "./aes";
import { Ghash } from "./ghash";
import { aes256gcmOpen, aes256gcmSeal } from "./aesgcm";

const hex = (b: Bytes | Uint8Array) => Buffer.from(b as Uint8Array).toString("hex");
const unhex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + (i >>> 3)) & 0xff);
const z = (n: number) => new Uint8Array(n);
const ff = (n: number) => new Uint8Array(n).fill(0xff);

// RFC 8439 Appendix A.2 (ChaCha20 encryption), transcribed from the RFC text.
const RFC8439_CHACHA20: { key: string; nonce: string; counter: number; pt: string; ct: string }[] = [
  {
    key: "0000000000000000000000000000000000000000000000000000000000000000",
    nonce: "000000000000000000000000",
    counter: 0,
    pt: "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    + "00000000000000000000000000000000",
    ct: "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a37"
    + "6a43b8f41518a11cc387b669b2ee6586",
  },
  {
    key: "0000000000000000000000000000000000000000000000000000000000000001",
    nonce: "000000000000000000000002",
    counter: 1,
    pt: "416e79207375626d697373696f6e20746f20746865204945544620696e74656e6465642062792074686520436f6e7472"
    + "696275746f7220666f72207075626c69636174696f6e20617320616c6c206f722070617274206f6620616e2049455446"
    + "20496e7465726e65742d4472616674206f722052464320616e6420616e792073746174656d656e74206d616465207769"
    + "7468696e2074686520636f6e74657874206f6620616e204945544620616374697669747920697320636f6e7369646572"
    + "656420616e20224945544620436f6e747269627574696f6e222e20537563682073746174656d656e747320696e636c75"
    + "6465206f72616c2073746174656d656e747320696e20494554462073657373696f6e732c2061732077656c6c20617320"
    + "7772697474656e20616e6420656c656374726f6e696320636f6d6d756e69636174696f6e73206d61646520617420616e"
    + "792074696d65206f7220706c6163652c207768696368206172652061646472657373656420746f",
    ct: "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec2a97948bd3722915c8f3d337f7d37005"
    + "0e9e96d647b7c39f56e031ca5eb6250d4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7c6132f420e527950"
    + "42bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85ad00f8449ed8f72d0d662ab052691ca66"
    + "424bc86d2df80ea41f43abf937d3259dc4b2d0dfb48a6c9139ddd7f76966e928e635553ba76c5c879d7b35d49eb2e62b"
    + "0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf3daa8b6ccc3aaf9f3979c92b3720fc88dc95ed84"
    + "a1be059c6499b9fda236e7e818b04b0bc39c1e876b193bfe5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f"
    + "5869ca52c5b83fa36ff216b9c1d30062bebcfd2dc5bce0911934fda79a86f6e698ced759c3ff9b6477338f3da4f9cd85"
    + "14ea9982ccafb341b2384dd902f3d1ab7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221",
  },
  {
    key: "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
    nonce: "000000000000000000000002",
    counter: 42,
    pt: "2754776173206272696c6c69672c20616e642074686520736c6974687920746f7665730a446964206779726520616e64"
    + "2067696d626c6520696e2074686520776162653a0a416c6c206d696d737920776572652074686520626f726f676f7665"
    + "732c0a416e6420746865206d6f6d65207261746873206f757467726162652e",
    ct: "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf166d3df2d721caf9b21e5fb14c616871"
    + "fd84c54f9d65b283196c7fe4f60553ebf39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77"
    + "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1",
  },
];
// RFC 8439 §2.5.2 and Appendix A.3 #1-#11 (Poly1305; #5-#11 probe the final reduction).
const RFC8439_POLY1305: { name: string; key: string; msg: string; tag: string }[] = [
  { name: "2.5.2", key: "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b", msg: "43727970746f6772617068696320466f72756d2052657365617263682047726f7570", tag: "a8061dc1305136c6c22b8baf0c0127a9" },
  {
    name: "A.3 #1",
    key: "0000000000000000000000000000000000000000000000000000000000000000",
    msg: "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    + "00000000000000000000000000000000",
    tag: "00000000000000000000000000000000",
  },
  {
    name: "A.3 #2",
    key: "0000000000000000000000000000000036e5f6b5c5e06070f0efca96227a863e",
    msg: "416e79207375626d697373696f6e20746f20746865204945544620696e74656e6465642062792074686520436f6e7472"
    + "696275746f7220666f72207075626c69636174696f6e20617320616c6c206f722070617274206f6620616e2049455446"
    + "20496e7465726e65742d4472616674206f722052464320616e6420616e792073746174656d656e74206d616465207769"
    + "7468696e2074686520636f6e74657874206f6620616e204945544620616374697669747920697320636f6e7369646572"
    + "656420616e20224945544620436f6e747269627574696f6e222e20537563682073746174656d656e747320696e636c75"
    + "6465206f72616c2073746174656d656e747320696e20494554462073657373696f6e732c2061732077656c6c20617320"
    + "7772697474656e20616e6420656c656374726f6e696320636f6d6d756e69636174696f6e73206d61646520617420616e"
    + "792074696d65206f7220706c6163652c207768696368206172652061646472657373656420746f",
    tag: "36e5f6b5c5e06070f0efca96227a863e",
  },
  {
    name: "A.3 #3",
    key: "36e5f6b5c5e06070f0efca96227a863e00000000000000000000000000000000",
    msg: "416e79207375626d697373696f6e20746f20746865204945544620696e74656e6465642062792074686520436f6e7472"
    + "696275746f7220666f72207075626c69636174696f6e20617320616c6c206f722070617274206f6620616e2049455446"
    + "20496e7465726e65742d4472616674206f722052464320616e6420616e792073746174656d656e74206d616465207769"
    + "7468696e2074686520636f6e74657874206f6620616e204945544620616374697669747920697320636f6e7369646572"
    + "656420616e20224945544620436f6e747269627574696f6e222e20537563682073746174656d656e747320696e636c75"
    + "6465206f72616c2073746174656d656e747320696e20494554462073657373696f6e732c2061732077656c6c20617320"
    + "7772697474656e20616e6420656c656374726f6e696320636f6d6d756e69636174696f6e73206d61646520617420616e"
    + "792074696d65206f7220706c6163652c207768696368206172652061646472657373656420746f",
    tag: "f3477e7cd95417af89a6b8794c310cf0",
  },
  {
    name: "A.3 #4",
    key: "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
    msg: "2754776173206272696c6c69672c20616e642074686520736c6974687920746f7665730a446964206779726520616e64"
    + "2067696d626c6520696e2074686520776162653a0a416c6c206d696d737920776572652074686520626f726f676f7665"
    + "732c0a416e6420746865206d6f6d65207261746873206f757467726162652e",
    tag: "4541669a7eaaee61e708dc7cbcc5eb62",
  },
  {
    name: "A.3 #5",
    key: "0200000000000000000000000000000000000000000000000000000000000000",
    msg: "ffffffffffffffffffffffffffffffff",
    tag: "03000000000000000000000000000000",
  },
  {
    name: "A.3 #6",
    key: "02000000000000000000000000000000ffffffffffffffffffffffffffffffff",
    msg: "02000000000000000000000000000000",
    tag: "03000000000000000000000000000000",
  },
  {
    name: "A.3 #7",
    key: "0100000000000000000000000000000000000000000000000000000000000000",
    msg: "fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff11000000000000000000000000000000",
    tag: "05000000000000000000000000000000",
  },
  {
    name: "A.3 #8",
    key: "0100000000000000000000000000000000000000000000000000000000000000",
    msg: "fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe01010101010101010101010101010101",
    tag: "00000000000000000000000000000000",
  },
  {
    name: "A.3 #9",
    key: "0200000000000000000000000000000000000000000000000000000000000000",
    msg: "fdffffffffffffffffffffffffffffff",
    tag: "faffffffffffffffffffffffffffffff",
  },
  {
    name: "A.3 #10",
    key: "0100000000000000040000000000000000000000000000000000000000000000",
    msg: "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000"
    + "01000000000000000000000000000000",
    tag: "14000000000000005500000000000000",
  },
  {
    name: "A.3 #11",
    key: "0100000000000000040000000000000000000000000000000000000000000000",
    msg: "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000",
    tag: "13000000000000000000000000000000",
  },
];

describe("ChaCha20", () => {
  for (const v of RFC8439_CHACHA20) {
    it(`RFC 8439 A.2, initial counter ${v.counter}`, () => {
      expect(hex(chacha20Xor(unhex(v.key), unhex(v.nonce), v.counter, unhex(v.pt)))).toBe(v.ct);
    });
  }

  it("RFC 8439 A.4: Poly1305 key generation is keystream block 0", () => {
    expect(hex(chacha20Keystream(z(32), z(12), 0, 32))).toBe("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7");
    const key3 = unhex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    expect(hex(chacha20Keystream(key3, unhex("000000000000000000000002"), 0, 32)))
      .toBe("965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae");
  });

  it("works in place and at an offset", () => {
    const key = bytes(32, 1);
    const nonce = bytes(12, 2);
    const msg = bytes(200, 3);
    const expected = chacha20Xor(key, nonce, 7, msg.subarray(50, 180));
    const buf = msg.slice();
    chacha20XorInto(key, nonce, 7, buf, 50, buf, 50, 130);
    expect(hex(buf.subarray(50, 180))).toBe(hex(expected));
    expect(hex(buf.subarray(0, 50))).toBe(hex(msg.subarray(0, 50)));
    expect(hex(buf.subarray(180))).toBe(hex(msg.subarray(180)));
  });

  it("refuses to wrap the 32-bit block counter", () => {
    const last = 0xffffffff;
    expect(() => chacha20Xor(z(32), z(12), last, z(64))).not.toThrow();
    expect(() => chacha20Xor(z(32), z(12), last, z(65))).toThrow(/counter/);
    expect(() => chacha20Xor(z(32), z(12), 0x100000000, z(1))).toThrow(/counter/);
    expect(() => chacha20Xor(z(32), z(12), -1, z(1))).toThrow(/counter/);
    expect(() => chacha20Xor(z(32), z(12), 1.5, z(1))).toThrow(/counter/);
  });

  it("rejects wrong key and nonce sizes", () => {
    expect(() => chacha20Xor(z(31), z(12), 0, z(1))).toThrow(/key must be 32 bytes, got 31/);
    expect(() => chacha20Xor(z(32), z(8), 0, z(1))).toThrow(/nonce must be 12 bytes, got 8/);
    expect(() => chacha20Keystream(z(32), z(12), 0, 65)).toThrow(/keystream length/);
  });
});

/** Poly1305 straight from the definition (RFC 8439 §2.5), on BigInt. */
function poly1305Reference(key: Uint8Array, msg: Uint8Array): string {
  const le = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
  const p = (1n << 130n) - 5n;
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = le(key.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = msg.subarray(i, i + 16);
    acc = ((acc + le(block) + (1n << BigInt(8 * block.length))) * r) % p;
  }
  let t = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return hex(out);
}

describe("Poly1305", () => {
  for (const v of RFC8439_POLY1305) {
    it(`RFC 8439 ${v.name}`, () => {
      expect(hex(poly1305(unhex(v.key), unhex(v.msg)))).toBe(v.tag);
      expect(poly1305Reference(unhex(v.key), unhex(v.msg))).toBe(v.tag);
    });
  }

  it("matches the BigInt definition at extreme keys and messages", () => {
    // All-ones r (after clamping: the largest limbs) and messages of all-ones blocks keep
    // every limb product at its bound; the other keys and lengths probe the carries.
    const keys = [ff(32), z(32), Uint8Array.from([...ff(16), ...z(16)]), Uint8Array.from([...z(16), ...ff(16)]), bytes(32, 9)];
    const msgs = [ff(16), ff(17), ff(160), ff(1000), z(48), bytes(33, 4), Uint8Array.from({ length: 255 }, (_, i) => (i % 2 ? 0xff : 0xfe))];
    for (const key of keys) {
      for (const msg of msgs) {
        expect(hex(poly1305(key, msg))).toBe(poly1305Reference(key, msg));
      }
    }
  });

  it("gives the same tag for any split of the message", () => {
    const key = bytes(32, 5);
    const msg = bytes(300, 6);
    const whole = hex(poly1305(key, msg));
    for (const cuts of [[0], [1], [15], [16], [17], [3, 4, 5, 100], [31, 32, 33, 299]]) {
      const p = new Poly1305(key);
      let prev = 0;
      for (const c of [...cuts, msg.length]) {
        p.update(msg, prev, c - prev);
        prev = c;
      }
      expect(hex(p.finish())).toBe(whole);
    }
  });

  it("pads to a block boundary only when needed", () => {
    const key = bytes(32, 7);
    const p = new Poly1305(key);
    p.update(bytes(20, 1), 0, 20);
    p.padToBlock();
    p.padToBlock();
    const padded = Uint8Array.from([...bytes(20, 1), ...z(12)]);
    expect(hex(p.finish())).toBe(poly1305Reference(key, padded));
  });

  it("is single-use and checks the key size", () => {
    const p = new Poly1305(z(32));
    p.finish();
    expect(() => p.finish()).toThrow(/finish called twice/);
    expect(() => p.update(z(1), 0, 1)).toThrow(/update after finish/);
    expect(() => new Poly1305(z(16))).toThrow(/key must be 32 bytes, got 16/);
  });
});

describe("ChaCha20-Poly1305", () => {
  it("rejects wrong key and nonce sizes in seal and open", () => {
    expect(() => chacha20poly1305Seal(z(31), z(12), z(0), z(1))).toThrow(/key must be 32 bytes/);
    expect(() => chacha20poly1305Seal(z(32), z(24), z(0), z(1))).toThrow(/nonce must be 12 bytes/);
    expect(() => chacha20poly1305Open(z(33), z(12), z(0), z(16))).toThrow(/key must be 32 bytes/);
    expect(() => chacha20poly1305Open(z(32), z(8), z(0), z(16))).toThrow(/nonce must be 12 bytes/);
    // Too short to hold a tag: an authentication failure, but sizes are still checked first.
    expect(chacha20poly1305Open(z(32), z(12), z(0), z(15))).toBeUndefined();
    expect(() => chacha20poly1305Open(z(32), z(8), z(0), z(15))).toThrow(/nonce must be 12 bytes/);
  });

  it("round-trips more than 64 KiB (block counters past 1024) like noble", () => {
    const key = bytes(32, 11);
    const nonce = bytes(12, 12);
    const aad = bytes(70, 13);
    const pt = bytes(70000, 14);
    const sealed = chacha20poly1305Seal(key, nonce, aad, pt);
    expect(hex(sealed)).toBe(hex(nChaCha(key, nonce, aad).encrypt(pt)));
    expect(hex(chacha20poly1305Open(key, nonce, aad, sealed) as Uint8Array)).toBe(hex(pt));
  });
});

describe("HSalsa20, XSalsa20 and secretbox", () => {
  it("rejects wrong sizes", () => {
    expect(() => hsalsa20(z(31), z(16))).toThrow(/key must be 32 bytes, got 31/);
    expect(() => hsalsa20(z(32), z(24))).toThrow(/input must be 16 bytes, got 24/);
    expect(() => xsalsa20Subkey(z(32), z(16))).toThrow(/nonce must be 24 bytes/);
    expect(() => salsa20XorInto(z(16), z(8), 0, 0, z(1), 0, z(1), 0, 1)).toThrow(/key must be 32 bytes/);
    expect(() => secretboxSeal(z(16), z(24), z(1))).toThrow(/key must be 32 bytes, got 16/);
    expect(() => secretboxSeal(z(32), z(12), z(1))).toThrow(/nonce must be 24 bytes, got 12/);
    expect(() => secretboxOpen(z(31), z(24), z(16))).toThrow(/key must be 32 bytes/);
    expect(() => secretboxOpen(z(32), z(23), z(16))).toThrow(/nonce must be 24 bytes/);
  });

  it("treats boxes shorter than the tag as forgeries", () => {
    expect(secretboxOpen(z(32), z(24), z(0))).toBeUndefined();
    expect(secretboxOpen(z(32), z(24), z(15))).toBeUndefined();
  });

  it("seals the empty message to a bare tag and opens it", () => {
    const key = bytes(32, 1);
    const nonce = bytes(24, 2);
    const boxed = secretboxSeal(key, nonce, z(0));
    expect(boxed.length).toBe(16);
    expect(hex(boxed)).toBe(hex(nSecretbox(key, nonce).seal(z(0))));
    expect(secretboxOpen(key, nonce, boxed)?.length).toBe(0);
  });

  it("round-trips more than 64 KiB like noble (64-bit Salsa20 counter past one word of blocks)", () => {
    const key = bytes(32, 3);
    const nonce = bytes(24, 4);
    const pt = bytes(70000, 5);
    const boxed = secretboxSeal(key, nonce, pt);
    expect(hex(boxed)).toBe(hex(nSecretbox(key, nonce).seal(pt)));
    expect(hex(secretboxOpen(key, nonce, boxed) as Uint8Array)).toBe(hex(pt));
  });
});

/** GF(2^128) multiplication of GCM blocks straight from SP 800-38D Algorithm 1, on BigInt. */
function gfmulReference(x: bigint, y: bigint): bigint {
  const R = 0xe1n << 120n;
  let zz = 0n;
  let v = y;
  for (let i = 127; i >= 0; i--) {
    if ((x >> BigInt(i)) & 1n) zz ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return zz;
}

function ghashReference(h: Uint8Array, msg: Uint8Array): string {
  const be = (b: Uint8Array) => b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
  const hh = be(h);
  let y = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = new Uint8Array(16);
    block.set(msg.subarray(i, i + 16));
    y = gfmulReference(y ^ be(block), hh);
  }
  return y.toString(16).padStart(32, "0");
}

describe("AES-256 and GHASH", () => {
  it("FIPS 197 C.3", () => {
    const out = new Uint8Array(16);
    aes256EncryptBlock(aes256ExpandKey(Uint8Array.from({ length: 32 }, (_, i) => i)), unhex("00112233445566778899aabbccddeeff"), 0, out, 0);
    expect(hex(out)).toBe("8ea2b7ca516745bfeafc49904b496089");
  });

  it("rejects a key that is not 32 bytes", () => {
    expect(() => aes256ExpandKey(z(16))).toThrow(/key must be 32 bytes, got 16/);
    expect(() => new Ghash(z(15))).toThrow(/key must be 16 bytes/);
  });

  it("GHASH matches the bit-serial definition, including the reduction's second fold", () => {
    // All-ones operands set the product's top coefficients (x^249..x^254), whose
    // reduction folds twice; single bits walk the product across the word boundaries.
    const hs = [ff(16), unhex("80000000000000000000000000000000"), unhex("00000000000000000000000000000001"), bytes(16, 1), bytes(16, 2)];
    const msgs = [ff(16), ff(48), unhex("00000000000000000000000000000001"), unhex("80000000000000000000000000000000"), bytes(100, 3), z(32)];
    for (const h of hs) {
      for (const m of msgs) {
        const g = new Ghash(h);
        g.update(m, 0, m.length);
        expect(hex(g.digest())).toBe(ghashReference(h, m));
      }
    }
  });
});

/** AES-256-GCM from node:crypto (OpenSSL), which accepts IVs of 1 to 128 bytes. */
function nodeGcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, pt: Uint8Array): string {
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(aad);
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]).toString("hex");
}

describe("AES-256-GCM", () => {
  it("rejects wrong key sizes and an empty IV in seal and open", () => {
    expect(() => aes256gcmSeal(z(16), z(12), z(0), z(1))).toThrow(/key must be 32 bytes, got 16/);
    expect(() => aes256gcmOpen(z(24), z(12), z(0), z(16))).toThrow(/key must be 32 bytes, got 24/);
    expect(() => aes256gcmSeal(z(32), z(0), z(0), z(1))).toThrow(/IV must be at least 1 byte/);
    expect(() => aes256gcmOpen(z(32), z(0), z(0), z(16))).toThrow(/IV must be at least 1 byte/);
    expect(aes256gcmOpen(z(32), z(12), z(0), z(15))).toBeUndefined();
  });

  it("accepts IVs of 1 to 7 bytes (below noble's limit) like node:crypto", () => {
    for (let n = 1; n <= 7; n++) {
      const key = bytes(32, n);
      const iv = bytes(n, n + 1);
      const aad = bytes(n * 3, n + 2);
      const pt = bytes(40 + n, n + 3);
      const sealed = aes256gcmSeal(key, iv, aad, pt);
      expect(hex(sealed)).toBe(nodeGcmSeal(key, iv, aad, pt));
      expect(hex(aes256gcmOpen(key, iv, aad, sealed) as Uint8Array)).toBe(hex(pt));
    }
  });

  it("accepts IVs longer than 128 bytes (beyond node:crypto) like noble", () => {
    for (const n of [129, 200, 257]) {
      const key = bytes(32, n);
      const iv = bytes(n, 1);
      const pt = bytes(33, 2);
      expect(hex(aes256gcmSeal(key, iv, z(0), pt))).toBe(hex(nGcm(key, iv, z(0)).encrypt(pt)));
    }
  });

  it("round-trips more than 64 KiB with 12- and 16-byte IVs like noble", () => {
    for (const ivLen of [12, 16]) {
      const key = bytes(32, ivLen);
      const iv = bytes(ivLen, 1);
      const aad = bytes(33, 2);
      const pt = bytes(70001, 3);
      const sealed = aes256gcmSeal(key, iv, aad, pt);
      expect(hex(sealed)).toBe(hex(nGcm(key, iv, aad).encrypt(pt)));
      expect(hex(aes256gcmOpen(key, iv, aad, sealed) as Uint8Array)).toBe(hex(pt));
    }
  });
});
