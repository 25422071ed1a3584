/**
 * The portable vector runner: reads cases in the wire format, runs each op against a
 * provider and reports one line per case ("pass <id>" or "fail <id>: <reason>"). The
 * same code runs on Node, in the Lua build and in the Espruino bundle; hosts count lines.
 */
import { equalBytes } from "../../firmware/port/bytes";
import { toHex } from "../../firmware/port/hex";
import { errorMessage } from "../../firmware/port/error";
import { CryptoProvider } from "../../firmware/crypto/provider";
import { KIND_BOOL, KIND_BYTES, Params } from "./params";
import { Op, allOps } from "./ops";
import { VectorCase, WireReader } from "./wire";

function shown(p: Params, name: string): string {
  const k = p.kind(name);
  if (k === KIND_BYTES) {
    const h = toHex(p.bytes(name));
    return h.length > 96 ? h.substring(0, 96) + "…(" + p.bytes(name).length + " bytes)" : h;
  }
  if (k === KIND_BOOL) {
    return p.bool(name) ? "true" : "false";
  }
  return "" + p.number(name);
}

function sameValue(a: Params, b: Params, name: string): boolean {
  const k = a.kind(name);
  if (k !== b.kind(name)) {
    return false;
  }
  if (k === KIND_BYTES) {
    return equalBytes(a.bytes(name), b.bytes(name));
  }
  if (k === KIND_BOOL) {
    return a.bool(name) === b.bool(name);
  }
  return a.number(name) === b.number(name);
}

/** Runs one case; returns "" when it passes, else the reason. */
export function runCase(ops: Record<string, Op>, p: CryptoProvider, c: VectorCase): string {
  const op = ops[c.op];
  if (op === undefined) {
    return "unknown op '" + c.op + "'";
  }
  const actual = new Params();
  let error = "";
  try {
    op(p, c.input, actual);
  } catch (e) {
    error = errorMessage(e);
  }
  if (c.expected.has("error")) {
    const wantError = c.expected.bool("error");
    if (wantError) {
      return error !== "" ? "" : "expected an error, got none";
    }
  }
  if (error !== "") {
    return "error: " + error;
  }
  for (const name of c.expected.names) {
    if (name === "error") {
      continue;
    }
    if (!actual.has(name)) {
      return "no output '" + name + "'";
    }
    if (!sameValue(c.expected, actual, name)) {
      return name + ": expected " + shown(c.expected, name) + ", got " + shown(actual, name);
    }
  }
  return "";
}

export class RunTotals {
  passed: number;
  failed: number;
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }
}

/**
 * Runs every case in `text` and emits one line per case. A malformed file is reported as
 * one failed pseudo-case named "<file>", never as an exception.
 */
export function runVectorText(text: string, p: CryptoProvider, emit: (line: string) => void): RunTotals {
  const ops = allOps();
  const totals = new RunTotals();
  const reader = new WireReader(text);
  for (;;) {
    let c: VectorCase | undefined;
    try {
      c = reader.next();
    } catch (e) {
      totals.failed++;
      emit("fail <file>: " + errorMessage(e));
      return totals;
    }
    if (c === undefined) {
      return totals;
    }
    const why = runCase(ops, p, c);
    if (why === "") {
      totals.passed++;
      emit("pass " + c.id);
    } else {
      totals.failed++;
      emit("fail " + c.id + ": " + why);
    }
  }
}
