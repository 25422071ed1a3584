// The uncopied encoding paths (SmpWriter.writer/largeWriter/writeTo, padWriter,
// encodeSingleBlock, the *Writer forms of commands and transmissions) must give exactly the
// bytes of the copying ones; SmpReader hands out views only for long takes.
import { describe, expect, it } from "vitest";
import { Bytes } from "../../../port/bytes";
import { SmpReader, SmpWriter } from "../../../port/encoding";
import { pad, padWriter, unpad } from "../pad";
import { BATCH_CAPACITY, SMP_BLOCK_SIZE, encodeBlock, encodeSingleBlock, fitsInBlock } from "../block";
import { Command, commandWriter, encodeCommand } from "../commands";
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

  it("encodeSingleBlock() says when a transmission does not fit", () => {
    const largest = bytes(BATCH_CAPACITY - 2, 12);
    expect(fitsInBlock(largest)).toBe(true);
    expect(encodeSingleBlock(new SmpWriter().bytes(largest))).toBeDefined();
    expect(encodeSingleBlock(new SmpWriter().bytes(largest).byte(0))).toBeUndefined();
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
