/**
 * One process of `tsense relay --workers N` (started by relay/cluster.ts through
 * node:cluster): the whole relay with a sharded CommandHandler, its forwarding messages
 * on direct links to the other workers (shard-link.ts).
 */
import cluster from "node:cluster";
import { startRelay, type RunningRelay } from "../relay-cli";
import type { ControlMessage, WorkerStats } from "./cluster";
import { Forwarder } from "./forwarder";
import { ShardLinks } from "./shard-link";

async function run(): Promise<void> {
  if (!cluster.isWorker) throw new Error("cluster-worker.ts is started by relay/cluster.ts");
  const index = Number(process.env.TSENSE_RELAY_WORKER);
  const count = Number(process.env.TSENSE_RELAY_WORKERS);
  const argv = JSON.parse(process.env.TSENSE_RELAY_ARGV ?? "[]") as string[];
  const send = (m: ControlMessage) => process.send!(m);
  let stopping = false;
  const links = new ShardLinks(process.env.TSENSE_RELAY_LINK_DIR!, index, (m) => forwarder.receive(m), (why) => {
    if (stopping) return;
    console.error(`[relay worker ${index}] ${why}`);
    process.exit(1); // the primary reports it and stops the relay
  });
  const forwarder = new Forwarder(index, count, (m) => links.post(m));
  // start-up lines go to the primary (printed once); later lines are this worker's own
  const lines: string[] = [];
  let started = false;
  const log = (line: string) => (started ? console.log(`[relay worker ${index}] ${line}`) : lines.push(line));
  let relay: RunningRelay;
  try {
    await links.listen();
    relay = await startRelay(argv, log, { shard: forwarder, grp: index === 0 });
  } catch (e) {
    send({ t: "error", message: (e as Error).message });
    process.exit(2);
  }
  forwarder.attach(relay.handler);
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await relay.close();
    await links.close();
    process.exit(0);
  };
  process.on("message", (m: ControlMessage) => {
    if (m.t === "stats") {
      const s: WorkerStats = { index, pid: process.pid, counters: { ...relay.handler.counters }, forwarder: forwarder.stats(), cpu: process.cpuUsage() };
      send({ t: "stats-reply", ...s });
    } else if (m.t === "shutdown") void stop();
  });
  // Ctrl-C reaches the whole process group: the primary decides when workers stop
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => void stop());
  // the primary is gone: nothing routes our forwarded commands any more
  process.on("disconnect", () => void stop());
  started = true;
  send({ t: "ready", address: relay.address, grpAddress: relay.grpAddress, lines });
}

run().catch((e) => {
  console.error(`relay worker: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
