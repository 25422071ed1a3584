// The native load generator against our relay over real TLS on loopback: every message it
// sends is delivered and acknowledged, none in error; a wrong key hash fails the set-up
// with the reason; the TCP block echo works. Skips only when gcc or the libraries are absent.
import { mkdtempSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../../firmware/crypto/node/providers";
import { loadOrCreateIdentity } from "../../relay/certificates";
import { CommandHandler } from "../../relay/command-handler";
import { MemoryQueueStore } from "../../relay/memory-queue-store";
import { SmpServer } from "../../relay/smp-server";
import { buildLoadgen } from "./build";
import { NativeLoadgen } from "./loadgen";

const build = buildLoadgen();
const reason = build.ok ? "" : build.error;

describe.skipIf(!build.ok)(`native load generator${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const binary = build.ok ? build.path : "";
  let handler: CommandHandler;
  let server: SmpServer;
  let address: string;
  beforeAll(async () => {
    const { identity } = loadOrCreateIdentity(mkdtempSync(join(tmpdir(), "tsense-loadgen-")), "ed25519");
    handler = new CommandHandler({ store: new MemoryQueueStore(), provider: getProvider("native") });
    server = new SmpServer({ handler, identity, port: 0 });
    await server.listen();
    address = server.address("127.0.0.1");
  });
  afterAll(() => server.close());

  it("runs the own workload: every SEND delivered and ACKed, no errors", async () => {
    const lg = new NativeLoadgen(binary);
    try {
      const c = await lg.connectSmp(address, 20, 16000);
      expect(c).toMatchObject({ conns: 20, version: 9, tls: "TLS_CHACHA20_POLY1305_SHA256" });
      const before = { ...handler.counters };
      const r = await lg.run(1);
      expect(r.errors).toBe(0);
      expect(r.firstError).toBe("");
      expect(r.count).toBeGreaterThan(20);
      const sent = handler.counters.sent - before.sent;
      // counted in the period, plus at most one per connection finished in the drain
      expect(sent).toBeGreaterThanOrEqual(r.count);
      expect(sent).toBeLessThanOrEqual(r.count + 20);
      expect(handler.counters.delivered - before.delivered).toBe(sent);
      expect(handler.counters.acked - before.acked).toBe(sent);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
      expect(r.cpuUs).toBeGreaterThan(0);
    } finally {
      lg.quit();
    }
  });

  it("refuses a relay whose identity does not match the address's key hash", async () => {
    const lg = new NativeLoadgen(binary);
    try {
      const wrong = address.replace(/smp:\/\/[^@]+@/, `smp://${Buffer.alloc(32, 7).toString("base64url")}@`);
      await expect(lg.connectSmp(wrong, 2, 16000)).rejects.toThrow(/identity certificate does not match the address's key hash/);
    } finally {
      lg.quit();
    }
  });

  it("echoes 16 KiB blocks over TCP", async () => {
    const echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
    const lg = new NativeLoadgen(binary);
    try {
      await lg.connectEcho("tcp-echo", (echo.address() as net.AddressInfo).port, 4);
      const r = await lg.run(0.3);
      expect(r.errors).toBe(0);
      expect(r.count).toBeGreaterThan(4);
    } finally {
      lg.quit();
      echo.close();
    }
  });
});
