// The relay's ML-KEM key survives a restart (grp:// addresses pin its id), and every new
// key is written out when the ring rotates.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { CommandHandler } from "./command-handler";
import { MemoryQueueStore } from "./memory-queue-store";
import { GrpServer, loadOrCreateGrpStatic } from "./grp-server";

const provider = getProvider("native");

describe("GRP relay ML-KEM key file", () => {
  it("reuses the key after a restart and records rotations", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsense-kem-"));
    const kemKeyFile = join(dir, "grp-kem.key");
    const mk = () =>
      new GrpServer({
        handler: new CommandHandler({ provider, store: new MemoryQueueStore() }),
        provider,
        relayStatic: loadOrCreateGrpStatic(provider, dir).key,
        port: 0,
        kemKeyFile,
      });
    const a = mk();
    const id = Buffer.from(a.kemKeys.current(Date.now()).id as Uint8Array).toString("hex");
    const b = mk();
    expect(Buffer.from(b.kemKeys.current(Date.now()).id as Uint8Array).toString("hex")).toBe(id);
    const seedBefore = readFileSync(kemKeyFile, "utf8");
    b.kemKeys.rotate(Date.now());
    expect(readFileSync(kemKeyFile, "utf8")).not.toBe(seedBefore);
    const c = mk();
    expect(Buffer.from(c.kemKeys.current(Date.now()).id as Uint8Array).toString("hex")).toBe(Buffer.from(b.kemKeys.current(Date.now()).id as Uint8Array).toString("hex"));
  });
});
