/**
 * The agent for Node programs (station, simulator, tests): an AgentClient driven by a
 * Node queue client — SMP over TLS for smp:// relays, GRP for grp:// — with promises
 * for setup and a timer that runs the client's timeouts and retries outboxes.
 */
import type { Bytes } from "../../port/bytes";
import type { CryptoProvider, RandomSource } from "../../crypto/provider";
import type { AuthAlg, ClientEvent, SmpClient } from "../../transport/smp/client";
import { NodeSmpClient } from "../../transport/smp/node/smp-client-node";
import { GrpQueueClient } from "../../transport/grp/node/grp-queue-client";
import { parseServerAddress, type ServerAddress } from "../../transport/smp/server-address";
import { parseGrpUri } from "../../transport/grp/uri";
import { AgentClient, AgentClientOptions, type AgentClientEvent, type AgentStore } from "../agent-client";
import { RatchetContext } from "../ratchet";
import { defaultSuite, type RatchetSuite } from "../suite";

export interface NodeAgentOptions {
  provider: CryptoProvider;
  /** smp://… or grp://… */
  relay: string;
  store: AgentStore;
  suite?: RatchetSuite;
  random?: RandomSource;
  onEvent: (e: AgentClientEvent) => void;
  /** How often outboxes are retried and client timers run (ms). */
  pumpMs?: number;
  /** Reconnect after a lost connection (SMP only; default true). */
  reconnect?: boolean;
  /** Send each connection's cumulative receipt at most this often (ms; default 0: every pump). */
  receiptIntervalMs?: number;
  /** Keys for this side's recipient commands (default Ed25519, as simplexmq's agent). */
  recipientAuthAlg?: AuthAlg;
}

interface QueueClient {
  readonly core: SmpClient;
  onEvent(l: (e: ClientEvent) => void): void;
  close(): void;
}

function serverOf(relay: string): ServerAddress {
  if (relay.startsWith("grp://")) {
    const g = parseGrpUri(relay);
    return { scheme: "grp", keyHash: g.relayStaticKey, hosts: [g.host], port: g.port };
  }
  const a = parseServerAddress(relay);
  if (!a.ok) throw new Error(`relay address: ${a.error}`);
  return a.value;
}

export class NodeAgent {
  private timer: NodeJS.Timeout;
  private constructor(
    readonly agent: AgentClient,
    readonly client: QueueClient,
    pumpMs: number,
  ) {
    this.timer = setInterval(() => {
      this.client.core.tick(Date.now());
      this.agent.resume();
    }, pumpMs);
    this.timer.unref();
  }

  static async start(o: NodeAgentOptions): Promise<NodeAgent> {
    const server = serverOf(o.relay);
    const client: QueueClient = o.relay.startsWith("grp://")
      ? await GrpQueueClient.connect(o.relay, { provider: o.provider })
      : await NodeSmpClient.connect(o.relay, { provider: o.provider, reconnect: o.reconnect ?? true });
    const random = o.random ?? ((n: number) => o.provider.randomBytes(n));
    const suite = o.suite ?? defaultSuite(o.provider);
    const ctx = new RatchetContext(o.provider, suite, random);
    const options = new AgentClientOptions(o.provider, ctx, client.core, server, o.store, () => Date.now(), (e) => o.onEvent(e));
    options.receiptIntervalMs = o.receiptIntervalMs ?? 0;
    if (o.recipientAuthAlg !== undefined) options.recipientAuthAlg = o.recipientAuthAlg;
    const agent = new AgentClient(options);
    client.onEvent((e) => agent.handleClientEvent(e));
    const na = new NodeAgent(agent, client, o.pumpMs ?? 250);
    const errors = agent.restore();
    for (const e of errors) o.onEvent({ type: "error", connId: "", seq: 0, payload: new Uint8Array(0), detail: `restore: ${e}`, late: false });
    return na;
  }

  createInvitation(): Promise<{ connId: string; invitation: string }> {
    return new Promise((resolve, reject) =>
      this.agent.createInvitation((connId, invitation, error) => (error ? reject(new Error(error)) : resolve({ connId, invitation }))),
    );
  }

  join(invitation: string, name: string, info: Bytes): Promise<string> {
    return new Promise((resolve, reject) => this.agent.joinInvitation(invitation, name, info, (connId, error) => (error ? reject(new Error(error)) : resolve(connId))));
  }

  /** Queues a message; "" or the reason it cannot be sent. */
  send(connId: string, payload: Bytes): string {
    return this.agent.send(connId, payload);
  }

  close(): void {
    clearInterval(this.timer);
    this.client.close();
  }
}
