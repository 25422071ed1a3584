/**
 * The embedded relay of a fleet run, restartable: a restart closes its SMP and GRP servers
 * (every client connection drops) and opens new ones on the same ports, with the same
 * identity and GRP static key from the same data directory. The queue store is in memory;
 * it is kept across the restart in-process (the same CommandHandler serves the new
 * servers), so queued messages survive as they would with a persistent store; so is the
 * GRP ML-KEM key ring (see resume()).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getProvider } from "../../firmware/crypto/node/providers";
import { startRelay, type RunningRelay } from "../../relay-conformance/relay-cli";
import { loadOrCreateIdentity } from "../../relay-conformance/relay/certificates";
import { SmpServer } from "../../relay-conformance/relay/smp-server";
import { GrpServer, loadOrCreateGrpStatic } from "../../relay-conformance/relay/grp-server";

/** What a fleet needs of its embedded relay, in this thread (RelayHost) or its own (RelayThread). */
export interface EmbeddedRelay {
  readonly address: string;
  readonly grpAddress: string;
  /** Closes both servers; clients see their connections drop. */
  stop(): Promise<void>;
  /** Opens new servers on the same ports, identity and queues. */
  resume(): Promise<void>;
  close(): Promise<void>;
  /** Heap this relay grew by outside the fleet's main thread (0 when it runs in it). */
  heapBytes(): number;
}

export class RelayHost implements EmbeddedRelay {
  private smp: SmpServer;
  private grp: GrpServer | undefined;
  restarts = 0;

  private constructor(
    private readonly relay: RunningRelay,
    /** This run's identity and keys; deleted by close(). */
    readonly dataDir: string,
  ) {
    this.smp = relay.server;
    this.grp = relay.grp;
  }

  static async start(): Promise<RelayHost> {
    const dataDir = mkdtempSync(join(tmpdir(), "tsense-sim-relay-"));
    const relay = await startRelay(["--port", "0", "--grp-port", "0", "--data-dir", dataDir, "--provider", "native"], () => undefined);
    return new RelayHost(relay, dataDir);
  }

  get address(): string {
    return this.relay.address;
  }

  get grpAddress(): string {
    return this.relay.grpAddress as string;
  }

  /** Closes both servers; clients see their connections drop. */
  async stop(): Promise<void> {
    await this.smp.close();
    await this.grp?.close();
  }

  /** Opens new servers on the same ports, identity and queues. */
  async resume(): Promise<void> {
    this.restarts++;
    const provider = getProvider("native");
    const smpPort = Number(new URL(this.relay.address).port);
    const grpPort = Number(new URL(this.grpAddress).port);
    const { identity } = loadOrCreateIdentity(this.dataDir, "ed25519");
    const old = this.grp;
    this.smp = new SmpServer({ handler: this.relay.handler, identity, host: "127.0.0.1", port: smpPort, handshakeTimeoutMs: 30_000, idleTimeoutMs: 21_600_000, log: () => undefined });
    await this.smp.listen();
    this.grp = new GrpServer({
      handler: this.relay.handler,
      provider,
      relayStatic: loadOrCreateGrpStatic(provider, this.dataDir).key,
      host: "127.0.0.1",
      port: grpPort,
      handshakeTimeoutMs: 10_000,
      idleTimeoutMs: 21_600_000,
      kemRotationMs: 0,
      kemGraceMs: 3_600_000,
      log: () => undefined,
    });
    // The relay's ML-KEM key ring lives only in memory, so a new GrpServer would start a new
    // one, and a device that boots with the KEM id pinned in its address could not reconnect.
    // A restarted relay process has the same problem; here the ring is carried over.
    if (old !== undefined) (this.grp as { kemKeys: GrpServer["kemKeys"] }).kemKeys = old.kemKeys;
    await this.grp.listen();
  }

  heapBytes(): number {
    return 0;
  }

  /** Stops the relay and deletes its data directory (identity and keys of this run only). */
  async close(): Promise<void> {
    try {
      if (this.restarts === 0) {
        await this.relay.close();
        return;
      }
      // The first servers are closed already; this stops the relay's expiry timer.
      await this.relay.close().catch(() => undefined);
      await this.stop();
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
