/**
 * `tsense relay --workers N`: the relay as N processes (node:cluster) behind one address.
 *
 * Node cannot hand a TLS socket to a worker thread, but cluster workers can share a
 * listening socket: the primary accepts and passes each connection to a worker in turn.
 * Every worker runs the whole relay (TLS, SMP handshake, CommandHandler) with its own
 * queue store; queue ownership and forwarding are described in command-handler.ts (Shard)
 * and forwarder.ts; workers talk to each other directly over Unix sockets in a directory
 * this primary makes (shard-link.ts). The primary only starts, watches and stops them.
 *
 * - Worker 0 starts first and alone: it creates the identity and GRP keys in --data-dir (so
 *   later workers load the same ones) and binds the port (--port 0 resolves once; cluster
 *   workers listening on port 0 share that port).
 * - Only worker 0 serves GRP (one replay cache and one ML-KEM key ring); GRP sessions reach
 *   other workers' queues by forwarding like SMP sessions.
 * - A worker that exits while the relay is running is reported, the others are stopped and
 *   the relay fails (`failed` resolves): it never runs with part of its queues missing.
 */
import cluster, { type Worker } from "node:cluster";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const MAX_WORKERS = 64;
const STOP_TIMEOUT_MS = 10_000;
const HERE = dirname(fileURLToPath(import.meta.url));

/** --workers: a count 1..64 or "auto" (one per core). */
export function parseWorkers(v: string | undefined): number {
  if (v === undefined) return 1;
  if (v === "auto") return Math.min(MAX_WORKERS, availableParallelism());
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new Error(`--workers must be 1..${MAX_WORKERS} or auto, got '${v}'`);
  return n;
}

export interface WorkerStats {
  index: number;
  pid: number;
  counters: { blocks: number; sent: number; delivered: number; acked: number };
  forwarder: { proxies: number; origins: number; forwarded: number; received: number };
  cpu: NodeJS.CpuUsage;
}

/** Messages between the primary and a worker (besides the ShardMessages it routes). */
export type ControlMessage =
  | { t: "ready"; address: string; grpAddress: string | undefined; lines: string[] }
  | { t: "error"; message: string }
  | { t: "stats" }
  | ({ t: "stats-reply" } & WorkerStats)
  | { t: "shutdown" };

export interface RelayCluster {
  address: string;
  grpAddress: string | undefined;
  pids: number[];
  /** resolves with a description when a worker dies while the relay is running */
  failed: Promise<string>;
  /** every worker's counters and CPU time, and the primary's CPU time */
  stats(): Promise<{ workers: WorkerStats[]; primaryCpu: NodeJS.CpuUsage }>;
  /** stops every worker (gracefully, then by force after 10 s) */
  close(): Promise<void>;
}

/** `nodeFlags`: extra Node options for the workers (the benchmark's --cpu-prof). */
export async function startRelayCluster(argv: string[], count: number, log: (s: string) => void, nodeFlags: string[] = []): Promise<RelayCluster> {
  if (!cluster.isPrimary) throw new Error("a relay cluster is started from the primary process");
  cluster.setupPrimary({ exec: join(HERE, "cluster-worker.ts"), execArgv: ["--import", "tsx", ...nodeFlags] });
  const linkDir = mkdtempSync(join(tmpdir(), "tsense-relay-links-"));
  const workers: Worker[] = [];
  let stopping = false;
  let reportFailure: (why: string) => void = () => {};
  const failed = new Promise<string>((resolve) => (reportFailure = resolve));
  const statWaiters: ((s: WorkerStats) => void)[][] = [];

  const start = (index: number) =>
    new Promise<Extract<ControlMessage, { t: "ready" }>>((resolve, reject) => {
      const w = cluster.fork({ TSENSE_RELAY_WORKER: String(index), TSENSE_RELAY_WORKERS: String(count), TSENSE_RELAY_ARGV: JSON.stringify(argv), TSENSE_RELAY_LINK_DIR: linkDir });
      workers[index] = w;
      statWaiters[index] = [];
      let ready = false;
      w.on("message", (m: ControlMessage) => {
        if (m.t === "ready") {
          ready = true;
          resolve(m);
        } else if (m.t === "error") {
          reject(new Error(m.message));
        } else if (m.t === "stats-reply") {
          statWaiters[index].shift()?.(m);
        }
      });
      w.on("exit", (code, signal) => {
        const why = `relay worker ${index} (pid ${w.process.pid}) exited with ${signal ?? `code ${code}`}`;
        if (!ready) reject(new Error(why));
        else if (!stopping) {
          log(why);
          reportFailure(why);
        }
      });
    });

  const stopAll = async () => {
    stopping = true;
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w === undefined || w.isDead()) return resolve();
            const force = setTimeout(() => w.process.kill("SIGKILL"), STOP_TIMEOUT_MS);
            w.once("exit", () => {
              clearTimeout(force);
              resolve();
            });
            if (w.isConnected()) w.send({ t: "shutdown" } satisfies ControlMessage);
            else w.process.kill("SIGTERM");
          }),
      ),
    );
    rmSync(linkDir, { recursive: true, force: true });
  };

  let first: Extract<ControlMessage, { t: "ready" }>;
  try {
    first = await start(0);
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)));
  } catch (e) {
    await stopAll();
    throw e;
  }
  for (const line of first.lines) log(line);
  log(`${count} worker processes (pids ${workers.map((w) => w.process.pid).join(", ")}); queues are owned by the worker that created them`);
  return {
    address: first.address,
    grpAddress: first.grpAddress,
    pids: workers.map((w) => w.process.pid!),
    failed,
    stats: async () => {
      const all = await Promise.all(
        workers.map(
          (w, i) =>
            new Promise<WorkerStats>((resolve) => {
              statWaiters[i].push(resolve);
              w.send({ t: "stats" } satisfies ControlMessage);
            }),
        ),
      );
      return { workers: all, primaryCpu: process.cpuUsage() };
    },
    close: stopAll,
  };
}
