/**
 * Target-semantics ops: the arithmetic and byte rules of PORTABLE.md as vector ops, so a
 * runtime that disagrees (Lua's floored %, unwrapped <<, float division, table bytes)
 * shows up as a named failing case in test-vectors/semantics.json on that target.
 */
import { alloc, concat, fromBinaryString, slice, toBinaryString } from "../../firmware/port/bytes";
import { add32, mul32, rotl32, rotr32, sub32, load32be, load32le, store32be, store32le } from "../../firmware/port/u32";
import { U64, add64, rotr64, shl64, shr64, u64FromNumber, u64ToNumber } from "../../firmware/port/u64";
import { fromHex, toHex } from "../../firmware/port/hex";
import { fromBase64, toBase64, toBase64Url } from "../../firmware/port/base64";
import { ctEqual } from "../../firmware/port/ct";
import { fromAscii } from "../../firmware/port/bytes";
import { CryptoProvider } from "../../firmware/crypto/provider";
import { Params } from "./params";

type SemOp = (p: CryptoProvider, i: Params, o: Params) => void;

export class OpTable {
  names: string[];
  ops: Record<string, SemOp>;
  constructor() {
    this.names = [];
    this.ops = {};
  }
  add(name: string, op: SemOp): void {
    this.names.push(name);
    this.ops[name] = op;
  }
}

function u64In(i: Params, prefix: string): U64 {
  return new U64(i.number(prefix + "hi"), i.number(prefix + "lo"));
}

function u64Out(o: Params, v: U64): void {
  o.setNumber("hi", v.hi);
  o.setNumber("lo", v.lo);
}

export function semanticsOps(): OpTable {
  const t = new OpTable();
  t.add("sem.add32", (_p, i, o) => o.setNumber("r", add32(i.number("a"), i.number("b"))));
  t.add("sem.sub32", (_p, i, o) => o.setNumber("r", sub32(i.number("a"), i.number("b"))));
  t.add("sem.mul32", (_p, i, o) => o.setNumber("r", mul32(i.number("a"), i.number("b"))));
  t.add("sem.rotl32", (_p, i, o) => o.setNumber("r", rotl32(i.number("x"), i.number("n"))));
  t.add("sem.rotr32", (_p, i, o) => o.setNumber("r", rotr32(i.number("x"), i.number("n"))));
  t.add("sem.xor32", (_p, i, o) => o.setNumber("r", (i.number("a") ^ i.number("b")) >>> 0));
  t.add("sem.and32", (_p, i, o) => o.setNumber("r", (i.number("a") & i.number("b")) >>> 0));
  t.add("sem.or32", (_p, i, o) => o.setNumber("r", (i.number("a") | i.number("b")) >>> 0));
  t.add("sem.not32", (_p, i, o) => o.setNumber("r", ~i.number("a") >>> 0));
  t.add("sem.shl32", (_p, i, o) => o.setNumber("r", (i.number("a") << i.number("n")) >>> 0));
  t.add("sem.shr32", (_p, i, o) => o.setNumber("r", i.number("a") >>> i.number("n")));
  t.add("sem.mod", (_p, i, o) => o.setNumber("r", i.number("a") % i.number("b")));
  t.add("sem.floorDiv", (_p, i, o) => o.setNumber("r", Math.floor(i.number("a") / i.number("b"))));
  t.add("sem.load32", (_p, i, o) => {
    const b = i.bytes("b");
    o.setNumber("le", load32le(b, 0));
    o.setNumber("be", load32be(b, 0));
  });
  t.add("sem.store32", (_p, i, o) => {
    const le = alloc(4);
    const be = alloc(4);
    store32le(le, 0, i.number("v"));
    store32be(be, 0, i.number("v"));
    o.setBytes("le", le);
    o.setBytes("be", be);
  });
  t.add("sem.u64.add", (_p, i, o) => u64Out(o, add64(u64In(i, "a"), u64In(i, "b"))));
  t.add("sem.u64.rotr", (_p, i, o) => u64Out(o, rotr64(u64In(i, "a"), i.number("n"))));
  t.add("sem.u64.shr", (_p, i, o) => u64Out(o, shr64(u64In(i, "a"), i.number("n"))));
  t.add("sem.u64.shl", (_p, i, o) => u64Out(o, shl64(u64In(i, "a"), i.number("n"))));
  t.add("sem.u64.number", (_p, i, o) => {
    const v = u64FromNumber(i.number("n"));
    u64Out(o, v);
    o.setNumber("back", u64ToNumber(v));
  });
  t.add("sem.bytes.store", (_p, i, o) => {
    // Stores v & 0xff into a fresh buffer: a table must not keep the high bits.
    const b = alloc(1);
    b[0] = i.number("v") & 0xff;
    o.setBytes("b", b);
  });
  t.add("sem.bytes.concat", (_p, i, o) => o.setBytes("r", concat(i.bytes("a"), i.bytes("b"))));
  t.add("sem.bytes.slice", (_p, i, o) => o.setBytes("r", slice(i.bytes("b"), i.number("start"), i.number("end"))));
  t.add("sem.bytes.length", (_p, i, o) => o.setNumber("n", i.bytes("b").length));
  t.add("sem.binaryString", (_p, i, o) => {
    const s = toBinaryString(i.bytes("b"));
    o.setNumber("length", s.length);
    o.setBytes("back", fromBinaryString(s));
  });
  t.add("sem.hex", (_p, i, o) => {
    const h = toHex(i.bytes("b"));
    o.setBytes("text", fromAscii(h));
    o.setBytes("back", fromHex(h));
  });
  t.add("sem.base64", (_p, i, o) => {
    const s = toBase64(i.bytes("b"));
    o.setBytes("text", fromAscii(s));
    o.setBytes("url", fromAscii(toBase64Url(i.bytes("b"))));
    o.setBytes("back", fromBase64(s));
  });
  t.add("sem.ctEqual", (_p, i, o) => o.setBool("equal", ctEqual(i.bytes("a"), i.bytes("b"))));
  return t;
}
