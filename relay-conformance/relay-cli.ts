/**
 * `tsense relay`: the reference relay (SMP over TLS, GRP over TCP). Prints its smp:// (and
 * grp://) address and runs until interrupted. `--workers N` runs it as N processes sharing
 * the listening sockets (relay/cluster.ts); the default is one process.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getProvider } from "../firmware/crypto/node/providers";
import { CommandHandler } from "./relay/command-handler";
import { CertAlgorithm, loadOrCreateIdentity } from "./relay/certificates";
import { MemoryQueueStore } from "./relay/memory-queue-store";
import { SmpServer } from "./relay/smp-server";
import { SMP_DEFAULT_PORT } from "../firmware/transport/smp/version";
import { GrpServer, loadOrCreateGrpStatic } from "./relay/grp-server";
import type { Shard } from "./relay/command-handler";
import { parseWorkers, startRelayCluster } from "./relay/cluster";
import { growHeapForThroughput } from "./relay/heap-growth";

const USAGE = `usage: tsense relay [options]

  --port N            SMP (TLS) port (default ${SMP_DEFAULT_PORT}; 0 = any free port)
  --host ADDR         address to bind (default 127.0.0.1)
  --data-dir DIR      where the identity and server certificates live (default .tsense/relay)
  --cert ALG          ed25519 (default) or ed448
  --quota N           messages per queue before ERR QUOTA (default 128)
  --ttl SECONDS       message time-to-live (default: none)
  --idle-timeout S    close connections without subscriptions after S idle seconds (default 21600)
  --handshake-timeout S   (default 30)
  --password PW       require this server password in NEW
  --provider NAME     crypto provider: native (default), noble or portable
  --grp-port N        also serve GRP/1 (Noise + ML-KEM over TCP, docs/grp.md) on this port (0 = any free port)
  --grp-kem-rotation S    replace the GRP ML-KEM key every S seconds (default 0 = never)
  --grp-kem-grace S       a replaced ML-KEM key stays valid for S seconds (default 3600)
  --workers N|auto    processes sharing the listening sockets (default 1; auto = one per core);
                      each owns the queues it creates, commands for others' queues are forwarded`;

const OPTIONS = {
  port: { type: "string" }, host: { type: "string" }, "data-dir": { type: "string" }, cert: { type: "string" },
  quota: { type: "string" }, ttl: { type: "string" }, "idle-timeout": { type: "string" }, "handshake-timeout": { type: "string" },
  password: { type: "string" }, provider: { type: "string" }, help: { type: "boolean", short: "h" },
  "grp-port": { type: "string" }, "grp-kem-rotation": { type: "string" }, "grp-kem-grace": { type: "string" },
  workers: { type: "string" },
} as const;

/** What one process of a `--workers N` relay runs (relay/cluster-worker.ts). */
export interface WorkerRole {
  shard: Shard;
  /**
   * Whether this process serves GRP. Only one does: GRP's replay cache and ML-KEM key ring
   * are per process, and a replayed handshake must meet the cache that saw the original.
   */
  grp: boolean;
}

export interface RunningRelay {
  server: SmpServer;
  handler: CommandHandler;
  address: string;
  grp: GrpServer | undefined;
  /** grp://… when --grp-port was given */
  grpAddress: string | undefined;
  close(): Promise<void>;
}

export async function startRelay(argv: string[], log: (s: string) => void = console.log, role?: WorkerRole): Promise<RunningRelay> {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  growHeapForThroughput();
  const num = (name: string, v: string | undefined, def: number | undefined) => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
  const alg = (values.cert ?? "ed25519") as CertAlgorithm;
  if (alg !== "ed25519" && alg !== "ed448") throw new Error(`--cert must be ed25519 or ed448, got '${values.cert}'`);
  const provider = getProvider(values.provider ?? "native");
  const dataDir = values["data-dir"] ?? ".tsense/relay";
  const { identity, created } = loadOrCreateIdentity(dataDir, alg);
  const handler = new CommandHandler({
    store: new MemoryQueueStore(),
    provider,
    quota: num("quota", values.quota, undefined),
    ttlSeconds: num("ttl", values.ttl, undefined),
    newQueuePassword: values.password === undefined ? undefined : new Uint8Array(Buffer.from(values.password, "utf8")),
    shard: role?.shard,
  });
  const server = new SmpServer({
    handler,
    identity,
    host: values.host ?? "127.0.0.1",
    port: num("port", values.port, SMP_DEFAULT_PORT)!,
    handshakeTimeoutMs: num("handshake-timeout", values["handshake-timeout"], 30)! * 1000,
    idleTimeoutMs: num("idle-timeout", values["idle-timeout"], 21600)! * 1000,
    log,
  });
  await server.listen();
  let grp: GrpServer | undefined;
  if (values["grp-port"] !== undefined && (role === undefined || role.grp)) {
    const grpStatic = loadOrCreateGrpStatic(provider, dataDir);
    grp = new GrpServer({
      handler,
      provider,
      relayStatic: grpStatic.key,
      host: values.host ?? "127.0.0.1",
      port: num("grp-port", values["grp-port"], undefined)!,
      handshakeTimeoutMs: num("handshake-timeout", values["handshake-timeout"], 10)! * 1000,
      idleTimeoutMs: num("idle-timeout", values["idle-timeout"], 21600)! * 1000,
      kemRotationMs: num("grp-kem-rotation", values["grp-kem-rotation"], 0)! * 1000,
      kemGraceMs: num("grp-kem-grace", values["grp-kem-grace"], 3600)! * 1000,
      kemKeyFile: join(dataDir, "grp-kem.key"),
      log,
    });
    await grp.listen();
  }
  const expiry = setInterval(() => handler.expireAll(), 60_000);
  expiry.unref();
  const address = server.address();
  log(`${created ? "generated" : "loaded"} ${alg} identity in ${dataDir}`);
  log(`SMP relay listening: ${address}`);
  const grpAddress = grp?.address();
  if (grp) log(`GRP relay listening: ${grpAddress}`);
  return { server, handler, address, grp, grpAddress, close: async () => { clearInterval(expiry); await server.close(); await grp?.close(); } };
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  let workers: number;
  try {
    workers = parseWorkers(parseArgs({ args: argv, options: OPTIONS }).values.workers);
  } catch (e) {
    console.error(`tsense relay: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (workers > 1) return runCluster(argv, workers);
  let relay: RunningRelay;
  try {
    relay = await startRelay(argv);
  } catch (e) {
    console.error(`tsense relay: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await relay.close();
  return 0;
}


/** `--workers N` (N > 1): runs until interrupted, or until a worker dies (then exits 1). */
async function runCluster(argv: string[], workers: number): Promise<number> {
  let cluster: Awaited<ReturnType<typeof startRelayCluster>>;
  try {
    cluster = await startRelayCluster(argv, workers, console.log);
  } catch (e) {
    console.error(`tsense relay: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const signalled = new Promise<"signal">((resolve) => {
    process.once("SIGINT", () => resolve("signal"));
    process.once("SIGTERM", () => resolve("signal"));
  });
  const how = await Promise.race([signalled, cluster.failed]);
  if (how !== "signal") {
    console.error(`tsense relay: ${how}; stopping the other workers`);
    await cluster.close();
    return 1;
  }
  await cluster.close();
  return 0;
}
