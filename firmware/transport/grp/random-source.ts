/**
 * Scripted randomness: hands out fixed values in order. It makes a whole GRP handshake
 * reproducible for the worked example in docs/grp.md and the grp.handshake vector op,
 * without test hooks in the sessions (they take an optional RandomSource, the
 * provider's plain-function type, next to the provider).
 */
import { Bytes, slice } from "../../port/bytes";
import { RandomSource } from "../../crypto/provider";

export class ScriptedRandom {
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

  /** This script as a RandomSource (a plain function, as the sessions take it). */
  source(): RandomSource {
    return (n: number): Bytes => this.randomBytes(n);
  }

  /** True when every scripted value was used. */
  finished(): boolean {
    return this.next === this.script.length;
  }
}
