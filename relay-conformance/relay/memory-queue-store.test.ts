// The in-memory queue store keeps FIFO order and quota, and holds no message it has
// delivered (a stored body can keep its whole 16 KiB received block alive).
import { describe, expect, it } from "vitest";
import { MemoryQueueStore } from "./memory-queue-store";
import type { StoredMessage } from "./queue-store";

const id = new Uint8Array(24).fill(7);
const msg = (n: number): StoredMessage => ({ quota: false, msgId: Uint8Array.of(n), ts: n, notification: false, body: new Uint8Array(16_000) });
const held = (s: MemoryQueueStore) => (s as unknown as { messages: Map<string, { msgs: unknown[] }> }).messages.values().next().value!.msgs.length;

describe("MemoryQueueStore", () => {
  it("delivers in order and lets go of what was delivered", () => {
    const s = new MemoryQueueStore();
    for (let round = 0; round < 50; round++) {
      // the fleet's pattern: one message waiting behind the one in flight
      s.writeMsg(id, msg(2 * round), 128);
      s.writeMsg(id, msg(2 * round + 1), 128);
      expect(s.deleteMsg(id, Uint8Array.of(2 * round))).toMatchObject({ ts: 2 * round });
      expect(held(s)).toBe(1);
      expect(s.deleteMsg(id, Uint8Array.of(2 * round + 1))).toMatchObject({ ts: 2 * round + 1 });
      expect(held(s)).toBe(0);
    }
    for (let i = 0; i < 100; i++) s.writeMsg(id, msg(i), 128);
    for (let i = 0; i < 99; i++) expect(s.deleteMsg(id, Uint8Array.of(i))?.ts).toBe(i);
    expect(held(s)).toBe(1);
    expect(s.queueSize(id)).toBe(1);
    expect(s.peekMsg(id)?.ts).toBe(99);
  });
});
