// The portable device-side scenario (queue-scenario.ts) against the Node relay on
// loopback: handshake, NEW, KEY, SEND, MSG, ACK, with the noble and the portable
// (our own, the one device builds use) crypto providers.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../../crypto/node/providers";
import { startRelay, type RunningRelay } from "../../../../relay-conformance/relay-cli";
import { runScenarioOverTcp } from "./scenario-driver";

describe("GRP device scenario against the relay over TCP", () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay(["--port", "0", "--grp-port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-grp-sc-")), "--provider", "native"], () => {});
  });
  afterAll(async () => relay.close());

  for (const provider of ["noble", "portable"]) {
    it(`runs XX then IK, NEW/KEY/SEND/MSG/ACK (${provider})`, async () => {
      const first = await runScenarioOverTcp(relay.grpAddress!, getProvider(provider), undefined);
      expect(first.reason).toBe("");
      expect(first.status).toBe("passed");
      const names = first.steps.map((s) => s.split(" ")[0]);
      expect(names.slice(0, 3)).toEqual(["open-XX", "NEW", "KEY"]);
      expect([...names.slice(3, 5)].sort()).toEqual(["MSG", "SEND"]); // the relay may deliver MSG before SEND's OK
      expect(names[5]).toBe("ACK");
      const second = await runScenarioOverTcp(relay.grpAddress!, getProvider(provider), first.relayKemKey);
      expect(second.status).toBe("passed");
      expect(second.steps[0].split(" ")[0]).toBe("open-IK");
    }, 60_000);
  }
});
