/**
 * `npm run bench -- grp`: GRP/1 costs, per crypto provider, each next to a baseline
 * measured in the same run:
 *  - per-side handshake CPU (sans-I/O, in process) for IK and XX, against the cost of
 *    the primitives a handshake cannot avoid (X25519 and ML-KEM-768 operations);
 *  - 16 KiB block transport (seal + open with framing and rekey schedule) against the
 *    provider's bare ChaCha20-Poly1305 on the same blocks;
 *  - relay handshakes/s over TCP loopback (relay in a child process, IK clients here)
 *    with the relay's CPU per handshake.
 * In-process figures are CPU time (process.cpuUsage), not wall time, so that a busy
 * machine inflates them less; ratios compare figures taken the same way in the same run.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getProvider, PROVIDER_NAMES } from "../../firmware/crypto/node/providers";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import { GrpClientSession, type RelayKemKeyInfo } from "../../firmware/transport/grp/client-session";
import { GrpServerSession } from "../../firmware/transport/grp/server-session";
import { KemKeyRing } from "../../firmware/transport/grp/kem-key-ring";
import { keyPairFromSecret, type KeyPair } from "../../firmware/transport/grp/noise/handshake-state";
import { GRP_BLOCK_SIZE } from "../../firmware/transport/grp/constants";
import { connectGrp, type GrpKemKeyCache } from "../../firmware/transport/grp/node/grp-connection";
import { CommandHandler } from "../relay/command-handler";
import { GrpServer, loadOrCreateGrpStatic } from "../relay/grp-server";
import { MemoryQueueStore } from "../relay/memory-queue-store";

const THIS_FILE = fileURLToPath(import.meta.url);
const CHILD_FLAG = "--grp-bench-relay";

const USAGE = `usage: npm run bench -- grp [--providers noble,native] [--seconds S] [--connections N] [--skip-tcp]

  --providers LIST   crypto providers to measure (default noble,native; portable is slow)
  --seconds S        time per measurement (default 2)
  --connections N    concurrent clients for the relay handshake rate (default 8)
  --skip-tcp         only the in-process measurements`;

/** CPU microseconds used by this process so far. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Calls f repeatedly for about `ms` of CPU time (at least `min` times); returns the mean CPU µs per call. */
function timeIt(ms: number, min: number, f: () => void): number {
  const start = cpuNow();
  let n = 0;
  while (n < min || cpuNow() - start < ms * 1000) {
    f();
    n++;
  }
  return (cpuNow() - start) / n;
}

interface Relay {
  p: CryptoProvider;
  s: KeyPair;
  ring: KemKeyRing;
}

function relay(p: CryptoProvider): Relay {
  return { p, s: keyPairFromSecret(p, p.randomBytes(32)), ring: new KemKeyRing(p, { rotationMs: 0, graceMs: 0 }, 0, undefined) };
}

function client(r: Relay, cached: RelayKemKeyInfo | undefined): GrpClientSession {
  return new GrpClientSession(r.p, { relayStaticKey: r.s.publicKey, pinnedKemKeyId: undefined, cachedKemKey: cached, clientStatic: undefined, smpMin: 7, smpMax: 9, handshakeTimeoutMs: undefined, random: undefined }, 0);
}

function server(r: Relay): GrpServerSession {
  return new GrpServerSession(r.p, { relayStatic: r.s, kemKeys: r.ring, replayCache: undefined, smpMin: 7, smpMax: 9, handshakeTimeoutMs: undefined, random: undefined }, 0);
}

/** One in-memory handshake, timing the client's and the relay's work separately (µs). */
function handshakeOnce(r: Relay, cached: RelayKemKeyInfo | undefined): { client: number; relay: number } {
  let c = 0;
  let s = 0;
  let t = cpuNow();
  const cl = client(r, cached);
  cl.start();
  let out = cl.takeOutput();
  c += cpuNow() - t;
  t = cpuNow();
  const sv = server(r);
  s += cpuNow() - t;
  for (let round = 0; round < 3 && !(cl.isOpen() && sv.isOpen()); round++) {
    t = cpuNow();
    sv.receive(out, 0);
    const back = sv.takeOutput();
    s += cpuNow() - t;
    if (back.length === 0) break;
    t = cpuNow();
    cl.receive(back, 0);
    out = cl.takeOutput();
    c += cpuNow() - t;
    if (out.length === 0) break;
  }
  if (!cl.isOpen() || !sv.isOpen()) throw new Error("bench handshake did not open");
  return { client: c, relay: s };
}

function handshakeCost(r: Relay, cached: RelayKemKeyInfo | undefined, ms: number): { client: number; relay: number } {
  let c = 0;
  let s = 0;
  let n = 0;
  const start = cpuNow();
  while (n < 3 || cpuNow() - start < ms * 1000) {
    const x = handshakeOnce(r, cached);
    c += x.client;
    s += x.relay;
    n++;
  }
  return { client: c / n, relay: s / n };
}

function measureProvider(name: string, seconds: number): void {
  const p = getProvider(name);
  const ms = seconds * 1000;
  const r = relay(p);
  const cur = r.ring.current(0);
  const cached = { id: cur.id, encapsulationKey: cur.encapsulationKey };
  const sk = p.randomBytes(32);
  const pk = p.x25519PublicKey(p.randomBytes(32));
  const x25519 = timeIt(ms / 8, 5, () => p.x25519(sk, pk));
  const enc = p.mlkem768Encapsulate(cur.encapsulationKey, p.randomBytes(32));
  const encaps = timeIt(ms / 8, 5, () => p.mlkem768Encapsulate(cur.encapsulationKey, p.randomBytes(32)));
  const decaps = timeIt(ms / 8, 5, () => p.mlkem768Decapsulate(cur.decapsulationKey, enc.ciphertext));
  const ik = handshakeCost(r, cached, ms / 4);
  const xx = handshakeCost(r, undefined, ms / 4);
  // IK, X25519 operations per side: relay = ephemeral key + es, ss, ee, se (5) + decapsulation;
  // client = fresh static key + ephemeral key + es, ss, ee, se (6) + encapsulation.
  const relayFloor = 5 * x25519 + decaps;
  const clientFloor = 6 * x25519 + encaps;
  console.log(`\n[${name}]  primitives: X25519 ${x25519.toFixed(0)} µs, ML-KEM-768 encaps ${encaps.toFixed(0)} µs, decaps ${decaps.toFixed(0)} µs`);
  console.log(`  handshake IK: client ${(ik.client / 1000).toFixed(2)} ms (${(ik.client / clientFloor).toFixed(2)}× its X25519+KEM floor), relay ${(ik.relay / 1000).toFixed(2)} ms (${(ik.relay / relayFloor).toFixed(2)}× floor)`);
  console.log(`  handshake XX: client ${(xx.client / 1000).toFixed(2)} ms, relay ${(xx.relay / 1000).toFixed(2)} ms   (one-core bound: ${(1e6 / ik.relay).toFixed(0)} IK handshakes/s per relay core)`);

  // 16 KiB blocks through open sessions vs the bare AEAD
  const c = client(r, cached);
  const s = server(r);
  c.start();
  s.receive(c.takeOutput(), 0);
  c.receive(s.takeOutput(), 0);
  const block = p.randomBytes(GRP_BLOCK_SIZE);
  const key = p.randomBytes(32);
  const nonce = new Uint8Array(12);
  const empty = new Uint8Array(0);
  const bare = timeIt(ms / 8, 20, () => {
    const sealed = p.chacha20poly1305Seal(key, nonce, empty, block);
    p.chacha20poly1305Open(key, nonce, empty, sealed);
  });
  const framed = timeIt(ms / 8, 20, () => {
    c.sendBlock(block);
    s.receive(c.takeOutput(), 0);
    s.takeEvents();
  });
  const mbps = (us: number) => (GRP_BLOCK_SIZE / us).toFixed(1);
  console.log(`  16 KiB blocks: ${(1e6 / framed).toFixed(0)} blocks/s = ${mbps(framed)} MB/s seal+open through GRP; bare ChaCha20-Poly1305 seal+open ${mbps(bare)} MB/s (GRP = ${((bare / framed) * 100).toFixed(0)} % of bare)`);
}

// ----------------------------------------------------------------- TCP relay rate

function startRelayChild(provider: string): Promise<{ child: ChildProcess; address: string }> {
  const child = fork(THIS_FILE, [CHILD_FLAG, provider], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ child, address: (m as { address: string }).address }));
    child.once("exit", (code) => reject(new Error(`relay child exited with ${code}`)));
  });
}

function relayCpu(child: ChildProcess): Promise<{ cpuUs: number; handshakes: number }> {
  return new Promise((resolve) => {
    child.once("message", (m) => resolve(m as { cpuUs: number; handshakes: number }));
    child.send("stats");
  });
}

async function tcpRate(relayProvider: string, conns: number, seconds: number): Promise<void> {
  const { child, address } = await startRelayChild(relayProvider);
  try {
    const clientProvider = getProvider("native");
    const cache: GrpKemKeyCache = new Map();
    (await connectGrp(address, { provider: clientProvider, kemKeyCache: cache })).close(); // learn the KEM key: IK from now on
    const before = await relayCpu(child);
    const end = Date.now() + seconds * 1000;
    let done = 0;
    let failed = 0;
    const loop = async () => {
      while (Date.now() < end) {
        try {
          const s = await connectGrp(address, { provider: clientProvider, kemKeyCache: cache });
          done++;
          s.close();
        } catch {
          failed++;
        }
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: conns }, loop));
    const elapsed = (performance.now() - t0) / 1000;
    const after = await relayCpu(child);
    const hs = after.handshakes - before.handshakes;
    const cpuPer = (after.cpuUs - before.cpuUs) / Math.max(1, hs);
    console.log(
      `  relay (${relayProvider}) over TCP, ${conns} IK clients (native): ${(done / elapsed).toFixed(0)} handshakes/s, relay CPU ${(cpuPer / 1000).toFixed(2)} ms per handshake` +
        ` (= ${(1e6 / cpuPer).toFixed(0)}/s per relay core), ${failed} failed`,
    );
  } finally {
    child.kill();
  }
}

async function runRelayChild(providerName: string): Promise<void> {
  const provider = getProvider(providerName);
  const handler = new CommandHandler({ store: new MemoryQueueStore(), provider });
  const server = new GrpServer({ handler, provider, relayStatic: loadOrCreateGrpStatic(provider, mkdtempSync(join(tmpdir(), "tsense-grp-bench-"))).key, port: 0 });
  await server.listen();
  process.send!({ address: server.address() });
  process.on("message", (m) => {
    if (m === "stats") {
      const u = process.cpuUsage();
      process.send!({ cpuUs: u.user + u.system, handshakes: server.stats.handshakes });
    }
  });
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options: { providers: { type: "string" }, seconds: { type: "string" }, connections: { type: "string" }, "skip-tcp": { type: "boolean" }, help: { type: "boolean", short: "h" } } }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) return console.log(USAGE), 0;
  const providers = (values.providers ?? "noble,native").split(",").map((s) => s.trim());
  for (const p of providers) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(p)) {
      console.error(`bench grp: unknown provider '${p}'\n${USAGE}`);
      return 2;
    }
  }
  const seconds = Number(values.seconds ?? 2);
  const conns = Number(values.connections ?? 8);
  if (!(seconds > 0) || !Number.isInteger(conns) || conns < 1) {
    console.error(`bench grp: bad --seconds or --connections\n${USAGE}`);
    return 2;
  }
  console.log(`GRP/1 benchmark (Noise IK/XX 25519/ChaChaPoly/BLAKE2s + ML-KEM-768), ${seconds} s per measurement`);
  for (const p of providers) {
    measureProvider(p, seconds);
    if (!values["skip-tcp"]) await tcpRate(p, conns, seconds);
  }
  return 0;
}

if (process.argv.includes(CHILD_FLAG)) {
  runRelayChild(process.argv[process.argv.indexOf(CHILD_FLAG) + 1]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
