/**
 * Runs a QueueScenario over a real TCP connection from Node: the host side of what a
 * device build does with its socket (bytes in, bytes out, a timer at deadline()).
 */
import * as net from "node:net";
import type { CryptoProvider } from "../../../crypto/provider";
import { QueueScenario, SCENARIO_RUNNING } from "../queue-scenario";
import { parseGrpUri } from "../uri";
import type { RelayKemKeyInfo } from "../client-session";

export interface ScenarioResult {
  status: string;
  reason: string;
  steps: string[];
  handshakeMs: number;
  totalMs: number;
  relayKemKey: RelayKemKeyInfo | undefined;
}

export function runScenarioOverTcp(address: string, provider: CryptoProvider, cachedKemKey: RelayKemKeyInfo | undefined, limitMs = 30_000): Promise<ScenarioResult> {
  const a = parseGrpUri(address);
  const sc = new QueueScenario(
    provider,
    { relayStaticKey: a.relayStaticKey, pinnedKemKeyId: a.kemKeyId, cachedKemKey, smpMin: 7, smpMax: 9, message: new TextEncoder().encode("reading 21.5 C"), commandTimeoutMs: 10_000 },
    Date.now(),
  );
  return new Promise((resolve) => {
    const socket = net.connect({ host: a.host, port: a.port });
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (timer) clearTimeout(timer);
      clearTimeout(limit);
      socket.destroy();
      resolve({ status: sc.status(), reason: sc.reason(), steps: sc.log(), handshakeMs: sc.handshakeMs(), totalMs: sc.totalMs(), relayKemKey: sc.relayKemKey() });
    };
    const limit = setTimeout(finish, limitMs);
    const pump = () => {
      const out = sc.takeOutput();
      if (out.length > 0) socket.write(out as Uint8Array);
      if (sc.status() !== SCENARIO_RUNNING) return finish();
      if (timer) clearTimeout(timer);
      const d = sc.deadline();
      if (d >= 0) {
        timer = setTimeout(() => {
          sc.tick(Date.now());
          pump();
        }, Math.max(0, d - Date.now()));
      }
    };
    socket.on("connect", () => {
      sc.start();
      pump();
    });
    socket.on("data", (chunk: Buffer) => {
      sc.receive(new Uint8Array(chunk), Date.now());
      pump();
    });
    socket.on("error", () => finish());
    socket.on("close", () => finish());
  });
}
