/**
 * GRP/1 over TCP (docs/grp.md): the relay's listener. Each connection drives a sans-I/O
 * GrpServerSession; once open, its blocks go to the same CommandHandler (and queue
 * store) as SMP over TLS, so a message sent over one transport is received over the
 * other. The relay's Noise static key doubles as its X25519 key for command
 * authenticators (docs/grp.md §7).
 */
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import type { Bytes } from "../../firmware/port/bytes";
import { GrpServerSession } from "../../firmware/transport/grp/server-session";
import { EVENT_BLOCK, EVENT_CLOSED, EVENT_OPEN } from "../../firmware/transport/grp/connection";
import { KemKeyRing } from "../../firmware/transport/grp/kem-key-ring";
import { keyPairFromSecret, type KeyPair } from "../../firmware/transport/grp/noise/handshake-state";
import { ReplayCache } from "../../firmware/transport/grp/replay-cache";
import { HANDSHAKE_TIMEOUT_MS, REPLAY_WINDOW_MS } from "../../firmware/transport/grp/constants";
import { formatGrpUri } from "../../firmware/transport/grp/uri";
import { SUPPORTED_SMP_VERSIONS, type VersionRange } from "../../firmware/transport/smp/version";
import type { CommandHandler, RelaySession } from "./command-handler";

export const GRP_DEFAULT_PORT = 5224;
const REPLAY_CACHE_CAPACITY = 100_000;

export interface GrpServerOptions {
  handler: CommandHandler;
  provider: CryptoProvider;
  relayStatic: KeyPair;
  host?: string;
  port: number;
  handshakeTimeoutMs?: number;
  /** connections with no subscriptions and no traffic for this long are closed (ms) */
  idleTimeoutMs?: number;
  /** ML-KEM key rotation interval and grace period (ms); rotation 0 = never */
  kemRotationMs?: number;
  kemGraceMs?: number;
  /**
   * File keeping the current ML-KEM key's seed across restarts (mode 600): grp:// addresses
   * pin the key's id, so a relay that made a new key at every start would lock out every
   * device provisioned with its address.
   */
  kemKeyFile?: string;
  versions?: VersionRange;
  log?: (line: string) => void;
}

/** The relay's Noise static key, kept in dataDir/grp-static.key (hex); created on first use. */
export function loadOrCreateGrpStatic(provider: CryptoProvider, dataDir: string): { key: KeyPair; created: boolean } {
  const path = join(dataDir, "grp-static.key");
  if (existsSync(path)) {
    const secret = new Uint8Array(Buffer.from(readFileSync(path, "utf8").trim(), "hex"));
    if (secret.length !== 32) throw new Error(`${path}: expected 32 bytes of hex`);
    return { key: keyPairFromSecret(provider, secret), created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = provider.randomBytes(32);
  writeFileSync(path, Buffer.from(secret as Uint8Array).toString("hex") + "\n", { mode: 0o600 });
  return { key: keyPairFromSecret(provider, secret), created: true };
}

export class GrpServer {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  readonly kemKeys: KemKeyRing;
  private readonly replayCache = new ReplayCache(REPLAY_WINDOW_MS, REPLAY_CACHE_CAPACITY);
  readonly stats = { connections: 0, handshakes: 0, handshakeFailures: 0, ik: 0, xx: 0 };

  constructor(private readonly o: GrpServerOptions) {
    // docs/grp.md §5: the key offered in XX message 2 must still work for message 3
    if ((o.kemRotationMs ?? 0) > 0 && (o.kemGraceMs ?? 0) < (o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS)) {
      throw new Error("GRP ML-KEM grace period must be at least the handshake timeout");
    }
    const file = o.kemKeyFile;
    let firstSeed: Uint8Array | undefined;
    if (file !== undefined && existsSync(file)) {
      firstSeed = new Uint8Array(Buffer.from(readFileSync(file, "utf8").trim(), "hex"));
      if (firstSeed.length !== 64) throw new Error(`${file}: expected 64 bytes of hex (an ML-KEM key seed)`);
    }
    const onNewKey =
      file === undefined
        ? undefined
        : (seed: Bytes) => {
            const tmp = `${file}.tmp`;
            writeFileSync(tmp, Buffer.from(seed as Uint8Array).toString("hex") + "\n", { mode: 0o600 });
            renameSync(tmp, file);
          };
    this.kemKeys = new KemKeyRing(o.provider, { rotationMs: o.kemRotationMs ?? 0, graceMs: o.kemGraceMs ?? 0, firstSeed, onNewKey }, Date.now(), undefined);
  }

  async listen(): Promise<AddressInfo> {
    this.server = net.createServer((s) => this.onConnection(s));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.o.port, this.o.host ?? "127.0.0.1", () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  /** grp://<static key>:<current KEM key id>@host:port */
  address(hostOverride?: string): string {
    const a = this.server!.address() as AddressInfo;
    const host = hostOverride ?? (a.address === "0.0.0.0" || a.address === "::" ? "localhost" : a.address);
    return formatGrpUri({ relayStaticKey: this.o.relayStatic.publicKey, kemKeyId: this.kemKeys.current(Date.now()).id, host, port: a.port });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private onConnection(socket: net.Socket): void {
    const o = this.o;
    this.stats.connections++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const versions = o.versions ?? SUPPORTED_SMP_VERSIONS;
    const conn = new GrpServerSession(
      o.provider,
      {
        relayStatic: o.relayStatic,
        kemKeys: this.kemKeys,
        replayCache: this.replayCache,
        smpMin: versions.min,
        smpMax: versions.max,
        handshakeTimeoutMs: o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
        random: undefined,
      },
      Date.now(),
    );
    let session: RelaySession | undefined;
    let lastActive = Date.now();
    let ending = false;
    const flush = () => {
      const out = conn.takeOutput();
      if (out.length > 0 && !socket.destroyed) socket.write(out as Uint8Array);
      for (const e of conn.takeEvents()) {
        if (e.kind === EVENT_OPEN) {
          clearTimeout(hsTimer);
          this.stats.handshakes++;
          if (conn.clientPattern() === 1) this.stats.ik++;
          else this.stats.xx++;
          session = o.handler.openSession({ sessionId: conn.sessionId(), version: conn.smpVersion(), serverDhSecretKey: o.relayStatic.secretKey, send });
        } else if (e.kind === EVENT_BLOCK && e.block && session) {
          const s = session;
          try {
            s.handleBlock(e.block);
          } catch (err) {
            // a bug must not take the relay down: drop this connection only
            o.log?.(`closing GRP connection after internal error: ${(err as Error).message}`);
            socket.destroy();
          }
        } else if (e.kind === EVENT_CLOSED) {
          if (session === undefined) {
            this.stats.handshakeFailures++;
            o.log?.(`GRP handshake failed: ${e.reason}`);
          }
          // whatever is already queued (a relay hello with a status) goes out first
          if (!ending) {
            ending = true;
            socket.end();
          }
        }
      }
    };
    const send = (blocks: Bytes[]) => {
      if (socket.destroyed || !conn.isOpen()) return;
      lastActive = Date.now();
      for (const b of blocks) conn.sendBlock(b);
      flush();
    };
    const hsTimer = setTimeout(() => {
      conn.tick(Date.now());
      flush();
      socket.destroy();
    }, Math.max(0, conn.deadline() - Date.now()));
    const idleMs = o.idleTimeoutMs;
    const idleTimer = idleMs
      ? setInterval(() => {
          if (session !== undefined && !session.hasSubscriptions() && Date.now() - lastActive > idleMs) socket.destroy();
        }, Math.max(50, Math.min(idleMs, 60_000) / 2))
      : undefined;
    socket.on("close", () => {
      clearTimeout(hsTimer);
      if (idleTimer) clearInterval(idleTimer);
      if (!conn.isClosed()) conn.close("connection closed");
      session?.close();
      this.sockets.delete(socket);
    });
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      lastActive = Date.now();
      conn.receive(new Uint8Array(chunk), Date.now());
      flush();
    });
  }
}
