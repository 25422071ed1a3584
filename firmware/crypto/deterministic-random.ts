/**
 * A deterministic random source for tests, simulations and transcript replay:
 * block i = HMAC-SHA256(seed, "tsense-drbg" ‖ u32be(i)). Not for production keys — a
 * device's keys come from its hardware RNG (the target's randomBytes).
 */
import { Bytes, alloc, concat, copyInto, fromAscii } from "../port/bytes";
import { store32be } from "../port/u32";
import { CryptoProvider, RandomSource } from "./provider";

const LABEL = "tsense-drbg";

export class DeterministicRandom {
  private p: CryptoProvider;
  private seed: Bytes;
  private counter: number;
  private label: Bytes;
  constructor(p: CryptoProvider, seed: Bytes) {
    this.p = p;
    this.seed = seed;
    this.counter = 0;
    this.label = fromAscii(LABEL);
  }

  bytes(n: number): Bytes {
    const out = alloc(n);
    let off = 0;
    while (off < n) {
      const ctr = alloc(4);
      store32be(ctr, 0, this.counter);
      this.counter = this.counter + 1;
      const block = this.p.hmacSha256(this.seed, concat(this.label, ctr));
      const take = n - off < block.length ? n - off : block.length;
      copyInto(out, off, block, 0, take);
      off += take;
    }
    return out;
  }

  /** The source as a plain function, for APIs that take `random: (n) => Bytes`. */
  source(): RandomSource {
    return (n: number) => this.bytes(n);
  }
}
