/**
 * ByteEncode_d / ByteDecode_d (FIPS 203 Algorithms 5, 6) for the widths ML-KEM-768 uses
 * (12, 10, 4, 1), and Compress_d / Decompress_d (§4.2.1). Compression of secret values
 * divides by q through a multiply by floor(2^36/q) and a power-of-two scale: exact for
 * every input in [0, q) (checked exhaustively in pq.test.ts), with no division instruction.
 */
import { Bytes } from "../../port/bytes";
import { N, Q } from "./mlkem-params";
import { condSubQ } from "./mlkem-reduce";

/** floor(2^36 / q) and 2^-36: x / q ≈ x · M / 2^36 with error below 1/q for x < 2^24. */
const COMPRESS_M = 20642678;
const TWO_POW_MINUS_36 = 1 / 68719476736;
/** (q + 1) / 2: adding it before the truncating divide rounds half up (⌈·⌋ in FIPS 203). */
const HALF_Q_UP = 1665;

/** ByteEncode_12 of f (coefficients in [0, q)) into out[off..off+384). */
export function encode12(f: number[], out: Bytes, off: number): void {
  for (let i = 0; i < N >>> 1; i++) {
    const a = f[2 * i];
    const b = f[2 * i + 1];
    out[off + 3 * i] = a & 0xff;
    out[off + 3 * i + 1] = ((a >>> 8) | (b << 4)) & 0xff;
    out[off + 3 * i + 2] = (b >>> 4) & 0xff;
  }
}

/** ByteDecode_12 of in[off..off+384) without reduction: values in [0, 4096). */
export function decode12Raw(src: Bytes, off: number, f: number[]): void {
  for (let i = 0; i < N >>> 1; i++) {
    const x0 = src[off + 3 * i];
    const x1 = src[off + 3 * i + 1];
    const x2 = src[off + 3 * i + 2];
    f[2 * i] = x0 | ((x1 & 0x0f) << 8);
    f[2 * i + 1] = (x1 >>> 4) | (x2 << 4);
  }
}

/** ByteDecode_12 (reduces mod q, as Algorithm 6 does for d = 12). */
export function decode12(src: Bytes, off: number, f: number[]): void {
  decode12Raw(src, off, f);
  for (let i = 0; i < N; i++) {
    f[i] = condSubQ(f[i]);
  }
}

/** Compress_d(x) for x in [0, q) and 1 ≤ d ≤ 11. */
export function compress(x: number, d: number): number {
  const num = x * (1 << d) + HALF_Q_UP;
  return Math.floor(num * COMPRESS_M * TWO_POW_MINUS_36) & ((1 << d) - 1);
}

/** Decompress_d(y) for y in [0, 2^d). */
export function decompress(y: number, d: number): number {
  return (y * Q + (1 << (d - 1))) >>> d;
}

/** ByteEncode_10(Compress_10(f)) into out[off..off+320). */
export function encodeCompressed10(f: number[], out: Bytes, off: number): void {
  for (let i = 0; i < N >>> 2; i++) {
    const a = compress(f[4 * i], 10);
    const b = compress(f[4 * i + 1], 10);
    const c = compress(f[4 * i + 2], 10);
    const d = compress(f[4 * i + 3], 10);
    const o = off + 5 * i;
    out[o] = a & 0xff;
    out[o + 1] = ((a >>> 8) | (b << 2)) & 0xff;
    out[o + 2] = ((b >>> 6) | (c << 4)) & 0xff;
    out[o + 3] = ((c >>> 4) | (d << 6)) & 0xff;
    out[o + 4] = (d >>> 2) & 0xff;
  }
}

/** Decompress_10(ByteDecode_10(src[off..off+320))) into f. */
export function decodeDecompress10(src: Bytes, off: number, f: number[]): void {
  for (let i = 0; i < N >>> 2; i++) {
    const o = off + 5 * i;
    const x0 = src[o];
    const x1 = src[o + 1];
    const x2 = src[o + 2];
    const x3 = src[o + 3];
    const x4 = src[o + 4];
    f[4 * i] = decompress(x0 | ((x1 & 0x03) << 8), 10);
    f[4 * i + 1] = decompress((x1 >>> 2) | ((x2 & 0x0f) << 6), 10);
    f[4 * i + 2] = decompress((x2 >>> 4) | ((x3 & 0x3f) << 4), 10);
    f[4 * i + 3] = decompress((x3 >>> 6) | (x4 << 2), 10);
  }
}

/** ByteEncode_4(Compress_4(f)) into out[off..off+128). */
export function encodeCompressed4(f: number[], out: Bytes, off: number): void {
  for (let i = 0; i < N >>> 1; i++) {
    out[off + i] = (compress(f[2 * i], 4) | (compress(f[2 * i + 1], 4) << 4)) & 0xff;
  }
}

/** Decompress_4(ByteDecode_4(src[off..off+128))) into f. */
export function decodeDecompress4(src: Bytes, off: number, f: number[]): void {
  for (let i = 0; i < N >>> 1; i++) {
    const x = src[off + i];
    f[2 * i] = decompress(x & 0x0f, 4);
    f[2 * i + 1] = decompress(x >>> 4, 4);
  }
}

/** ByteEncode_1(Compress_1(f)): the 32-byte message of K-PKE.Decrypt. */
export function encodeCompressed1(f: number[], out: Bytes, off: number): void {
  for (let i = 0; i < N >>> 3; i++) {
    let byte = 0;
    for (let j = 0; j < 8; j++) {
      byte = byte | (compress(f[8 * i + j], 1) << j);
    }
    out[off + i] = byte & 0xff;
  }
}

/** Decompress_1(ByteDecode_1(m)): each message bit becomes 0 or ⌈q/2⌋ = 1665, without branching. */
export function decodeDecompress1(src: Bytes, off: number, f: number[]): void {
  for (let i = 0; i < N >>> 3; i++) {
    const x = src[off + i];
    for (let j = 0; j < 8; j++) {
      f[8 * i + j] = ((x >>> j) & 1) * HALF_Q_UP;
    }
  }
}
