// Runs the whole conformance catalogue against our relay (must pass 100%), and checks
// that the suite notices when a relay misbehaves (mutated stores).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import type { Bytes } from "../../firmware/port/bytes";
import { CommandHandler } from "../relay/command-handler";
import { loadOrCreateIdentity } from "../relay/certificates";
import { MemoryQueueStore } from "../relay/memory-queue-store";
import type { StoredMessage, WriteResult } from "../relay/queue-store";
import { SmpServer } from "../relay/smp-server";
import { CATALOGUE } from "./cases";
import { junit } from "./report";
import { runCases } from "./runner";
import { SmpTransport } from "./smp-transport";

const provider = getProvider("noble");

async function startWith(store: MemoryQueueStore, quota = 8): Promise<SmpServer> {
  const { identity } = loadOrCreateIdentity(mkdtempSync(join(tmpdir(), "tsense-conf-")), "ed25519");
  const server = new SmpServer({ handler: new CommandHandler({ store, provider, quota }), identity, port: 0 });
  await server.listen();
  return server;
}

describe("conformance suite against the reference relay", () => {
  let server: SmpServer;
  beforeAll(async () => {
    server = await startWith(new MemoryQueueStore());
  });
  afterAll(async () => server.close());

  it("passes every case", async () => {
    const results = await runCases({ address: server.address(), provider, transports: [new SmpTransport(provider)], cases: CATALOGUE, caseTimeoutMs: 20_000 });
    const failed = results.filter((r) => r.status !== "passed").map((r) => `${r.id}: ${r.message}`);
    expect(failed).toEqual([]);
    expect(results.length).toBe(CATALOGUE.length);
    expect(junit(server.address(), results)).toContain(`tests="${CATALOGUE.length}" failures="0"`);
  });
});

describe("the suite detects misbehaving relays", () => {
  class NoQuota extends MemoryQueueStore {
    override writeMsg(id: Bytes, msg: StoredMessage): WriteResult {
      return super.writeMsg(id, msg, 1e9);
    }
  }
  class AnyKey extends MemoryQueueStore {
    override secureQueue(): boolean {
      return true;
    }
  }
  for (const [name, store, caseId] of [
    ["ignores the quota", new NoQuota(), "delivery.quota"],
    ["accepts KEY with a different key", new AnyKey(), "cmd.key"],
  ] as const) {
    it(`fails ${caseId} when the relay ${name}`, async () => {
      const s = await startWith(store);
      try {
        const [r] = await runCases({ address: s.address(), provider, transports: [new SmpTransport(provider)], cases: CATALOGUE, only: [caseId], quotaLimit: 50 });
        expect(r.status).toBe("failed");
      } finally {
        await s.close();
      }
    });
  }
});
