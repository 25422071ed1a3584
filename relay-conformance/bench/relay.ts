/**
 * `npm run bench -- relay`: N TLS connections on loopback, each with its own queue, through
 * the reference relay run as one process and as a cluster of worker processes
 * (`--workers`, relay/cluster.ts); next to them, in the same run, the raw TCP block-echo
 * rate of N connections (16 KiB blocks, one in flight per connection) as the floor, and
 * the same echo over TLS with the relay's TLS settings (the ceiling for any relay whose
 * load generator and server both run Node's TLS: a relay message costs one block each way,
 * as one echo round trip does).
 * Two workloads, each a closed loop with one message in flight per queue:
 * - own:   each connection sends to its own queue: SEND → MSG → (ACK + next SEND in one
 *          block). On the cluster nothing crosses processes (a queue lives where it was made).
 * - cross: connection i sends to the queue of another connection (a random cycle), which
 *          ACKs; then i sends the next. On the cluster a SEND crosses processes whenever the
 *          two connections landed on different workers (about half of them; printed).
 * The servers run in child processes; the load generator is native (`--loadgen native`, the
 * default when it builds: native/loadgen.c, one process per set of connections, so the
 * servers get the cores a Node client would take) or this process (`--loadgen node`; the
 * cross workload needs it).
 */
import { fork, ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as tls from "node:tls";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { getProvider } from "../../firmware/crypto/node/providers";
import type { Bytes } from "../../firmware/port/bytes";
import { SMP_BLOCK_SIZE } from "../../firmware/transport/smp/block";
import { cbAuthenticate, cbKey } from "../../firmware/transport/smp/crypto-box";
import { encodeCommand } from "../../firmware/transport/smp/commands";
import { parseBrokerMsg } from "../../firmware/transport/smp/responses";
import { encodeBlocksFast, parseBlockFast, parseTransmissionFast, signedBytesFast } from "../relay/fast-codec";
import { connectSmp, NodeSmpSession } from "../../firmware/transport/smp/node/smp-connection";
import { BlockStream } from "../../firmware/transport/smp/node/block-stream";
import { runCore } from "./relay-core";
import { SMP_ALPN } from "../../firmware/transport/smp/version";
import { corrIdSource } from "./corr-ids";
import { buildLoadgen } from "./native/build";
import { LoadgenRun, NativeLoadgen } from "./native/loadgen";

const HERE = dirname(fileURLToPath(import.meta.url));

function startChild(args: string[]): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  // TSENSE_BENCH_NODE_FLAGS: extra Node/V8 flags for the servers (e.g. "--trace-gc --max-semi-space-size=16")
  const extra = (process.env.TSENSE_BENCH_NODE_FLAGS ?? "").split(" ").filter((x) => x !== "");
  const child = fork(join(HERE, "bench-server.ts"), args, { execArgv: ["--import", "tsx", ...extra, ...(process.env.TSENSE_BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir=" + process.env.TSENSE_BENCH_CPU_PROF] : [])], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (info) => resolve({ child, info: info as Record<string, unknown> }));
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function inBatches<T>(n: number, batch: number, f: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, j) => f(i + j)))));
  return out;
}

interface EchoConn {
  send: (block: Buffer) => void;
  onBlock: () => void;
  close: () => void;
}

async function echoConnect(port: number, conns: number): Promise<EchoConn[]> {
  const sockets = await inBatches(conns, 200, () => new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.setNoDelay(true);
    s.on("error", reject);
  }));
  return sockets.map((socket) => {
    const stream = new BlockStream(SMP_BLOCK_SIZE);
    const e: EchoConn = { send: (b) => void socket.write(b), onBlock: () => {}, close: () => socket.destroy() };
    socket.on("data", (c: Buffer) => {
      for (const _b of stream.push(c)) e.onBlock();
    });
    return e;
  });
}

/** TLS 1.3 suites the TLS block echo can be run with (the relay's own is TLS_CHACHA20_POLY1305_SHA256). */
const TLS13_SUITES: Record<string, string> = {
  chacha20: "TLS_CHACHA20_POLY1305_SHA256",
  aes128: "TLS_AES_128_GCM_SHA256",
  aes256: "TLS_AES_256_GCM_SHA384",
};

/**
 * TLS block echo: the client side of an SMP connection without SMP (the relay's TLS
 * settings; reads through BlockStream into a NodeSmpSession, writes through its send, as
 * the relay workloads do), so echo against relay separates TLS from the relay's own work.
 */
async function tlsEchoConnect(port: number, conns: number, ciphers: string): Promise<{ conns: EchoConn[]; negotiated: string }> {
  const sockets = await inBatches(conns, 100, () => new Promise<tls.TLSSocket>((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port, servername: "", ALPNProtocols: [SMP_ALPN], minVersion: "TLSv1.2", maxVersion: "TLSv1.3", ciphers, ecdhCurve: "X25519:X448", sigalgs: "ed25519:ed448", rejectUnauthorized: false, checkServerIdentity: () => undefined }, () => resolve(s));
    s.setNoDelay(true);
    s.on("error", reject);
  }));
  const c0 = sockets[0];
  const negotiated = `${c0.getProtocol()} ${c0.getCipher().standardName}, ALPN ${c0.alpnProtocol}`;
  return {
    negotiated,
    conns: sockets.map((socket) => {
      const stream = new BlockStream(SMP_BLOCK_SIZE);
      const session = new NodeSmpSession(socket, new Uint8Array(0), 0, undefined, socket.getProtocol() ?? "");
      socket.on("data", (c: Buffer) => {
        for (const b of stream.push(c)) session.deliver(b);
      });
      const e: EchoConn = { send: (b) => session.send([b]), onBlock: () => {}, close: () => session.close() };
      session.setHandler(() => e.onBlock());
      return e;
    }),
  };
}

interface EchoResult {
  rate: number;
  p50: number;
  p99: number;
  /** CPU time per round trip (µs) of the echo server and of the load generator */
  serverCpuUs: number;
  clientCpuUs: number;
}

/** One measuring period of a block echo; returns once every connection is idle again. */
async function echoRun(conns: EchoConn[], seconds: number, serverStats: RelayStats): Promise<EchoResult> {
  const block = Buffer.alloc(SMP_BLOCK_SIZE, 0x23);
  let count = 0;
  let running = true;
  let busy = conns.length;
  const lat: number[] = [];
  const before = await serverStats();
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  for (const e of conns) {
    let sentAt = performance.now();
    e.onBlock = () => {
      count++;
      if (count % 16 === 0) lat.push(performance.now() - sentAt);
      if (!running) return void busy--;
      sentAt = performance.now();
      e.send(block);
    };
    e.send(block);
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = await serverStats();
  const clientCpu = process.cpuUsage(clientBefore);
  running = false;
  const elapsed = (performance.now() - start) / 1000;
  const measured = count;
  await until(() => busy === 0, 30_000);
  lat.sort((a, b) => a - b);
  const n = Math.max(1, measured);
  return { rate: measured / elapsed, p50: percentile(lat, 50), p99: percentile(lat, 99), serverCpuUs: (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / n, clientCpuUs: (clientCpu.user + clientCpu.system) / n };
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > end) throw new Error("connections did not go idle after a measuring period");
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Conn {
  session: NodeSmpSession;
  /** crypto_box key of the recipient's X25519 auth key with the relay's session key */
  authKey: Bytes;
  rid: Bytes;
  sid: Bytes;
}

type RelayStats = () => Promise<{ cpu: NodeJS.CpuUsage; stats: { sent: number; forwarded: number } }>;

async function relaySetup(address: string, conns: number, msgSize: number, providerName: string) {
  const provider = getProvider(providerName);
  const setupStart = performance.now();
  const sessions = await inBatches(conns, 100, () => connectSmp(address, { provider, timeoutMs: 60_000 }));
  const handshakeMs = performance.now() - setupStart;
  const v = sessions[0].version;
  const newCorrId = corrIdSource(provider);
  // recipient commands carry X25519 authenticators (80 bytes), as SimpleX clients use from v7
  const transmission = (s: NodeSmpSession, entity: Bytes, cmdBytes: Bytes, authKey?: Bytes) => {
    const corrId = newCorrId();
    const authorized = Buffer.concat([Buffer.from([24]), corrId as Uint8Array, Buffer.from([entity.length]), entity as Uint8Array, cmdBytes as Uint8Array]);
    const auth = authKey ? cbAuthenticate(provider, authKey, corrId, signedBytesFast(s.sessionId, authorized)) : new Uint8Array(0);
    return Buffer.concat([Buffer.from([auth.length]), auth as Uint8Array, authorized]);
  };
  // one queue per connection, created (and subscribed) with NEW
  const cs: Conn[] = await inBatches(sessions.length, 100, (i) => new Promise<Conn>((resolve, reject) => {
    const s = sessions[i];
    const rcvKey = provider.randomBytes(32);
    const authKey = cbKey(provider, s.serverDhKey!, rcvKey);
    const dh = provider.x25519PublicKey(provider.randomBytes(32));
    const cmd = encodeCommand(v, { tag: "NEW", rcvAuthKey: { alg: "x25519", key: provider.x25519PublicKey(rcvKey) }, rcvDhKey: { alg: "x25519", key: dh }, basicAuth: undefined, subscribe: true, sndSecure: false });
    s.setHandler((b) => {
      const ts = parseBlockFast(b);
      const t = ts ? parseTransmissionFast(ts[0]) : undefined;
      const m = t ? parseBrokerMsg(v, t.command) : undefined;
      if (m && m.ok && m.msg.tag === "IDS") resolve({ session: s, authKey, rid: m.msg.rcvId, sid: m.msg.sndId });
      else reject(new Error("NEW failed: " + (m && m.ok ? m.msg.tag : "unparsable")));
    });
    s.send(encodeBlocksFast([transmission(s, new Uint8Array(0), cmd, authKey)]));
  }));
  const body = new Uint8Array(msgSize).fill(0x61);
  const sendCmd = encodeCommand(v, { tag: "SEND", notification: false, body });
  return { provider, cs, v, handshakeMs, sendCmd, transmission, newCorrId };
}

type Workload = "own" | "cross";
const WORKLOADS: readonly Workload[] = ["own", "cross"];

/** A random cycle over the connections: target[i] is the connection whose queue i sends to. */
function randomCycle(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const target = new Array<number>(n);
  for (let k = 0; k < n; k++) target[order[k]] = order[(k + 1) % n];
  return target;
}

/** One measuring period of the relay; returns once every connection has acknowledged its last MSG. */
async function relayRun(setup: Awaited<ReturnType<typeof relaySetup>>, seconds: number, relayStats: RelayStats, workload: Workload, target: number[], crosses: boolean[] | undefined) {
  const { provider, cs, v, handshakeMs, sendCmd, transmission, newCorrId } = setup;
  let busy = cs.length;
  let delivered = 0;
  let errors = 0;
  let running = true;
  const lat: number[] = [];
  /** cross workload on a multi-process relay: latencies of the queues whose sender is on another process */
  const crossLat: number[] = [];
  const before = await relayStats();
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  // cross: the connection sending to each queue, and a SEND block template per sender
  const senderOf = new Array<number>(cs.length);
  target.forEach((t, i) => (senderOf[t] = i));
  const sendTo = (i: number): Buffer => {
    const c = cs[i];
    const b = encodeBlocksFast([transmission(c.session, cs[target[i]].sid, sendCmd)])[0];
    return b;
  };
  // One block per sender, rewritten in place for each message: when the receiver gets the
  // MSG, the relay has read the sender's previous SEND, so its bytes are free (the load
  // generator allocates no 16 KiB buffer per message, as the relay's block pool does not).
  const sendBlocks = workload === "cross" ? cs.map((_, i) => sendTo(i)) : [];
  const SEND_CORR_AT = 7; // Word16 length, count, Word16 length, empty auth, corrId length
  const nextSend = (i: number): Buffer => {
    const b = sendBlocks[i];
    newCorrId().copy(b, SEND_CORR_AT);
    return b;
  };
  cs.forEach((c, ci) => {
    let sentAt = performance.now();
    // The ACK + next SEND block has a fixed layout: build it once per connection, then per
    // message fill in the corrIds, the msgId and the ACK's authenticator, in place (the next
    // MSG on this connection means the relay has read the previous block).
    const ackTemplate = transmission(c.session, c.rid, encodeCommand(v, { tag: "ACK", msgId: new Uint8Array(24) }), c.authKey);
    const [template] = encodeBlocksFast([ackTemplate, transmission(c.session, c.sid, sendCmd)]);
    const ackAt = 5; // Word16 length, count, Word16 length of the ACK transmission
    const ackLen = ackTemplate.length;
    const ackCorrAt = ackAt + 1 + 80 + 1;
    const sendCorrAt = ackAt + ackLen + 2 + 1 + 1;
    const [ackOnlyTemplate] = encodeBlocksFast([ackTemplate]);
    // the signed bytes of the ACK: session id, then the ACK from its corrId on
    const prefixLen = 1 + c.session.sessionId.length;
    const signed = Buffer.alloc(prefixLen + ackAt + ackLen - (ackCorrAt - 1));
    signed[0] = c.session.sessionId.length;
    signed.set(c.session.sessionId as Uint8Array, 1);
    // the ACK at the start of a block (alone, or followed by the next SEND)
    const fillAck = (b: Buffer, msgId: Buffer, withSend: boolean): Buffer => {
      const corrId = newCorrId();
      corrId.copy(b, ackCorrAt);
      if (withSend) newCorrId().copy(b, sendCorrAt);
      msgId.copy(b, ackAt + ackLen - 24);
      b.copy(signed, prefixLen, ackCorrAt - 1, ackAt + ackLen);
      b.set(cbAuthenticate(provider, c.authKey, corrId, signed) as Uint8Array, ackAt + 1);
      return b;
    };
    const ackOnly = (msgId: Buffer): Buffer[] => (msgId.length === 24 ? [fillAck(ackOnlyTemplate, msgId, false)] : encodeBlocksFast([transmission(c.session, c.rid, encodeCommand(v, { tag: "ACK", msgId }), c.authKey)]));
    c.session.setHandler((b) => {
      const ts = parseBlockFast(b);
      if (!ts) return void errors++;
      for (const raw of ts) {
        const t = parseTransmissionFast(raw);
        if (!t) { errors++; continue; }
        const cmd = t.command as Buffer;
        if (cmd[0] === 0x4f && cmd[1] === 0x4b) continue; // OK
        if (!(cmd[0] === 0x4d && cmd[1] === 0x53 && cmd[2] === 0x47)) { errors++; continue; } // MSG: no need to decrypt here
        const msgId = cmd.subarray(5, 5 + cmd[4]);
        delivered++;
        lat.push(performance.now() - sentAt);
        if (workload === "cross" && crosses !== undefined && crosses[senderOf[ci]]) crossLat.push(performance.now() - sentAt);
        if (!running) {
          busy--;
          return void c.session.send(ackOnly(msgId));
        }
        sentAt = performance.now();
        if (workload === "cross") {
          c.session.send(ackOnly(msgId));
          const sender = senderOf[ci];
          cs[sender].session.send([nextSend(sender)]);
        } else {
          c.session.send(msgId.length === 24 ? [fillAck(template, msgId, true)] : [...ackOnly(msgId), ...encodeBlocksFast([transmission(c.session, c.sid, sendCmd)])]);
        }
      }
    });
  });
  cs.forEach((c, i) => c.session.send(workload === "cross" ? [nextSend(i)] : encodeBlocksFast([transmission(c.session, c.sid, sendCmd)])));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = await relayStats();
  const clientCpu = process.cpuUsage(clientBefore);
  running = false;
  const elapsed = (performance.now() - start) / 1000;
  const measured = delivered;
  await until(() => busy === 0, 60_000);
  const cpuUs = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  const cpuPerMsgUs = cpuUs / Math.max(1, after.stats.sent - before.stats.sent);
  const clientCpuPerMsgUs = (clientCpu.user + clientCpu.system) / Math.max(1, measured);
  lat.sort((a, b) => a - b);
  crossLat.sort((a, b) => a - b);
  return { rate: measured / elapsed, p50: percentile(lat, 50), p99: percentile(lat, 99), crossP50: percentile(crossLat, 50), crossP99: percentile(crossLat, 99), crossShare: crossLat.length / Math.max(1, lat.length), errors, handshakeMs, version: v, cpuPerMsgUs, clientCpuPerMsgUs, cpuShare: (cpuUs / 1e6) / elapsed };
}

const USAGE = `usage: npm run bench -- relay [--connections N] [--seconds S] [--rounds R] [--size BYTES] [--provider native|noble] [--workers N] [--workloads LIST] [--tls-echo LIST] [--core]

  --workers N       processes of the multi-process relay measured next to the single one (default 2; 1 = single only)
  --workloads LIST  relay workloads, comma-separated: own, cross (default both; "none" = echoes only)
  --tls-echo LIST   TLS 1.3 suites for the TLS block echo, comma-separated: ${Object.keys(TLS13_SUITES).join(", ")}
                    (default chacha20, the relay's own; "none" = no TLS echo)
  --core            only the relay's own work per message, in this process: no TLS, no sockets (relay-core.ts)
  --loadgen KIND    native (default when it builds: C, OpenSSL, libsodium) or node; the cross workload needs node`;

function parseList<T extends string>(value: string | undefined, fallback: readonly T[], allowed: readonly string[], what: string): T[] {
  if (value === undefined) return [...fallback];
  if (value === "none") return [];
  const list = value.split(",").map((x) => x.trim());
  for (const x of list) if (!allowed.includes(x)) throw new Error(`unknown ${what} "${x}" (expected ${allowed.join(", ")} or none)`);
  return list as T[];
}

export async function main(argv: string[]): Promise<number> {
  let values;
  let workloads: Workload[];
  let tlsEchoes: string[];
  try {
    values = parseArgs({ args: argv, options: { connections: { type: "string" }, seconds: { type: "string" }, size: { type: "string" }, rounds: { type: "string" }, provider: { type: "string" }, workers: { type: "string" }, workloads: { type: "string" }, "tls-echo": { type: "string" }, core: { type: "boolean" }, loadgen: { type: "string" }, help: { type: "boolean" } } }).values;
    if (values.loadgen !== undefined && values.loadgen !== "native" && values.loadgen !== "node") throw new Error(`--loadgen: expected native or node, got "${values.loadgen}"`);
    workloads = parseList(values.workloads, WORKLOADS, WORKLOADS, "workload");
    tlsEchoes = parseList(values["tls-echo"], ["chacha20"], Object.keys(TLS13_SUITES), "TLS suite");
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) return console.log(USAGE), 0;
  const conns = Number(values.connections ?? 1000);
  const seconds = Number(values.seconds ?? 10);
  const rounds = Number(values.rounds ?? 3);
  const workers = Number(values.workers ?? 2);
  if (!(conns >= 2 && seconds > 0 && rounds >= 1 && Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
    console.error(`--connections must be at least 2, --seconds and --rounds positive, --workers 1..64\n${USAGE}`);
    return 2;
  }
  const size = Number(values.size ?? 16000);
  const providerName = values.provider ?? "native";
  if (values.core) {
    console.log(`relay core benchmark: ${conns} sessions on one CommandHandler in this process, own workload, SEND body ${size} bytes, provider ${providerName}, ${rounds} rounds of ${seconds} s`);
    for (let round = 1; round <= rounds; round++) {
      const r = runCore(conns, seconds, size, providerName);
      console.log(`  round ${round}: ${(r.messages / seconds).toFixed(0).padStart(6)} msg/s   CPU/msg relay ${r.relayUs.toFixed(1)} µs, relay + driver ${r.totalUs.toFixed(1)} µs   (load average ${loadAverage()})`);
    }
    return 0;
  }
  // The native load generator, unless asked for Node or it cannot be built here.
  let loadgen: string | undefined;
  if (values.loadgen !== "node") {
    const b = buildLoadgen();
    if (b.ok) loadgen = b.path;
    else if (values.loadgen === "native") return console.error(`bench relay: ${b.error}`), 1;
    else console.log(`bench relay: ${b.error}; using the Node load generator`);
  }
  if (loadgen !== undefined && workloads.includes("cross")) {
    if (values.workloads !== undefined) {
      console.error("bench relay: the cross workload runs only with --loadgen node");
      return 2;
    }
    workloads = workloads.filter((w) => w !== "cross"); // the default list: cross needs --loadgen node
  }
  console.log(`relay benchmark: ${conns} connections per server, ${rounds} rounds of ${seconds} s per echo, relay and workload, SEND body ${size} bytes (16 KiB blocks), provider ${providerName}, load generator ${loadgen !== undefined ? "native (C)" : "node (this process)"}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  try {
    return await runAll({ conns, seconds, size, providerName, rounds, workers, workloads, tlsEchoes, loadgen });
  } catch (e) {
    console.error(`bench relay: ${(e as Error).message}`);
    return 1;
  }
}

interface RelayUnderTest {
  name: string;
  address: string;
  workers: number;
  child: ChildProcess;
  stats: RelayStats;
  setup: Awaited<ReturnType<typeof relaySetup>> | undefined;
  /** target[i]: whose queue connection i sends to in the cross workload */
  target: number[];
  /** crosses[i]: connection i and its target are on different processes */
  crosses: boolean[] | undefined;
  /** the native load generator holding this relay's connections (instead of setup) */
  native: NativeLoadgen | undefined;
}

interface EchoUnderTest {
  name: string;
  child: ChildProcess;
  stats: RelayStats;
  conns: EchoConn[];
  native: NativeLoadgen | undefined;
}

interface RunOptions {
  conns: number;
  seconds: number;
  size: number;
  providerName: string;
  rounds: number;
  workers: number;
  workloads: Workload[];
  tlsEchoes: string[];
  /** the native load generator's binary; undefined = the Node one */
  loadgen: string | undefined;
}

/** An echo period driven by the native load generator (as echoRun). */
async function nativeEchoRun(lg: NativeLoadgen, seconds: number, serverStats: RelayStats): Promise<EchoResult> {
  const before = await serverStats();
  const r = await lg.run(seconds);
  const after = await serverStats();
  if (r.errors > 0) throw new Error(`native load generator: ${r.errors} errors, first: ${r.firstError}`);
  const n = Math.max(1, r.count);
  return { rate: r.rate, p50: r.p50Ms, p99: r.p99Ms, serverCpuUs: (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / n, clientCpuUs: r.cpuUs / n };
}

/** A relay period driven by the native load generator (the own workload, as relayRun). */
async function nativeRelayRun(lg: NativeLoadgen, seconds: number, relayStats: RelayStats): Promise<{ run: LoadgenRun; cpuPerMsgUs: number; cpuShare: number }> {
  const before = await relayStats();
  const r = await lg.run(seconds);
  const after = await relayStats();
  // the relay's CPU over the period and the drain, per message it took in the same span
  const cpuUs = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  return { run: r, cpuPerMsgUs: cpuUs / Math.max(1, after.stats.sent - before.stats.sent), cpuShare: cpuUs / 1e6 / (r.elapsedS + r.drainS) };
}

const statsOf = (child: ChildProcess): RelayStats => () =>
  new Promise((resolve) => {
    child.once("message", (m) => resolve(m as Awaited<ReturnType<RelayStats>>));
    child.send("stats");
  });

const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(" ");

/**
 * Echo and relay periods alternate, `rounds` times, over connections kept open, so each
 * relay period is compared with an echo period taken next to it: this machine is shared,
 * and its load changes within a minute.
 */
async function runAll(o: RunOptions): Promise<number> {
  const { conns, seconds, size, providerName, rounds, workers, workloads } = o;
  const children: ChildProcess[] = [];
  const loadgens: NativeLoadgen[] = [];
  const native = (): NativeLoadgen => {
    const lg = new NativeLoadgen(o.loadgen!);
    loadgens.push(lg);
    return lg;
  };
  const echoes: EchoUnderTest[] = [];
  const relays: RelayUnderTest[] = [];
  // results[name] = per-round { rate, ratio }
  const results = new Map<string, { rate: number; ratio: number }[]>();
  const record = (name: string, rate: number, ratio: number) => {
    const list = results.get(name) ?? [];
    list.push({ rate, ratio });
    results.set(name, list);
  };
  const key = (r: RelayUnderTest, w: Workload) => `${w.padEnd(5)} ${r.name}`;
  try {
    const tcp = await startChild(["echo"]);
    children.push(tcp.child);
    if (o.loadgen !== undefined) {
      const lg = native();
      await lg.connectEcho("tcp-echo", tcp.info.port as number, conns);
      echoes.push({ name: "TCP block echo (floor)", child: tcp.child, stats: statsOf(tcp.child), conns: [], native: lg });
    } else {
      echoes.push({ name: "TCP block echo (floor)", child: tcp.child, stats: statsOf(tcp.child), conns: await echoConnect(tcp.info.port as number, conns), native: undefined });
    }
    for (const suite of o.tlsEchoes) {
      const t = await startChild(["tls-echo", TLS13_SUITES[suite]]);
      children.push(t.child);
      const setupStart = performance.now();
      if (o.loadgen !== undefined) {
        if (suite !== "chacha20") throw new Error(`the native load generator offers only the relay's suite (chacha20), not ${suite}: use --loadgen node`);
        const lg = native();
        const c = await lg.connectEcho("tls-echo", t.info.port as number, conns);
        echoes.push({ name: `TLS block echo ${suite}`, child: t.child, stats: statsOf(t.child), conns: [], native: lg });
        console.log(`TLS block echo ${suite}: ${conns} TLS handshakes in ${(c.setupMs / 1000).toFixed(1)} s; negotiated TLSv1.3 ${c.tls}, ALPN smp/1`);
        continue;
      }
      const c = await tlsEchoConnect(t.info.port as number, conns, TLS13_SUITES[suite]);
      echoes.push({ name: `TLS block echo ${suite}`, child: t.child, stats: statsOf(t.child), conns: c.conns, native: undefined });
      console.log(`TLS block echo ${suite}: ${conns} TLS handshakes in ${((performance.now() - setupStart) / 1000).toFixed(1)} s; negotiated ${c.negotiated}`);
    }
    if (workloads.length > 0) {
      const single = await startChild(["relay", providerName]);
      children.push(single.child);
      relays.push({ name: "1 process", address: single.info.address as string, workers: 1, child: single.child, stats: statsOf(single.child), setup: undefined, target: [], crosses: undefined, native: undefined });
      if (workers > 1) {
        const multi = await startChild(["cluster", providerName, String(workers)]);
        children.push(multi.child);
        relays.push({ name: `${workers} processes`, address: multi.info.address as string, workers, child: multi.child, stats: statsOf(multi.child), setup: undefined, target: [], crosses: undefined, native: undefined });
      }
    }
    for (const r of relays) {
      if (o.loadgen !== undefined) {
        r.native = native();
        const c = await r.native.connectSmp(r.address, conns, size);
        console.log(`${r.name}: ${conns} TLS handshakes + NEW in ${(c.setupMs / 1000).toFixed(1)} s; SMP v${c.version}`);
        continue;
      }
      r.setup = await relaySetup(r.address, conns, size, providerName);
      r.target = randomCycle(conns);
      const cs = r.setup!.cs;
      console.log(`${r.name}: ${conns} TLS handshakes + NEW in ${(r.setup!.handshakeMs / 1000).toFixed(1)} s; SMP v${r.setup!.v}`);
      if (r.workers > 1) {
        // a connection's process = the owner byte of the queue it created (CommandHandler Shard)
        const per = new Array<number>(r.workers).fill(0);
        for (const c of cs) per[c.rid[0] % r.workers]++;
        r.crosses = r.target.map((t, i) => cs[i].rid[0] % r.workers !== cs[t].rid[0] % r.workers);
        const crossing = r.crosses.filter((x) => x).length;
        console.log(`  connections per worker: ${per.join(" / ")}; cross workload: ${crossing} of ${conns} senders (${((100 * crossing) / conns).toFixed(0)} %) send to a queue on another process`);
      }
    }
    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round}/${rounds}   (load average ${loadAverage()})`);
      let floor = NaN;
      for (const e of echoes) {
        const x = e.native !== undefined ? await nativeEchoRun(e.native, seconds, e.stats) : await echoRun(e.conns, seconds, e.stats);
        if (Number.isNaN(floor)) floor = x.rate;
        record(e.name, x.rate, x.rate / floor);
        console.log(`  ${e.name.padEnd(27)}: ${x.rate.toFixed(0).padStart(7)} round trips/s   p50 ${x.p50.toFixed(1)} ms   p99 ${x.p99.toFixed(1)} ms   ${((100 * x.rate) / floor).toFixed(1)} % of the floor   CPU/round trip server ${x.serverCpuUs.toFixed(0)} µs, load gen. ${x.clientCpuUs.toFixed(0)} µs   (load average ${loadAverage()})`);
      }
      for (const w of workloads) {
        for (const r of relays) {
          if (r.native !== undefined) {
            const n = await nativeRelayRun(r.native, seconds, r.stats);
            const ratio = n.run.rate / floor;
            record(key(r, w), n.run.rate, ratio);
            console.log(`  ${key(r, w).padEnd(27)}: ${n.run.rate.toFixed(0).padStart(7)} msg/s   p50 ${n.run.p50Ms.toFixed(1)} ms   p99 ${n.run.p99Ms.toFixed(1)} ms   ${(ratio * 100).toFixed(1)} % of the floor   CPU/msg relay ${n.cpuPerMsgUs.toFixed(0)} µs (${(n.cpuShare * 100).toFixed(0)} % of a core), load gen. ${(n.run.cpuUs / Math.max(1, n.run.count)).toFixed(0)} µs   (errors ${n.run.errors}${n.run.errors > 0 ? `, first: ${n.run.firstError}` : ""})   (load average ${loadAverage()})`);
            continue;
          }
          const before = await r.stats();
          const x = await relayRun(r.setup!, seconds, r.stats, w, r.target, r.crosses);
          const after = await r.stats();
          const ratio = x.rate / floor;
          record(key(r, w), x.rate, ratio);
          const fwd = after.stats.forwarded - before.stats.forwarded;
          console.log(`  ${key(r, w).padEnd(27)}: ${x.rate.toFixed(0).padStart(7)} msg/s   p50 ${x.p50.toFixed(1)} ms   p99 ${x.p99.toFixed(1)} ms   ${(ratio * 100).toFixed(1)} % of the floor   CPU/msg relay ${x.cpuPerMsgUs.toFixed(0)} µs (${(x.cpuShare * 100).toFixed(0)} % of a core), load gen. ${x.clientCpuPerMsgUs.toFixed(0)} µs${r.workers > 1 ? `   forwarded ${fwd}` : ""}   (errors ${x.errors})   (load average ${loadAverage()})`);
          if (w === "cross" && r.crosses !== undefined) console.log(`  ${"".padEnd(27)}  of which across processes: ${(x.crossShare * 100).toFixed(0)} % of the messages, p50 ${x.crossP50.toFixed(1)} ms   p99 ${x.crossP99.toFixed(1)} ms`);
        }
      }
    }
  } finally {
    for (const r of relays) for (const c of r.setup?.cs ?? []) c.session.close();
    for (const e of echoes) for (const c of e.conns) c.close();
    for (const lg of loadgens) lg.quit();
    for (const c of children) c.kill("SIGINT");
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`median of ${rounds} rounds (goal: ≥ 10,000 msg/s and ≥ 30 % of the echo floor):`);
  for (const e of echoes.slice(1)) {
    const list = results.get(e.name)!;
    console.log(`  ${e.name.padEnd(27)}: ${median(list.map((x) => x.rate)).toFixed(0).padStart(7)} round trips/s, ${(median(list.map((x) => x.ratio)) * 100).toFixed(1)} % of the floor`);
  }
  for (const w of workloads) {
    const base = median(results.get(key(relays[0], w))!.map((x) => x.rate));
    for (const r of relays) {
      const list = results.get(key(r, w))!;
      const rate = median(list.map((x) => x.rate));
      console.log(`  ${key(r, w).padEnd(27)}: ${rate.toFixed(0).padStart(7)} msg/s, ${(median(list.map((x) => x.ratio)) * 100).toFixed(1)} % of the floor${r.workers > 1 ? `, ${(rate / base).toFixed(2)}× the single process` : ""}`);
    }
  }
  return 0;
}
