/**
 * AES-256-GCM (NIST SP 800-38D) with any IV length of at least one byte: a 12-byte IV
 * gives J0 = IV ‖ 0^31 ‖ 1, any other length J0 = GHASH(IV ‖ 0-pad ‖ 0^64 ‖ [len(IV) in
 * bits]_64) (§7.1); SimpleX uses 16-byte IVs. Returns ciphertext ‖ 16-byte tag.
 * Both AES (aes.ts, bitsliced) and GHASH (ghash.ts, multiplications on split operands)
 * are constant-time; open compares tags with ctEqual before decrypting.
 */
import { Bytes, alloc, wipe } from "../../port/bytes";
import { ctEqual } from "../../port/ct";
import { load32be, load32le, store32le } from "../../port/u32";
import { aes256EncryptPair, aes256ExpandKey } from "./aes";
import { Ghash } from "./ghash";

export const AES256GCM_TAG_BYTES = 16;
const TAG = 16;
const BLOCK = 16;
const IV_FAST_BYTES = 12;
// 2^29: byte lengths are split so that (bytes * 8) fits the two 32-bit halves of the length block.
const BITS_HI_DIVISOR = 0x20000000;

interface GcmState {
  rk: number[];
  ghash: Ghash;
  /** J0 as little-endian words 0..2 (the AES input layout) and its counter (bytes 12..15, big-endian). */
  c0: number;
  c1: number;
  c2: number;
  counter: number;
  /** E_K(J0), XORed onto the GHASH output to make the tag. */
  tagMask: Bytes;
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function wordsToBytes(io: number[], off: number): Bytes {
  const b = alloc(BLOCK);
  for (let c = 0; c < 4; c++) {
    store32le(b, 4 * c, io[off + c]);
  }
  return b;
}

function setup(key: Bytes, iv: Bytes): GcmState {
  const rk = aes256ExpandKey(key);
  if (iv.length < 1) {
    throw new Error("aes256gcm: IV must be at least 1 byte");
  }
  const io: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  const q: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  aes256EncryptPair(rk, io, q);
  const ghash = new Ghash(wordsToBytes(io, 0));
  let j0: Bytes;
  if (iv.length === IV_FAST_BYTES) {
    j0 = alloc(BLOCK);
    for (let i = 0; i < IV_FAST_BYTES; i++) {
      j0[i] = iv[i];
    }
    j0[15] = 1;
  } else {
    const g = new Ghash(wordsToBytes(io, 0));
    g.update(iv, 0, iv.length);
    g.updateWords(0, 0, Math.floor(iv.length / BITS_HI_DIVISOR), ((iv.length % BITS_HI_DIVISOR) * 8) >>> 0);
    j0 = g.digest();
    g.wipe();
  }
  const st: GcmState = {
    rk: rk,
    ghash: ghash,
    c0: load32le(j0, 0),
    c1: load32le(j0, 4),
    c2: load32le(j0, 8),
    counter: load32be(j0, 12),
    tagMask: alloc(0),
  };
  for (let c = 0; c < 4; c++) {
    io[c] = load32le(j0, 4 * c);
    io[4 + c] = 0;
  }
  aes256EncryptPair(rk, io, q);
  st.tagMask = wordsToBytes(io, 0);
  return st;
}

/**
 * GCTR from inc32(J0): dst[dstOff..+len) = src[srcOff..+len) XOR E_K(inc32^i(J0)),
 * two counter blocks per bitsliced AES call. The counter wraps mod 2^32 (inc32).
 */
function gctr(st: GcmState, src: Bytes, srcOff: number, dst: Bytes, dstOff: number, len: number): void {
  const io: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  const q: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  let ctr = st.counter;
  for (let done = 0; done < len; done += 2 * BLOCK) {
    ctr = (ctr + 1) >>> 0;
    io[0] = st.c0; io[1] = st.c1; io[2] = st.c2; io[3] = bswap32(ctr);
    ctr = (ctr + 1) >>> 0;
    io[4] = st.c0; io[5] = st.c1; io[6] = st.c2; io[7] = bswap32(ctr);
    aes256EncryptPair(st.rk, io, q);
    const n = len - done < 2 * BLOCK ? len - done : 2 * BLOCK;
    const s = srcOff + done;
    const d = dstOff + done;
    if (n === 2 * BLOCK) {
      for (let w = 0; w < 8; w++) {
        const k = io[w];
        const o = 4 * w;
        dst[d + o] = (src[s + o] ^ k) & 0xff;
        dst[d + o + 1] = (src[s + o + 1] ^ (k >>> 8)) & 0xff;
        dst[d + o + 2] = (src[s + o + 2] ^ (k >>> 16)) & 0xff;
        dst[d + o + 3] = (src[s + o + 3] ^ (k >>> 24)) & 0xff;
      }
    } else {
      const ks = alloc(2 * BLOCK);
      for (let w = 0; w < 8; w++) {
        store32le(ks, 4 * w, io[w]);
      }
      for (let j = 0; j < n; j++) {
        dst[d + j] = (src[s + j] ^ ks[j]) & 0xff;
      }
    }
  }
}

/** Key erasure once the operation is done: round keys, GHASH key material, E_K(J0). */
function wipeState(st: GcmState): void {
  for (let i = 0; i < st.rk.length; i++) {
    st.rk[i] = 0;
  }
  st.ghash.wipe();
  wipe(st.tagMask);
}

/** GHASH(A ‖ pad ‖ C ‖ pad ‖ [len(A)]_64 ‖ [len(C)]_64) XOR E_K(J0). */
function computeTag(st: GcmState, aad: Bytes, ct: Bytes, ctLen: number): Bytes {
  st.ghash.update(aad, 0, aad.length);
  st.ghash.update(ct, 0, ctLen);
  st.ghash.updateWords(
    Math.floor(aad.length / BITS_HI_DIVISOR), ((aad.length % BITS_HI_DIVISOR) * 8) >>> 0,
    Math.floor(ctLen / BITS_HI_DIVISOR), ((ctLen % BITS_HI_DIVISOR) * 8) >>> 0,
  );
  const tag = st.ghash.digest();
  for (let i = 0; i < TAG; i++) {
    tag[i] = (tag[i] ^ st.tagMask[i]) & 0xff;
  }
  return tag;
}

export function aes256gcmSeal(key: Bytes, iv: Bytes, aad: Bytes, plaintext: Bytes): Bytes {
  const st = setup(key, iv);
  const n = plaintext.length;
  const out = alloc(n + TAG);
  gctr(st, plaintext, 0, out, 0, n);
  const tag = computeTag(st, aad, out, n);
  for (let i = 0; i < TAG; i++) {
    out[n + i] = tag[i];
  }
  wipeState(st);
  return out;
}

export function aes256gcmOpen(key: Bytes, iv: Bytes, aad: Bytes, sealed: Bytes): Bytes | undefined {
  const st = setup(key, iv);
  if (sealed.length < TAG) {
    wipeState(st);
    return undefined;
  }
  const n = sealed.length - TAG;
  const expected = computeTag(st, aad, sealed, n);
  const got = alloc(TAG);
  for (let i = 0; i < TAG; i++) {
    got[i] = sealed[n + i];
  }
  let out: Bytes | undefined;
  if (ctEqual(expected, got)) {
    out = alloc(n);
    gctr(st, sealed, 0, out, 0, n);
  }
  wipeState(st);
  return out;
}
