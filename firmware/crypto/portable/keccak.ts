/**
 * Keccak-f[1600] (FIPS 202 §3) on 32-bit halves, and the sponge construction (§4) with
 * incremental absorb and squeeze (ML-KEM's XOF reads SHAKE128 output block by block).
 *
 * The state is 50 u32 words: lane i is s[2i] (low half) and s[2i+1] (high half), so
 * state word w holds message bytes 4w..4w+3 little-endian. The round is unrolled with the
 * rho offsets and pi positions inlined (variable names are lane indices x + 5y). Only
 * bitwise operations touch the lanes. Lua's `<<` does not wrap at 32 bits, so theta's D
 * values may carry bits above bit 31 there; they reach the lanes only through the rho
 * rotation, whose `>>> 0` masks them, and every lane written back is normalised.
 */
import { Bytes } from "../../port/bytes";

/** Round constants RC[0..23] (FIPS 202 §3.2.5), high and low halves. */
const RC_HI = [
  0x00000000, 0x00000000, 0x80000000, 0x80000000, 0x00000000, 0x00000000, 0x80000000, 0x80000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x80000000, 0x80000000, 0x80000000,
  0x80000000, 0x80000000, 0x00000000, 0x80000000, 0x80000000, 0x80000000, 0x00000000, 0x80000000,
];
const RC_LO = [
  0x00000001, 0x00008082, 0x0000808a, 0x80008000, 0x0000808b, 0x80000001, 0x80008081, 0x00008009,
  0x0000008a, 0x00000088, 0x80008009, 0x8000000a, 0x8000808b, 0x0000008b, 0x00008089, 0x00008003,
  0x00008002, 0x00000080, 0x0000800a, 0x8000000a, 0x80008081, 0x00008080, 0x80000001, 0x80008008,
];

/** Number of u32 words in the Keccak-f[1600] state. */
export const KECCAK_WORDS = 50;

/** Keccak-f[1600] in place on a 50-word state. */
export function keccakF1600(s: number[]): void {
  let l0 = s[0];
  let h0 = s[1];
  let l1 = s[2];
  let h1 = s[3];
  let l2 = s[4];
  let h2 = s[5];
  let l3 = s[6];
  let h3 = s[7];
  let l4 = s[8];
  let h4 = s[9];
  let l5 = s[10];
  let h5 = s[11];
  let l6 = s[12];
  let h6 = s[13];
  let l7 = s[14];
  let h7 = s[15];
  let l8 = s[16];
  let h8 = s[17];
  let l9 = s[18];
  let h9 = s[19];
  let l10 = s[20];
  let h10 = s[21];
  let l11 = s[22];
  let h11 = s[23];
  let l12 = s[24];
  let h12 = s[25];
  let l13 = s[26];
  let h13 = s[27];
  let l14 = s[28];
  let h14 = s[29];
  let l15 = s[30];
  let h15 = s[31];
  let l16 = s[32];
  let h16 = s[33];
  let l17 = s[34];
  let h17 = s[35];
  let l18 = s[36];
  let h18 = s[37];
  let l19 = s[38];
  let h19 = s[39];
  let l20 = s[40];
  let h20 = s[41];
  let l21 = s[42];
  let h21 = s[43];
  let l22 = s[44];
  let h22 = s[45];
  let l23 = s[46];
  let h23 = s[47];
  let l24 = s[48];
  let h24 = s[49];
  for (let round = 0; round < 24; round++) {
    const c0l = l0 ^ l5 ^ l10 ^ l15 ^ l20;
    const c0h = h0 ^ h5 ^ h10 ^ h15 ^ h20;
    const c1l = l1 ^ l6 ^ l11 ^ l16 ^ l21;
    const c1h = h1 ^ h6 ^ h11 ^ h16 ^ h21;
    const c2l = l2 ^ l7 ^ l12 ^ l17 ^ l22;
    const c2h = h2 ^ h7 ^ h12 ^ h17 ^ h22;
    const c3l = l3 ^ l8 ^ l13 ^ l18 ^ l23;
    const c3h = h3 ^ h8 ^ h13 ^ h18 ^ h23;
    const c4l = l4 ^ l9 ^ l14 ^ l19 ^ l24;
    const c4h = h4 ^ h9 ^ h14 ^ h19 ^ h24;
    const d0l = c4l ^ ((c1l << 1) | (c1h >>> 31));
    const d0h = c4h ^ ((c1h << 1) | (c1l >>> 31));
    const d1l = c0l ^ ((c2l << 1) | (c2h >>> 31));
    const d1h = c0h ^ ((c2h << 1) | (c2l >>> 31));
    const d2l = c1l ^ ((c3l << 1) | (c3h >>> 31));
    const d2h = c1h ^ ((c3h << 1) | (c3l >>> 31));
    const d3l = c2l ^ ((c4l << 1) | (c4h >>> 31));
    const d3h = c2h ^ ((c4h << 1) | (c4l >>> 31));
    const d4l = c3l ^ ((c0l << 1) | (c0h >>> 31));
    const d4h = c3h ^ ((c0h << 1) | (c0l >>> 31));
    l0 ^= d0l;
    h0 ^= d0h;
    const b0l = l0 >>> 0;
    const b0h = h0 >>> 0;
    l1 ^= d1l;
    h1 ^= d1h;
    const b10l = ((l1 << 1) | (h1 >>> 31)) >>> 0;
    const b10h = ((h1 << 1) | (l1 >>> 31)) >>> 0;
    l2 ^= d2l;
    h2 ^= d2h;
    const b20l = ((h2 << 30) | (l2 >>> 2)) >>> 0;
    const b20h = ((l2 << 30) | (h2 >>> 2)) >>> 0;
    l3 ^= d3l;
    h3 ^= d3h;
    const b5l = ((l3 << 28) | (h3 >>> 4)) >>> 0;
    const b5h = ((h3 << 28) | (l3 >>> 4)) >>> 0;
    l4 ^= d4l;
    h4 ^= d4h;
    const b15l = ((l4 << 27) | (h4 >>> 5)) >>> 0;
    const b15h = ((h4 << 27) | (l4 >>> 5)) >>> 0;
    l5 ^= d0l;
    h5 ^= d0h;
    const b16l = ((h5 << 4) | (l5 >>> 28)) >>> 0;
    const b16h = ((l5 << 4) | (h5 >>> 28)) >>> 0;
    l6 ^= d1l;
    h6 ^= d1h;
    const b1l = ((h6 << 12) | (l6 >>> 20)) >>> 0;
    const b1h = ((l6 << 12) | (h6 >>> 20)) >>> 0;
    l7 ^= d2l;
    h7 ^= d2h;
    const b11l = ((l7 << 6) | (h7 >>> 26)) >>> 0;
    const b11h = ((h7 << 6) | (l7 >>> 26)) >>> 0;
    l8 ^= d3l;
    h8 ^= d3h;
    const b21l = ((h8 << 23) | (l8 >>> 9)) >>> 0;
    const b21h = ((l8 << 23) | (h8 >>> 9)) >>> 0;
    l9 ^= d4l;
    h9 ^= d4h;
    const b6l = ((l9 << 20) | (h9 >>> 12)) >>> 0;
    const b6h = ((h9 << 20) | (l9 >>> 12)) >>> 0;
    l10 ^= d0l;
    h10 ^= d0h;
    const b7l = ((l10 << 3) | (h10 >>> 29)) >>> 0;
    const b7h = ((h10 << 3) | (l10 >>> 29)) >>> 0;
    l11 ^= d1l;
    h11 ^= d1h;
    const b17l = ((l11 << 10) | (h11 >>> 22)) >>> 0;
    const b17h = ((h11 << 10) | (l11 >>> 22)) >>> 0;
    l12 ^= d2l;
    h12 ^= d2h;
    const b2l = ((h12 << 11) | (l12 >>> 21)) >>> 0;
    const b2h = ((l12 << 11) | (h12 >>> 21)) >>> 0;
    l13 ^= d3l;
    h13 ^= d3h;
    const b12l = ((l13 << 25) | (h13 >>> 7)) >>> 0;
    const b12h = ((h13 << 25) | (l13 >>> 7)) >>> 0;
    l14 ^= d4l;
    h14 ^= d4h;
    const b22l = ((h14 << 7) | (l14 >>> 25)) >>> 0;
    const b22h = ((l14 << 7) | (h14 >>> 25)) >>> 0;
    l15 ^= d0l;
    h15 ^= d0h;
    const b23l = ((h15 << 9) | (l15 >>> 23)) >>> 0;
    const b23h = ((l15 << 9) | (h15 >>> 23)) >>> 0;
    l16 ^= d1l;
    h16 ^= d1h;
    const b8l = ((h16 << 13) | (l16 >>> 19)) >>> 0;
    const b8h = ((l16 << 13) | (h16 >>> 19)) >>> 0;
    l17 ^= d2l;
    h17 ^= d2h;
    const b18l = ((l17 << 15) | (h17 >>> 17)) >>> 0;
    const b18h = ((h17 << 15) | (l17 >>> 17)) >>> 0;
    l18 ^= d3l;
    h18 ^= d3h;
    const b3l = ((l18 << 21) | (h18 >>> 11)) >>> 0;
    const b3h = ((h18 << 21) | (l18 >>> 11)) >>> 0;
    l19 ^= d4l;
    h19 ^= d4h;
    const b13l = ((l19 << 8) | (h19 >>> 24)) >>> 0;
    const b13h = ((h19 << 8) | (l19 >>> 24)) >>> 0;
    l20 ^= d0l;
    h20 ^= d0h;
    const b14l = ((l20 << 18) | (h20 >>> 14)) >>> 0;
    const b14h = ((h20 << 18) | (l20 >>> 14)) >>> 0;
    l21 ^= d1l;
    h21 ^= d1h;
    const b24l = ((l21 << 2) | (h21 >>> 30)) >>> 0;
    const b24h = ((h21 << 2) | (l21 >>> 30)) >>> 0;
    l22 ^= d2l;
    h22 ^= d2h;
    const b9l = ((h22 << 29) | (l22 >>> 3)) >>> 0;
    const b9h = ((l22 << 29) | (h22 >>> 3)) >>> 0;
    l23 ^= d3l;
    h23 ^= d3h;
    const b19l = ((h23 << 24) | (l23 >>> 8)) >>> 0;
    const b19h = ((l23 << 24) | (h23 >>> 8)) >>> 0;
    l24 ^= d4l;
    h24 ^= d4h;
    const b4l = ((l24 << 14) | (h24 >>> 18)) >>> 0;
    const b4h = ((h24 << 14) | (l24 >>> 18)) >>> 0;
    l0 = (b0l ^ (~b1l & b2l)) >>> 0;
    h0 = (b0h ^ (~b1h & b2h)) >>> 0;
    l1 = (b1l ^ (~b2l & b3l)) >>> 0;
    h1 = (b1h ^ (~b2h & b3h)) >>> 0;
    l2 = (b2l ^ (~b3l & b4l)) >>> 0;
    h2 = (b2h ^ (~b3h & b4h)) >>> 0;
    l3 = (b3l ^ (~b4l & b0l)) >>> 0;
    h3 = (b3h ^ (~b4h & b0h)) >>> 0;
    l4 = (b4l ^ (~b0l & b1l)) >>> 0;
    h4 = (b4h ^ (~b0h & b1h)) >>> 0;
    l5 = (b5l ^ (~b6l & b7l)) >>> 0;
    h5 = (b5h ^ (~b6h & b7h)) >>> 0;
    l6 = (b6l ^ (~b7l & b8l)) >>> 0;
    h6 = (b6h ^ (~b7h & b8h)) >>> 0;
    l7 = (b7l ^ (~b8l & b9l)) >>> 0;
    h7 = (b7h ^ (~b8h & b9h)) >>> 0;
    l8 = (b8l ^ (~b9l & b5l)) >>> 0;
    h8 = (b8h ^ (~b9h & b5h)) >>> 0;
    l9 = (b9l ^ (~b5l & b6l)) >>> 0;
    h9 = (b9h ^ (~b5h & b6h)) >>> 0;
    l10 = (b10l ^ (~b11l & b12l)) >>> 0;
    h10 = (b10h ^ (~b11h & b12h)) >>> 0;
    l11 = (b11l ^ (~b12l & b13l)) >>> 0;
    h11 = (b11h ^ (~b12h & b13h)) >>> 0;
    l12 = (b12l ^ (~b13l & b14l)) >>> 0;
    h12 = (b12h ^ (~b13h & b14h)) >>> 0;
    l13 = (b13l ^ (~b14l & b10l)) >>> 0;
    h13 = (b13h ^ (~b14h & b10h)) >>> 0;
    l14 = (b14l ^ (~b10l & b11l)) >>> 0;
    h14 = (b14h ^ (~b10h & b11h)) >>> 0;
    l15 = (b15l ^ (~b16l & b17l)) >>> 0;
    h15 = (b15h ^ (~b16h & b17h)) >>> 0;
    l16 = (b16l ^ (~b17l & b18l)) >>> 0;
    h16 = (b16h ^ (~b17h & b18h)) >>> 0;
    l17 = (b17l ^ (~b18l & b19l)) >>> 0;
    h17 = (b17h ^ (~b18h & b19h)) >>> 0;
    l18 = (b18l ^ (~b19l & b15l)) >>> 0;
    h18 = (b18h ^ (~b19h & b15h)) >>> 0;
    l19 = (b19l ^ (~b15l & b16l)) >>> 0;
    h19 = (b19h ^ (~b15h & b16h)) >>> 0;
    l20 = (b20l ^ (~b21l & b22l)) >>> 0;
    h20 = (b20h ^ (~b21h & b22h)) >>> 0;
    l21 = (b21l ^ (~b22l & b23l)) >>> 0;
    h21 = (b21h ^ (~b22h & b23h)) >>> 0;
    l22 = (b22l ^ (~b23l & b24l)) >>> 0;
    h22 = (b22h ^ (~b23h & b24h)) >>> 0;
    l23 = (b23l ^ (~b24l & b20l)) >>> 0;
    h23 = (b23h ^ (~b24h & b20h)) >>> 0;
    l24 = (b24l ^ (~b20l & b21l)) >>> 0;
    h24 = (b24h ^ (~b20h & b21h)) >>> 0;
    l0 = (l0 ^ RC_LO[round]) >>> 0;
    h0 = (h0 ^ RC_HI[round]) >>> 0;
  }
  s[0] = l0;
  s[1] = h0;
  s[2] = l1;
  s[3] = h1;
  s[4] = l2;
  s[5] = h2;
  s[6] = l3;
  s[7] = h3;
  s[8] = l4;
  s[9] = h4;
  s[10] = l5;
  s[11] = h5;
  s[12] = l6;
  s[13] = h6;
  s[14] = l7;
  s[15] = h7;
  s[16] = l8;
  s[17] = h8;
  s[18] = l9;
  s[19] = h9;
  s[20] = l10;
  s[21] = h10;
  s[22] = l11;
  s[23] = h11;
  s[24] = l12;
  s[25] = h12;
  s[26] = l13;
  s[27] = h13;
  s[28] = l14;
  s[29] = h14;
  s[30] = l15;
  s[31] = h15;
  s[32] = l16;
  s[33] = h16;
  s[34] = l17;
  s[35] = h17;
  s[36] = l18;
  s[37] = h18;
  s[38] = l19;
  s[39] = h19;
  s[40] = l20;
  s[41] = h20;
  s[42] = l21;
  s[43] = h21;
  s[44] = l22;
  s[45] = h22;
  s[46] = l23;
  s[47] = h23;
  s[48] = l24;
  s[49] = h24;
}

/**
 * A Keccak sponge with `rate` bytes per block and the domain-separation byte `dsByte`
 * (suffix bits plus the first pad bit: 0x06 for SHA3, 0x1f for SHAKE). Absorb any number
 * of times, then squeeze any number of times; the first squeeze pads and permutes.
 */
export class KeccakSponge {
  private readonly state: number[];
  private readonly rate: number;
  private readonly dsByte: number;
  /** Byte position inside the current block (absorbing) or unread output (squeezing). */
  private pos: number;
  private squeezing: boolean;

  constructor(rate: number, dsByte: number) {
    if (rate <= 0 || rate >= 200 || rate % 8 !== 0) {
      throw new Error("keccak: bad rate " + rate);
    }
    this.state = [];
    for (let i = 0; i < KECCAK_WORDS; i++) {
      this.state.push(0);
    }
    this.rate = rate;
    this.dsByte = dsByte;
    this.pos = 0;
    this.squeezing = false;
  }

  /** XORs data[off..off+len) into the state, permuting after each full block. */
  absorbRange(data: Bytes, off: number, len: number): void {
    if (this.squeezing) {
      throw new Error("keccak: absorb after squeeze");
    }
    const s = this.state;
    const rate = this.rate;
    let i = off;
    const end = off + len;
    while (i < end) {
      if (this.pos === 0 && end - i >= rate) {
        // Whole block, word by word (state word w = bytes 4w..4w+3, little-endian).
        for (let w = 0; w < rate >>> 2; w++) {
          const j = i + 4 * w;
          s[w] = (s[w] ^ (data[j] | (data[j + 1] << 8) | (data[j + 2] << 16) | (data[j + 3] << 24))) >>> 0;
        }
        keccakF1600(s);
        i += rate;
        continue;
      }
      const p = this.pos;
      s[p >>> 2] = (s[p >>> 2] ^ (data[i] << (8 * (p & 3)))) >>> 0;
      i++;
      this.pos = p + 1;
      if (this.pos === rate) {
        keccakF1600(s);
        this.pos = 0;
      }
    }
  }

  absorb(data: Bytes): void {
    this.absorbRange(data, 0, data.length);
  }

  private finish(): void {
    const s = this.state;
    const p = this.pos;
    s[p >>> 2] = (s[p >>> 2] ^ (this.dsByte << (8 * (p & 3)))) >>> 0;
    const last = this.rate - 1;
    s[last >>> 2] = (s[last >>> 2] ^ (0x80 << (8 * (last & 3)))) >>> 0;
    keccakF1600(s);
    this.squeezing = true;
    this.pos = 0;
  }

  /** Writes the next len output bytes into out[off..off+len). */
  squeezeInto(out: Bytes, off: number, len: number): void {
    if (!this.squeezing) {
      this.finish();
    }
    const s = this.state;
    const rate = this.rate;
    for (let i = 0; i < len; i++) {
      if (this.pos === rate) {
        keccakF1600(s);
        this.pos = 0;
      }
      const p = this.pos;
      out[off + i] = (s[p >>> 2] >>> (8 * (p & 3))) & 0xff;
      this.pos = p + 1;
    }
  }
}
