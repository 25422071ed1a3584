/**
 * TSTL probe (built by firmware/targets/lua/node/build.test.ts, not by build:lua): the
 * language features portable code relies on, each printing `<name> <value>`; the test
 * compares the lines with what Node prints for the same checks.
 */
import { alloc, slice } from "../../port/bytes";
import { toHex } from "../../port/hex";
import { errorMessage } from "../../port/error";
import { emitLine } from "./host";

class Shape {
  sides: number;
  constructor(sides: number) {
    this.sides = sides;
  }
  describe(): string {
    return "sides=" + this.sides;
  }
}

class Square extends Shape {
  edge: number;
  constructor(edge: number) {
    super(4);
    this.edge = edge;
  }
  override describe(): string {
    return super.describe() + " area=" + this.edge * this.edge;
  }
}

function probe(): void {
  const b = alloc(4);
  for (let i = 0; i < 4; i++) {
    b[i] = (0x1ff + i) & 0xff;
  }
  emitLine("bytes " + toHex(b) + " " + b.length + " " + toHex(slice(b, 1, 3)));
  emitLine("ushr " + (0xdeadbeef >>> 4) + " " + ((0x80000000 << 1) >>> 0) + " " + (~0 >>> 0));
  emitLine("floor " + Math.floor(7 / 2) + " " + (7 % 3) + " " + Math.floor(-7 / 2));
  emitLine("class " + new Square(3).describe() + " " + (new Square(2) instanceof Shape ? "instanceof" : "not"));
  const fns: (() => number)[] = [];
  for (let i = 0; i < 3; i++) {
    const k = i * 10;
    fns.push(() => k);
  }
  emitLine("closures " + fns[0]() + " " + fns[1]() + " " + fns[2]());
  try {
    throw new Error("boom");
  } catch (e) {
    emitLine("error " + errorMessage(e));
  }
  const s = "abc-def";
  emitLine("string " + s.indexOf("-") + " " + s.substring(1, 3) + " " + s.charCodeAt(4) + " " + String.fromCharCode(65));
  const arr = [5, 6, 7];
  let sum = 0;
  for (const v of arr) {
    sum += v;
  }
  emitLine("array " + arr.length + " " + arr[0] + " " + sum);
}

probe();
