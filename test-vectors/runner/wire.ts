/**
 * The runner's wire format: the JSON vector files, flattened by the host into lines that
 * portable code can parse without JSON (which Lua and our subset lack). One case:
 *
 *   case <id>
 *   op <op>
 *   in <name> h <hex> | n <integer> | b 1|0
 *   out <name> h <hex> | n <integer> | b 1|0
 *   end
 *
 * Ids and names contain no spaces or newlines (the host checks this when flattening).
 */
import { fromHex } from "../../firmware/port/hex";
import { errorMessage } from "../../firmware/port/error";
import { KIND_BOOL, KIND_BYTES, KIND_NUMBER, Params } from "./params";

export class VectorCase {
  id: string;
  op: string;
  input: Params;
  expected: Params;
  constructor(id: string) {
    this.id = id;
    this.op = "";
    this.input = new Params();
    this.expected = new Params();
  }
}

function parseInteger(s: string): number {
  let n = 0;
  let neg = false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  if (i >= s.length) {
    throw new Error("bad integer '" + s + "'");
  }
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) {
      throw new Error("bad integer '" + s + "'");
    }
    n = n * 10 + c;
  }
  return neg ? 0 - n : n;
}

function setValue(p: Params, name: string, kind: string, text: string): void {
  if (kind === KIND_BYTES) {
    p.setBytes(name, fromHex(text));
  } else if (kind === KIND_NUMBER) {
    p.setNumber(name, parseInteger(text));
  } else if (kind === KIND_BOOL) {
    if (text !== "1" && text !== "0") {
      throw new Error("bad boolean '" + text + "'");
    }
    p.setBool(name, text === "1");
  } else {
    throw new Error("unknown value kind '" + kind + "'");
  }
}

/** Splits "a b c rest" into at most `count` space-separated fields. */
function fields(line: string, count: number): string[] {
  const out: string[] = [];
  let pos = 0;
  while (out.length < count - 1) {
    const sp = line.indexOf(" ", pos);
    if (sp < 0) {
      break;
    }
    out.push(line.substring(pos, sp));
    pos = sp + 1;
  }
  out.push(line.substring(pos));
  return out;
}

/**
 * Reads the next case starting at `pos` in `text`. Returns the case and the position
 * after its `end` line, or undefined at the end of the text. Throws on malformed text.
 */
export class WireReader {
  text: string;
  pos: number;
  constructor(text: string) {
    this.text = text;
    this.pos = 0;
  }

  private nextLine(): string | undefined {
    if (this.pos >= this.text.length) {
      return undefined;
    }
    let nl = this.text.indexOf("\n", this.pos);
    if (nl < 0) {
      nl = this.text.length;
    }
    const line = this.text.substring(this.pos, nl);
    this.pos = nl + 1;
    return line;
  }

  next(): VectorCase | undefined {
    let line = this.nextLine();
    while (line !== undefined && line === "") {
      line = this.nextLine();
    }
    if (line === undefined) {
      return undefined;
    }
    const head = fields(line, 2);
    if (head[0] !== "case" || head.length !== 2) {
      throw new Error("expected 'case <id>', got '" + line.substring(0, 40) + "'");
    }
    const c = new VectorCase(head[1]);
    for (;;) {
      const l = this.nextLine();
      if (l === undefined) {
        throw new Error("case " + c.id + ": missing 'end'");
      }
      if (l === "end") {
        break;
      }
      const f = fields(l, 4);
      if (f[0] === "op" && f.length === 2) {
        c.op = f[1];
      } else if ((f[0] === "in" || f[0] === "out") && f.length === 4) {
        try {
          setValue(f[0] === "in" ? c.input : c.expected, f[1], f[2], f[3]);
        } catch (e) {
          throw new Error("case " + c.id + ": " + f[0] + " " + f[1] + ": " + errorMessage(e));
        }
      } else {
        throw new Error("case " + c.id + ": bad line '" + l.substring(0, 40) + "'");
      }
    }
    if (c.op === "") {
      throw new Error("case " + c.id + ": no op");
    }
    return c;
  }
}
