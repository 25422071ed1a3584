// A device's SMP-over-TLS link (the Node HAL's TLS + the portable SMP handshake) against
// our relay: it opens a session bound to TLS, and refuses a relay whose identity does not
// match the address's keyHash.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { SmpTlsLinks } from "../../firmware/app/node/smp-tls-link";
import type { BlockSession } from "../../firmware/transport/block-session";
import { NodeSystem } from "../../firmware/targets/node/node-hal";
import { NodeTls } from "../../firmware/targets/node/node-tls";
import { Scheduler } from "../../firmware/targets/node/scheduler";
import { startRelay, type RunningRelay } from "../../relay-conformance/relay-cli";

describe("device SMP link over the Node HAL's TLS", () => {
  let relay: RunningRelay;
  const scheduler = new Scheduler({ mode: "real" });
  beforeAll(async () => {
    relay = await startRelay(["--port", "0", "--grp-port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-smp-link-")), "--provider", "native"], () => {});
  }, 60_000);
  afterAll(async () => {
    scheduler.close();
    await relay.close();
  });

  function open(address: string): Promise<{ session?: BlockSession; closed?: string; close: () => void }> {
    const links = new SmpTlsLinks(new NodeTls(scheduler), getProvider("native"), new NodeSystem(scheduler, {}));
    return new Promise((resolve) => {
      const link = links.open(address, {
        onOpen: (session) => resolve({ session, close: () => link.close() }),
        onBlock: () => undefined,
        onClosed: (reason) => resolve({ closed: reason, close: () => undefined }),
      });
    });
  }

  it("opens a session bound to the TLS channel", async () => {
    const r = await open(relay.address);
    expect(r.closed).toBeUndefined();
    expect(r.session?.version).toBeGreaterThanOrEqual(7);
    expect(r.session?.sessionId.length).toBeGreaterThanOrEqual(12);
    r.close();
  }, 20_000);

  it("refuses a relay whose identity is not the address's keyHash", async () => {
    const wrong = relay.address.replace(/^smp:\/\/[^@]+@/, `smp://${"A".repeat(43)}=@`);
    const r = await open(wrong);
    expect(r.session).toBeUndefined();
    expect(r.closed).toMatch(/SMP handshake: IDENTITY/);
  }, 20_000);

  it("gives the agent the relay's address, and rejects a malformed one", () => {
    const links = new SmpTlsLinks(new NodeTls(scheduler), getProvider("native"), new NodeSystem(scheduler, {}));
    const a = links.address(relay.address);
    expect(a.scheme).toBe("smp");
    expect(a.keyHash.length).toBe(32);
    expect(() => links.address("smp://nokey@127.0.0.1:1")).toThrow(/relay smp:\/\/nokey@127\.0\.0\.1:1: /);
  });
});
