/**
 * Child process of the relay benchmark: runs either the relay or a raw TCP block-echo
 * server, so the load generator in the parent never shares a thread with the server.
 * Tells the parent its address over IPC.
 */
import { mkdtempSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getProvider } from "../../firmware/crypto/node/providers";
import { SMP_BLOCK_SIZE } from "../../firmware/transport/smp/block";
import { CommandHandler } from "../relay/command-handler";
import { loadOrCreateIdentity } from "../relay/certificates";
import { MemoryQueueStore } from "../relay/memory-queue-store";
import { SmpServer } from "../relay/smp-server";

async function run(): Promise<void> {
  const mode = process.argv[2];
  if (mode === "echo") {
    const server = net.createServer((s) => {
      s.setNoDelay(true);
      s.on("error", () => s.destroy());
      s.pipe(s); // echo every byte: the clients send and read whole blocks
    });
    server.maxConnections = 100_000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    process.send!({ port: (server.address() as net.AddressInfo).port, blockSize: SMP_BLOCK_SIZE });
    return;
  }
  const provider = getProvider(process.argv[3] ?? "native");
  const { identity } = loadOrCreateIdentity(mkdtempSync(join(tmpdir(), "tsense-bench-")), "ed25519");
  const handler = new CommandHandler({ store: new MemoryQueueStore(), provider, quota: 16 });
  const server = new SmpServer({ handler, identity, port: 0 });
  await server.listen();
  process.send!({ address: server.address() });
  process.on("message", (m) => {
    if (m === "stats") process.send!({ stats: handler.counters, cpu: process.cpuUsage() });
  });
}

run().catch((e) => {
  console.error(e);
  process.exit(1);
});

// lets --cpu-prof write its profile when the parent stops us
process.on("SIGINT", () => process.exit(0));
