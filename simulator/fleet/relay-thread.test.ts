// The fleet's relay in its own worker thread: addresses, stop/resume on the same ports, close.
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { RelayThread } from "./relay-thread";

function connects(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

describe("RelayThread", () => {
  it("serves SMP and GRP from its thread, stops and resumes on the same ports, and refuses work once closed", async () => {
    const relay = await RelayThread.start();
    try {
      expect(relay.address).toMatch(/^smp:\/\/[A-Za-z0-9_-]+=?@127\.0\.0\.1:\d+$/);
      expect(relay.grpAddress).toMatch(/^grp:\/\/.+@127\.0\.0\.1:\d+$/);
      expect(await connects(relay.address)).toBe(true);
      expect(await connects(relay.grpAddress)).toBe(true);
      await relay.stop();
      expect(await connects(relay.address)).toBe(false);
      expect(await connects(relay.grpAddress)).toBe(false);
      await relay.resume();
      expect(await connects(relay.address)).toBe(true);
      expect(await connects(relay.grpAddress)).toBe(true);
    } finally {
      await relay.close();
    }
    await expect(relay.stop()).rejects.toThrow(/relay thread/);
  }, 60_000);
});
