/**
 * A lexer-based minifier for the TSTL bundle (Lua 5.3).
 *
 * Why our own: no maintained npm minifier parses Lua 5.3 (luamin sits on luaparse 0.2,
 * Lua 5.1: no `//`, `&`, `|`, `~`, `<<`, `>>`, which TSTL emits for every 32-bit operation).
 * A minifier does not need a parser: it drops comments and indentation and keeps every other
 * token byte for byte, separated by a space only where two tokens would otherwise lex as one.
 * Strings and long brackets are copied intact; names are not renamed (the bundle's module
 * table and error messages stay readable).
 *
 * `keepLines` (the default) emits as many line breaks as the source had between two tokens,
 * so error line numbers in tracebacks are those of the readable bundle built from the same
 * sources; without it, line breaks become single spaces.
 */

export interface LuaMinifyOptions {
  keepLines?: boolean;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;

/** Pairs that would fuse into another token ("- -" is not "--", "[ [" is not "[["). */
const FUSING = new Set(["==", "~=", "<=", ">=", "<<", ">>", "//", "::", "..", "--", "[[", "[="]);

class LuaLexError extends Error {}

/** Length of a long bracket opener `[`, `=`*, `[` at i, or -1 when there is none. */
function longOpen(s: string, i: number): number {
  if (s[i] !== "[") return -1;
  let j = i + 1;
  while (s[j] === "=") j++;
  return s[j] === "[" ? j - i - 1 : -1;
}

/** Index just after the long bracket of `level` opened at i. */
function longEnd(s: string, i: number, level: number): number {
  const close = "]" + "=".repeat(level) + "]";
  const end = s.indexOf(close, i + level + 2);
  if (end < 0) throw new LuaLexError(`unfinished long bracket at offset ${i}`);
  return end + close.length;
}

function countLines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

/** Index just after the quoted string opened at i (escapes, including `\` newline and `\z`, skipped). */
function quotedEnd(s: string, i: number): number {
  const q = s[i];
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === "\\") {
      // `\z` skips the whitespace (line breaks included) that follows it.
      if (s[j + 1] === "z") {
        j += 2;
        while (j < s.length && /\s/.test(s[j])) j++;
      } else if (s[j + 1] === "\r" && s[j + 2] === "\n") j += 3;
      else j += 2;
    }
    else if (c === q) return j + 1;
    else if (c === "\n") break;
    else j++;
  }
  throw new LuaLexError(`unfinished string at offset ${i}`);
}

/** Index just after the numeral at i (decimal or hex, with fraction and exponent). */
function numberEnd(s: string, i: number): number {
  let j = i;
  const hex = s[j] === "0" && (s[j + 1] === "x" || s[j + 1] === "X");
  if (hex) j += 2;
  const exp = hex ? /[pP]/ : /[eE]/;
  const digit = hex ? /[0-9A-Fa-f]/ : DIGIT;
  for (;;) {
    const c = s[j];
    if (c !== undefined && (digit.test(c) || c === ".")) j++;
    else if (c !== undefined && exp.test(c)) {
      j++;
      if (s[j] === "+" || s[j] === "-") j++;
    } else return j;
  }
}

const OPERATORS = ["...", "..", "==", "~=", "<=", ">=", "<<", ">>", "//", "::"];

/** Minified Lua source; throws on an unfinished string, comment or long bracket. */
export function minifyLua(src: string, options: LuaMinifyOptions = {}): string {
  const keepLines = options.keepLines ?? true;
  const out: string[] = [];
  let prev = "";
  let i = 0;
  let breaks = 0;
  let gap = false;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    // Whitespace and comments: remember only whether there was a gap and how many lines.
    if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\f" || c === "\v") {
      if (c === "\n") breaks++;
      gap = true;
      i++;
      continue;
    }
    if (c === "-" && src[i + 1] === "-") {
      const level = longOpen(src, i + 2);
      let end: number;
      if (level >= 0) end = longEnd(src, i + 2, level);
      else {
        end = src.indexOf("\n", i);
        if (end < 0) end = n;
      }
      breaks += countLines(src, i, end);
      gap = true;
      i = end;
      continue;
    }
    // One token.
    let end: number;
    const level = longOpen(src, i);
    if (level >= 0) end = longEnd(src, i, level);
    else if (c === '"' || c === "'") end = quotedEnd(src, i);
    else if (DIGIT.test(c) || (c === "." && DIGIT.test(src[i + 1] ?? ""))) end = numberEnd(src, i);
    else if (NAME_START.test(c)) {
      end = i + 1;
      while (end < n && NAME_CHAR.test(src[end])) end++;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      end = i + (op?.length ?? 1);
    }
    const tok = src.slice(i, end);
    if (prev !== "") {
      if (keepLines && breaks > 0) out.push("\n".repeat(breaks));
      else if (gap && needsSpace(prev, tok)) out.push(" ");
    } else if (keepLines && breaks > 0) out.push("\n".repeat(breaks));
    out.push(tok);
    prev = tok;
    breaks = 0;
    gap = false;
    i = end;
  }
  if (keepLines && breaks > 0) out.push("\n");
  return out.join("");
}

/** Whether `a` directly followed by `b` would lex differently from `a b`. */
function needsSpace(a: string, b: string): boolean {
  const last = a[a.length - 1];
  const first = b[0];
  const word = (ch: string) => NAME_CHAR.test(ch);
  if (word(last) && word(first)) return true;
  // A numeral swallows a following "." (and "1 ..x" must not become "1..x").
  if (DIGIT.test(a[0]) || (a[0] === "." && a.length > 1 && DIGIT.test(a[1]))) {
    if (first === "." || word(first)) return true;
  }
  if (last === "." && (first === "." || DIGIT.test(first))) return true;
  return FUSING.has(last + first);
}
