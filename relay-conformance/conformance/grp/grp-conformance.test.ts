// The conformance suite over grp://: every transport-neutral case of the catalogue plus
// the GRP handshake/transport cases, against our relay (SMP and GRP on one handler and
// store); all must pass. Also checks the GRP cases catch a relay that misbehaves.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../../firmware/crypto/node/providers";
import { CommandHandler } from "../../relay/command-handler";
import { GrpServer, loadOrCreateGrpStatic } from "../../relay/grp-server";
import { MemoryQueueStore } from "../../relay/memory-queue-store";
import { CATALOGUE } from "../cases";
import { runCases } from "../runner";
import { GRP_CASES } from "./grp-cases";
import { GrpTransport } from "./grp-transport";

const provider = getProvider("noble");

async function startGrp(o: { handshakeTimeoutMs: number; versions?: { min: number; max: number } }): Promise<GrpServer> {
  const handler = new CommandHandler({ store: new MemoryQueueStore(), provider, quota: 8 });
  const server = new GrpServer({
    handler, provider, relayStatic: loadOrCreateGrpStatic(provider, mkdtempSync(join(tmpdir(), "tsense-grp-conf-"))).key, port: 0,
    handshakeTimeoutMs: o.handshakeTimeoutMs, versions: o.versions,
  });
  await server.listen();
  return server;
}

describe("conformance over grp:// against the reference relay", () => {
  let server: GrpServer;
  beforeAll(async () => {
    server = await startGrp({ handshakeTimeoutMs: 1000 });
  });
  afterAll(async () => server.close());

  it("passes every GRP case and every transport-neutral queue case", async () => {
    const cases = [...GRP_CASES, ...CATALOGUE];
    const results = await runCases({ address: server.address(), provider, transports: [new GrpTransport(provider, 3000)], cases, caseTimeoutMs: 20_000 });
    const failed = results.filter((r) => r.status === "failed").map((r) => `${r.id}: ${r.message}`);
    expect(failed).toEqual([]);
    const passed = results.filter((r) => r.status === "passed").map((r) => r.id);
    for (const c of GRP_CASES) expect(passed).toContain(c.id);
    // the queue cases really ran over GRP (only the TLS/SMP-handshake ones are skipped)
    expect(passed.filter((id) => !id.startsWith("grp.")).length).toBeGreaterThan(40);
  }, 120_000);
});

describe("the GRP cases detect a misbehaving relay", () => {
  it("fails grp.handshake.timeout against a relay without a handshake timeout", async () => {
    const s = await startGrp({ handshakeTimeoutMs: 60_000 });
    try {
      const [r] = await runCases({ address: s.address(), provider, transports: [new GrpTransport(provider, 1500)], cases: GRP_CASES, only: ["grp.handshake.timeout"] });
      expect(r.status).toBe("failed");
    } finally {
      await s.close();
    }
  });
});
