/** String helpers TSTL cannot translate to Lua (it has no String.prototype.lastIndexOf). */

/** Index of the last occurrence of `ch` (one character) in `s`, or -1. */
export function lastIndexOfChar(s: string, ch: string): number {
  const c = ch.charCodeAt(0);
  for (let i = s.length - 1; i >= 0; i--) {
    if (s.charCodeAt(i) === c) {
      return i;
    }
  }
  return -1;
}
