/**
 * Child process of the relay benchmark: runs the relay (one process), the relay as a
 * cluster of worker processes (this process is its primary), a raw TCP block-echo
 * server, or a TLS block-echo server with the relay's TLS settings, so the load generator
 * in the parent never shares a thread with the server.
 * Tells the parent its address over IPC, and answers "stats" with the relay's counters
 * and CPU time (for a cluster: summed over the workers and the primary; an echo server
 * has no counters).
 */
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getProvider } from "../../firmware/crypto/node/providers";
import { SMP_BLOCK_SIZE } from "../../firmware/transport/smp/block";
import { CommandHandler } from "../relay/command-handler";
import { loadOrCreateIdentity } from "../relay/certificates";
import { MemoryQueueStore } from "../relay/memory-queue-store";
import { SmpServer, smpTlsServerOptions } from "../relay/smp-server";
import { startRelayCluster } from "../relay/cluster";
import { growHeapForThroughput } from "../relay/heap-growth";

const QUOTA = 16;

/** This server's certificates and data, removed when it exits (however the bench stops it). */
let scratch: string | undefined;
function scratchDir(): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "tsense-bench-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}

async function run(): Promise<void> {
  const mode = process.argv[2];
  // the relay runs as `tsense relay` does (startRelay sets it too); the TLS echo, "the relay
  // with no work of its own", gets the same; the TCP floor stays Node's default
  if (mode !== "echo") growHeapForThroughput();
  if (mode === "echo" || mode === "tls-echo") {
    // echo every byte: the clients send and read whole blocks
    const echo = (s: net.Socket) => {
      s.setNoDelay(true);
      s.on("error", () => s.destroy());
      s.pipe(s);
    };
    // TLS: the relay's own certificate chain, suites, groups and ALPN (argv[3]: other suites to compare)
    const server = mode === "echo" ? net.createServer(echo) : tls.createServer(smpTlsServerOptions(loadOrCreateIdentity(scratchDir(), "ed25519").identity, process.argv[3] || undefined), echo);
    server.maxConnections = 100_000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    process.send!({ port: (server.address() as net.AddressInfo).port, blockSize: SMP_BLOCK_SIZE });
    process.on("message", (m) => {
      if (m === "stats") process.send!({ stats: { sent: 0, forwarded: 0 }, cpu: process.cpuUsage() });
    });
    process.on("SIGINT", () => process.exit(0));
    return;
  }
  if (mode === "cluster") {
    const relay = await startRelayCluster(["--port", "0", "--data-dir", scratchDir(), "--provider", process.argv[3] ?? "native", "--quota", String(QUOTA)], Number(process.argv[4] ?? 2), () => {}, process.execArgv.filter((a) => a.startsWith("--cpu-prof")));
    process.send!({ address: relay.address, pids: relay.pids });
    process.on("message", (m) => {
      if (m !== "stats") return;
      void relay.stats().then(({ workers, primaryCpu }) => {
        const stats = { blocks: 0, sent: 0, delivered: 0, acked: 0, forwarded: 0 };
        const cpu = { user: primaryCpu.user, system: primaryCpu.system };
        for (const w of workers) {
          stats.blocks += w.counters.blocks;
          stats.sent += w.counters.sent;
          stats.delivered += w.counters.delivered;
          stats.acked += w.counters.acked;
          stats.forwarded += w.forwarder.forwarded;
          cpu.user += w.cpu.user;
          cpu.system += w.cpu.system;
        }
        process.send!({ stats, cpu });
      });
    });
    process.on("SIGINT", () => void relay.close().then(() => process.exit(0)));
    return;
  }
  const provider = getProvider(process.argv[3] ?? "native");
  const { identity } = loadOrCreateIdentity(scratchDir(), "ed25519");
  const handler = new CommandHandler({ store: new MemoryQueueStore(), provider, quota: QUOTA });
  const server = new SmpServer({ handler, identity, port: 0 });
  await server.listen();
  process.send!({ address: server.address() });
  process.on("message", (m) => {
    if (m === "stats") process.send!({ stats: { ...handler.counters, forwarded: 0 }, cpu: process.cpuUsage() });
  });
  // lets --cpu-prof write its profile when the parent stops us
  process.on("SIGINT", () => process.exit(0));
}

run().catch((e) => {
  console.error(e);
  process.exit(1);
});
