// The fleet's embedded relay keeps its identity in a directory of its own for the run and deletes it when closed.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RelayHost } from "./relay-host";

describe("RelayHost", () => {
  it("deletes its data directory when closed, after a restart too", async () => {
    const plain = await RelayHost.start();
    expect(existsSync(plain.dataDir)).toBe(true);
    await plain.close();
    expect(existsSync(plain.dataDir)).toBe(false);
    const restarted = await RelayHost.start();
    await restarted.stop();
    await restarted.resume();
    await restarted.close();
    expect(existsSync(restarted.dataDir)).toBe(false);
  }, 30_000);
});
