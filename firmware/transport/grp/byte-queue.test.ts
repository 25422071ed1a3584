// ByteQueue: frames taken across chunk boundaries, and consumed chunks let go of at once
// (a fleet of GRP sessions each kept up to 16 consumed 16 KiB reads alive).
import { describe, expect, it } from "vitest";
import { ByteQueue } from "./byte-queue";

const bytes = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
const held = (q: ByteQueue) => (q as unknown as { chunks: unknown[] }).chunks.length;

describe("ByteQueue", () => {
  it("takes across chunk boundaries in order and peeks without consuming", () => {
    const q = new ByteQueue();
    q.push(bytes(0, 5));
    q.push(new Uint8Array(0));
    q.push(bytes(5, 3));
    q.push(bytes(8, 10));
    expect(q.available()).toBe(18);
    expect(q.peek(6)).toBe(6);
    expect(Array.from(q.take(7) as Uint8Array)).toEqual(Array.from(bytes(0, 7)));
    expect(q.peek(0)).toBe(7);
    expect(Array.from(q.take(11) as Uint8Array)).toEqual(Array.from(bytes(7, 11)));
    expect(q.available()).toBe(0);
    expect(() => q.take(1)).toThrow(/take 1 of 0/);
  });

  it("holds no chunk it has consumed", () => {
    const q = new ByteQueue();
    for (let i = 0; i < 40; i++) {
      q.push(bytes(i, 100));
      q.take(100);
      expect(held(q)).toBe(0);
    }
    q.push(bytes(0, 100));
    q.push(bytes(100, 100));
    q.push(bytes(200, 100));
    q.take(150);
    expect(held(q)).toBe(2); // the half-read second chunk and the third
    q.take(100);
    expect(held(q)).toBe(1);
    expect(q.available()).toBe(50);
  });

  it("hands out a long take inside one chunk as a view, and copies one that spans chunks", () => {
    const q = new ByteQueue();
    const big = bytes(3, 3 * 16400);
    q.push(big);
    q.push(bytes(9, 20000));
    const first = q.take(16400) as Uint8Array;
    expect(first.buffer).toBe(big.buffer);
    expect(Array.from(first)).toEqual(Array.from(big.subarray(0, 16400)));
    q.take(2 * 16400 - 100);
    const spanning = q.take(16400) as Uint8Array;
    expect(spanning.buffer).not.toBe(big.buffer);
    expect(Array.from(spanning)).toEqual([...Array.from(big.subarray(3 * 16400 - 100)), ...Array.from(bytes(9, 16300))]);
    expect(held(q)).toBe(1);
    expect(q.available()).toBe(3700);
    const short = q.take(100) as Uint8Array;
    expect(Array.from(short)).toEqual(Array.from(bytes(9 + 16300, 100)));
  });
});
