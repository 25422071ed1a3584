// The uncopied encoding paths (SmpWriter.writer/largeWriter/writeTo, padWriter,
// encodeSingleBlock, the *Writer forms of commands and transmissions) must give exactly the
// bytes of the copying ones; SmpReader hands out views only for long takes.
import { describe, expect, it } from "vitest";
import { Bytes } from "../../../port/bytes";
import { SmpReader, SmpWriter } from "../../../port/encoding";
import { pad, padWriter, unpad } from "../pad";
import { BATCH_CAPACITY, SMP_BLOCK_SIZE, encodeBlock, encodeSingleBlock, fitsInBlock } from "../block";
import { Command, commandWriter, encodeCommand, sendCommandWriter } from "../commands";
import { sealEnvelope, sealEnvelopeWriter } from "../client-envelope";
import { getProvider } from "../../../crypto/node/providers";
import { authorizedWriter, encodeAuthorized, encodeTransmission, signedBytes, signedBytesOf, transmissionWriter } from "../transmission";

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

const hex = (b: Bytes) => Buffer.from(b as Uint8Array).toString("hex");

describe("writer layers", () => {
  it("writer() and largeWriter() nest without changing the bytes", () => {
    const inner = new SmpWriter().byte(7).short(bytes(40, 1)).bytes(bytes(5000, 2));
    const nested = new SmpWriter().word16(9).largeWriter(inner).byte(0x41).finish();
    const copied = new SmpWriter().word16(9).large(inner.finish()).byte(0x41).finish();
    expect(hex(nested)).toBe(hex(copied));
    const appended = new SmpWriter().ascii("ab").writer(new SmpWriter().word32(0x01020304)).finish();
    expect(hex(appended)).toBe("616201020304");
  });

  it("largeWriter() refuses more than 65535 bytes", () => {
    const big = new SmpWriter().bytes(bytes(65536, 3));
    expect(() => new SmpWriter().largeWriter(big)).toThrow(/Large longer than 65535/);
  });

  it("writeTo() copies every part at the offset and returns the end", () => {
    const w = new SmpWriter().byte(1).bytes(bytes(300, 4)).word16(0xbeef);
    const out = new Uint8Array(310);
    expect(w.writeTo(out, 5)).toBe(5 + 303);
    expect(hex(out.subarray(5, 308))).toBe(hex(w.finish()));
  });

  it("padWriter() is pad(finish()) and rejects what pad rejects", () => {
    for (const n of [0, 1, 100, SMP_BLOCK_SIZE - 2]) {
      const w = new SmpWriter().bytes(bytes(n, 5));
      expect(hex(padWriter(w, SMP_BLOCK_SIZE))).toBe(hex(pad(w.finish(), SMP_BLOCK_SIZE)));
    }
    expect(() => padWriter(new SmpWriter().bytes(bytes(SMP_BLOCK_SIZE - 1, 6)), SMP_BLOCK_SIZE)).toThrow(/does not fit/);
  });

  it("a SEND goes into its block exactly as through the copying encoders", () => {
    const corrId = bytes(24, 7);
    const entity = bytes(24, 8);
    const sessionId = bytes(32, 9);
    const auth = bytes(80, 10);
    const cmd: Command = { tag: "SEND", notification: false, body: bytes(16000, 11) };
    expect(hex(commandWriter(7, cmd).finish())).toBe(hex(encodeCommand(7, cmd)));
    const authorized = authorizedWriter(corrId, entity, commandWriter(7, cmd));
    const authorizedBytes = encodeAuthorized(corrId, entity, encodeCommand(7, cmd));
    expect(hex(signedBytesOf(sessionId, authorized))).toBe(hex(signedBytes(sessionId, authorizedBytes)));
    const block = encodeSingleBlock(transmissionWriter(auth, authorized));
    expect(block).toBeDefined();
    expect(hex(block as Bytes)).toBe(hex(encodeBlock([encodeTransmission(auth, authorizedBytes)])));
  });

  it("a sealed envelope as a writer is the SEND body sealEnvelope gives", () => {
    const p = getProvider("noble");
    const key = bytes(32, 20);
    const nonce = bytes(24, 21);
    const m = { senderKey: undefined, body: bytes(3000, 22) };
    const body = sealEnvelope(p, key, nonce, 4, undefined, m);
    const w = sealEnvelopeWriter(p, key, nonce, 4, undefined, m);
    expect(hex(w.finish())).toBe(hex(body));
    for (const notification of [false, true]) {
      expect(hex(sendCommandWriter(notification, w).finish())).toBe(hex(encodeCommand(7, { tag: "SEND", notification, body })));
    }
  });

  it("encodeSingleBlock() says when a transmission does not fit", () => {
    const largest = bytes(BATCH_CAPACITY - 2, 12);
    expect(fitsInBlock(largest)).toBe(true);
    expect(encodeSingleBlock(new SmpWriter().bytes(largest))).toBeDefined();
    expect(encodeSingleBlock(new SmpWriter().bytes(largest).byte(0))).toBeUndefined();
  });
});

/** The same encoding written byte by byte. */
function reference(ops: [string, number | Uint8Array][]): string {
  const out: number[] = [];
  for (const [op, v] of ops) {
    if (op === "byte") out.push((v as number) & 0xff);
    if (op === "word16") out.push(((v as number) >>> 8) & 0xff, (v as number) & 0xff);
    if (op === "word32") for (const sh of [24, 16, 8, 0]) out.push(((v as number) >>> sh) & 0xff);
    if (op === "bytes") out.push(...(v as Uint8Array));
    if (op === "short") out.push((v as Uint8Array).length, ...(v as Uint8Array));
  }
  return Buffer.from(out).toString("hex");
}

describe("SmpWriter mixes", () => {
  it("gives the bytes of one buffer per write for any mix of small and large writes", () => {
    let seed = 1;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const ops: [string, number | Uint8Array][] = [];
      const w = new SmpWriter();
      const count = rnd(60);
      for (let i = 0; i < count; i++) {
        const k = rnd(5);
        if (k === 0) ops.push(["byte", rnd(256)]);
        if (k === 1) ops.push(["word16", rnd(65536)]);
        if (k === 2) ops.push(["word32", rnd(2147483647) * 2 + rnd(2)]);
        if (k === 3) ops.push(["bytes", bytes([0, 1, 31, 32, 33, 64, 65, 200][rnd(8)], rnd(256))]);
        if (k === 4) ops.push(["short", bytes(rnd(100), rnd(256))]);
      }
      for (const [op, v] of ops) {
        if (op === "byte") w.byte(v as number);
        if (op === "word16") w.word16(v as number);
        if (op === "word32") w.word32(v as number);
        if (op === "bytes") w.bytes(v as Uint8Array);
        if (op === "short") w.short(v as Uint8Array);
      }
      const want = reference(ops);
      expect(w.length * 2).toBe(want.length);
      expect(hex(w.finish())).toBe(want);
      const into = new Uint8Array(w.length + 3);
      expect(w.writeTo(into, 3)).toBe(w.length + 3);
      expect(hex(into.subarray(3))).toBe(want);
    }
  });

  it("writers nested into each other keep their bytes when both go on writing", () => {
    const inner = new SmpWriter().byte(1).word16(0x0203);
    const outer = new SmpWriter().byte(0xaa).writer(inner).byte(0xbb);
    inner.byte(4).bytes(bytes(40, 7));
    outer.word32(0x01020304);
    expect(hex(outer.finish())).toBe("aa010203bb01020304");
    expect(hex(inner.finish())).toBe("01020304" + hex(bytes(40, 7)));
  });

  it("a long ascii string and a 64-byte run of bytes come out whole", () => {
    const s = "x".repeat(100);
    expect(hex(new SmpWriter().ascii(s).finish())).toBe(Buffer.from(s).toString("hex"));
    const w = new SmpWriter();
    for (let i = 0; i < 64; i++) w.byte(i);
    expect(hex(w.finish())).toBe(hex(Uint8Array.from({ length: 64 }, (_, i) => i)));
  });
});

describe("SmpReader takes", () => {
  it("copies short takes and shares memory for long ones (same bytes either way)", () => {
    const src = bytes(10000, 13);
    const r = new SmpReader(src);
    const short = r.take(100);
    const long = r.take(5000);
    expect(hex(short)).toBe(hex(src.subarray(0, 100)));
    expect(hex(long)).toBe(hex(src.subarray(100, 5100)));
    expect((short as Uint8Array).buffer).not.toBe(src.buffer);
    expect((long as Uint8Array).buffer).toBe(src.buffer);
  });

  it("unpad of a block's content is a view, of a short message a copy", () => {
    const block = pad(bytes(9000, 14), SMP_BLOCK_SIZE);
    const content = unpad(block);
    expect(content.ok && (content.value as Uint8Array).buffer === (block as Uint8Array).buffer).toBe(true);
    const small = pad(bytes(10, 15), 64);
    const m = unpad(small);
    expect(m.ok && (m.value as Uint8Array).buffer !== (small as Uint8Array).buffer).toBe(true);
    expect(m.ok && hex(m.value)).toBe(hex(bytes(10, 15)));
  });
});
