/**
 * One process of `tsense relay --workers N` (started by relay/cluster.ts through
 * node:cluster): the whole relay with a sharded CommandHandler, its forwarding messages
 * carried by the primary.
 */
import cluster from "node:cluster";
import { startRelay, type RunningRelay } from "../relay-cli";
import type { ControlMessage, WorkerStats } from "./cluster";
import { Forwarder, type ShardMessage } from "./forwarder";

async function run(): Promise<void> {
  if (!cluster.isWorker) throw new Error("cluster-worker.ts is started by relay/cluster.ts");
  const index = Number(process.env.TSENSE_RELAY_WORKER);
  const count = Number(process.env.TSENSE_RELAY_WORKERS);
  const argv = JSON.parse(process.env.TSENSE_RELAY_ARGV ?? "[]") as string[];
  const send = (m: ShardMessage | ControlMessage) => process.send!(m);
  const forwarder = new Forwarder(index, count, send);
  // start-up lines go to the primary (printed once); later lines are this worker's own
  const lines: string[] = [];
  let started = false;
  const log = (line: string) => (started ? console.log(`[relay worker ${index}] ${line}`) : lines.push(line));
  let relay: RunningRelay;
  try {
    relay = await startRelay(argv, log, { shard: forwarder, grp: index === 0 });
  } catch (e) {
    send({ t: "error", message: (e as Error).message });
    process.exit(2);
  }
  forwarder.attach(relay.handler);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await relay.close();
    process.exit(0);
  };
  process.on("message", (m: ShardMessage | ControlMessage) => {
    if (m.t === "fwd" || m.t === "out" || m.t === "close") forwarder.receive(m);
    else if (m.t === "stats") {
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
