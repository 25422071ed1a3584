/**
 * The station: the receiving side of many devices. It keeps its connections in a data
 * directory, decrypts and orders what arrives (the agent does), stores every record in
 * `readings.jsonl` and hands each one to its listeners (stdout, the MQTT bridge).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import { Command, encodeCommand } from "../../firmware/app/app-protocol";
import { NodeAgent } from "../../firmware/agent/node/node-agent";
import { FileAgentStore } from "../../firmware/agent/node/stores";
import type { AgentClientEvent, AgentStore } from "../../firmware/agent/agent-client";
import type { AuthAlg } from "../../firmware/transport/smp/client";
import { recordsOf, type StationRecord } from "./records";

export interface StationOptions {
  relay: string;
  provider: CryptoProvider;
  /** Connections and readings live here; undefined keeps everything in memory (simulations). */
  dataDir?: string;
  store?: AgentStore;
  /** Look for connections created by other processes (tsense station invite) every N ms. */
  watchMs?: number;
  pumpMs?: number;
  /**
   * Send each device's cumulative receipt at most this often (ms; default: every pump).
   * Every receipt turns the ratchet around on both sides (X25519 + ML-KEM), which is most
   * of a fleet's CPU when a receipt answers every reading round.
   */
  receiptIntervalMs?: number;
  /**
   * Keys for the station's recipient commands (default Ed25519). X25519 authenticators
   * (SMP v7+) cost the relay a cached DH and a crypto_box per ACK instead of an Ed25519
   * verify (~120 µs here): the fleet uses them.
   */
  recipientAuthAlg?: AuthAlg;
}

export interface ConnectionInfo {
  connection: string;
  device: string;
  status: string;
  pending: number;
}

export class Station {
  private listeners: ((r: StationRecord) => void)[] = [];
  private watch: NodeJS.Timeout | undefined;
  private nextCommand = 1;
  readonly counts = { readings: 0, messages: 0, errors: 0 };

  private constructor(readonly node: NodeAgent, private readonly readingsFile: string | undefined) {}

  static async start(o: StationOptions): Promise<Station> {
    let store = o.store;
    let readingsFile: string | undefined;
    if (o.dataDir !== undefined) {
      mkdirSync(o.dataDir, { recursive: true });
      store ??= new FileAgentStore(join(o.dataDir, "connections"));
      readingsFile = join(o.dataDir, "readings.jsonl");
    }
    if (store === undefined) throw new Error("station: give a data directory or a store");
    // Events can arrive while the agent restores, before the Station object exists.
    const sink: { station?: Station; early: AgentClientEvent[] } = { early: [] };
    const node = await NodeAgent.start({
      provider: o.provider,
      relay: o.relay,
      store,
      pumpMs: o.pumpMs,
      receiptIntervalMs: o.receiptIntervalMs,
      recipientAuthAlg: o.recipientAuthAlg,
      onEvent: (e) => (sink.station ? sink.station.handle(e) : sink.early.push(e)),
    });
    const station = new Station(node, readingsFile);
    sink.station = station;
    for (const e of sink.early) station.handle(e);
    if (o.watchMs) {
      station.watch = setInterval(() => node.agent.restore(), o.watchMs);
      station.watch.unref();
    }
    return station;
  }

  onRecord(l: (r: StationRecord) => void): void {
    this.listeners.push(l);
  }

  private handle(e: AgentClientEvent): void {
    const records = recordsOf(e, this.node.agent.peerName(e.connId), new Date());
    if (e.type === "message") this.counts.messages++;
    for (const r of records) {
      if (r.type === "reading") this.counts.readings++;
      if (r.type === "error") this.counts.errors++;
      if (this.readingsFile) appendFileSync(this.readingsFile, JSON.stringify(r) + "\n");
      for (const l of this.listeners) l(r);
    }
  }

  invite(): Promise<{ connId: string; invitation: string }> {
    return this.node.createInvitation();
  }

  connections(): ConnectionInfo[] {
    const a = this.node.agent;
    return a.connections().map((c) => ({ connection: c, device: a.peerName(c), status: a.status(c), pending: a.pending(c) }));
  }

  /** Sends a command to a device; returns its id. */
  command(connId: string, op: number, arg: number): number {
    const id = this.nextCommand++;
    const err = this.node.send(connId, encodeCommand(new Command(id, op, arg)));
    if (err) throw new Error(`command to ${connId}: ${err}`);
    return id;
  }

  close(): void {
    if (this.watch) clearInterval(this.watch);
    this.node.close();
  }
}
