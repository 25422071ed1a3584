/**
 * Scripted randomness: hands out fixed values in order. It makes a whole GRP handshake
 * reproducible for the worked example in docs/grp.md and the grp.handshake vector op,
 * without test hooks in the sessions (they take a RandomSource next to the provider).
 */
import { Bytes, slice } from "../../port/bytes";

/** Where GRP takes its randomness from; every CryptoProvider is one. */
export interface RandomSource {
  randomBytes(n: number): Bytes;
}

export class ScriptedRandom implements RandomSource {
  private script: Bytes[];
  private next: number;

  constructor(script: Bytes[]) {
    this.script = script;
    this.next = 0;
  }

  randomBytes(n: number): Bytes {
    if (this.next >= this.script.length) {
      throw new Error("scripted random: asked for " + n + " bytes after the script ended");
    }
    const v = this.script[this.next];
    if (v.length !== n) {
      throw new Error("scripted random: value " + this.next + " has " + v.length + " bytes, asked for " + n);
    }
    this.next++;
    return slice(v, 0, v.length);
  }

  /** True when every scripted value was used. */
  finished(): boolean {
    return this.next === this.script.length;
  }
}
