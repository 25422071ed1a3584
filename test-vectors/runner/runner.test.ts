// The runner itself: it must report failures, unknown ops and malformed files, not hide them.
import { describe, expect, it } from "vitest";
import { runVectorText } from "./run";
import { getProvider } from "../../firmware/crypto/node/providers";
import { checkVectorFile, toWire, VectorFileError } from "./node/vector-file";

const noble = getProvider("noble");

function run(text: string): string[] {
  const lines: string[] = [];
  runVectorText(text, noble, (l) => lines.push(l));
  return lines;
}

const abc = "case abc\nop sha256\nin msg h 616263\nout digest h ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nend\n";

describe("portable vector runner", () => {
  it("passes a correct case", () => {
    expect(run(abc)).toEqual(["pass abc"]);
  });
  it("fails a wrong expected value and shows both values", () => {
    const lines = run(abc.replace("ba78", "0078"));
    expect(lines[0]).toMatch(/^fail abc: digest: expected 0078.*, got ba78/);
  });
  it("fails an unknown op", () => {
    expect(run("case x\nop nosuch\nend\n")).toEqual(["fail x: unknown op 'nosuch'"]);
  });
  it("fails a missing input with its name", () => {
    expect(run("case x\nop sha256\nout digest h 00\nend\n")[0]).toBe("fail x: error: missing value 'msg'");
  });
  it("reports malformed text as a failed pseudo-case", () => {
    expect(run("case x\nop sha256\nin msg h 6\nend\n")[0]).toBe("fail <file>: case x: in msg: fromHex: odd length 1");
    expect(run("bogus\n")[0]).toMatch(/^fail <file>: expected 'case <id>'/);
    expect(run("case x\nop sha256\n")[0]).toMatch(/missing 'end'/);
  });
  it("treats an expected error as a pass only when the op throws", () => {
    expect(run("case x\nop x25519.publicKey\nin secretKey h 00\nout error b 1\nend\n")).toEqual(["pass x"]);
    expect(run("case x\nop sha256\nin msg h 00\nout error b 1\nend\n")[0]).toBe("fail x: expected an error, got none");
  });
  it("checks open failures through ok=false", () => {
    const key = "00".repeat(32);
    const text = `case x\nop chacha20poly1305.open\nin key h ${key}\nin nonce h ${"00".repeat(12)}\nin aad h \nin ciphertext h ${"00".repeat(20)}\nout ok b 0\nend\n`;
    expect(run(text)).toEqual(["pass x"]);
  });
});

describe("vector file checks", () => {
  const good = { format: "tsense-vectors/1", title: "t", source: "s", cases: [{ id: "a", op: "sha256", in: { msg: "00" }, out: { digest: "00" } }] };
  it("accepts a good file and flattens it", () => {
    expect(toWire(checkVectorFile(good, "f"))).toBe("case a\nop sha256\nin msg h 00\nout digest h 00\nend\n");
  });
  it.each([
    [{ ...good, format: "x" }, /"format"/],
    [{ ...good, source: "" }, /"source"/],
    [{ ...good, cases: [] }, /"cases"/],
    [{ ...good, cases: [{ ...good.cases[0], id: "a b" }] }, /"id"/],
    [{ ...good, cases: [good.cases[0], good.cases[0]] }, /duplicate id/],
    [{ ...good, cases: [{ ...good.cases[0], in: { msg: "0" } }] }, /even-length hex/],
    [{ ...good, cases: [{ ...good.cases[0], in: { msg: 1.5 } }] }, /safe integers/],
  ])("rejects %#", (doc, why) => {
    expect(() => checkVectorFile(doc, "f")).toThrow(VectorFileError);
    expect(() => checkVectorFile(doc, "f")).toThrow(why);
  });
});
