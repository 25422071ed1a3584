/**
 * One complete GRP/1 connection between a client and a relay in memory, from fixed keys
 * and randomness: the source of the worked example in docs/grp.md and of the
 * grp.handshake vectors. Randomness is consumed in this order:
 *   client: its ephemeral secret, then the KEM encapsulation randomness m
 *   relay:  ML-KEM key generation seed d ‖ z (64 bytes), then its ephemeral secret
 */
import { Bytes, alloc, concatAll, equalBytes } from "../../port/bytes";
import { CryptoProvider } from "../../crypto/provider";
import { EVENT_BLOCK, SessionEvent } from "./connection";
import { GrpClientSession } from "./client-session";
import { GRP_BLOCK_SIZE, GRP_PATTERN_IK } from "./constants";
import { KemKeyRing } from "./kem-key-ring";
import { keyPairFromSecret } from "./noise/handshake-state";
import { ScriptedRandom } from "./random-source";
import { GrpServerSession } from "./server-session";

export interface WorkedExampleInput {
  pattern: number;
  relayStatic: Bytes;
  relayKemSeed: Bytes;
  relayEphemeral: Bytes;
  clientStatic: Bytes;
  clientEphemeral: Bytes;
  kemRandom: Bytes;
  smpMin: number;
  smpMax: number;
  /** Every byte of the first block each side sends after the handshake. */
  blockFill: number;
}

export interface WorkedExampleOutput {
  /** Everything the client wrote during the handshake (header and frames). */
  clientHandshake: Bytes;
  relayHandshake: Bytes;
  sessionId: Bytes;
  smpVersion: number;
  /** The first transport frame each way (length ‖ ciphertext ‖ tag). */
  clientFrame: Bytes;
  relayFrame: Bytes;
}

function blockOf(events: SessionEvent[]): Bytes {
  for (const e of events) {
    if (e.kind === EVENT_BLOCK && e.block !== undefined) {
      return e.block;
    }
  }
  throw new Error("grp example: no block arrived");
}

function closedWhy(events: SessionEvent[]): string {
  for (const e of events) {
    if (e.kind !== EVENT_BLOCK) {
      return e.reason;
    }
  }
  return "";
}

export function runWorkedExample(p: CryptoProvider, input: WorkedExampleInput): WorkedExampleOutput {
  const ik = input.pattern === GRP_PATTERN_IK;
  const relayRandom = new ScriptedRandom([input.relayKemSeed, input.relayEphemeral]);
  const kemKeys = new KemKeyRing(p, { rotationMs: 0, graceMs: 0 }, 0, relayRandom.source());
  const current = kemKeys.current(0);
  const clientRandom = new ScriptedRandom([input.clientEphemeral, input.kemRandom]);
  const relay = new GrpServerSession(
    p,
    {
      relayStatic: keyPairFromSecret(p, input.relayStatic),
      kemKeys: kemKeys,
      replayCache: undefined,
      smpMin: input.smpMin,
      smpMax: input.smpMax,
      handshakeTimeoutMs: undefined,
      random: relayRandom.source(),
    },
    0,
  );
  const client = new GrpClientSession(
    p,
    {
      relayStaticKey: p.x25519PublicKey(input.relayStatic),
      pinnedKemKeyId: current.id,
      cachedKemKey: ik ? { id: current.id, encapsulationKey: current.encapsulationKey } : undefined,
      clientStatic: keyPairFromSecret(p, input.clientStatic),
      smpMin: input.smpMin,
      smpMax: input.smpMax,
      handshakeTimeoutMs: undefined,
      random: clientRandom.source(),
    },
    0,
  );
  client.start();
  const fromClient: Bytes[] = [];
  const fromRelay: Bytes[] = [];
  for (let round = 0; round < 4; round++) {
    const a = client.takeOutput();
    if (a.length > 0) {
      fromClient.push(a);
      relay.receive(a, 0);
    }
    const b = relay.takeOutput();
    if (b.length > 0) {
      fromRelay.push(b);
      client.receive(b, 0);
    }
  }
  if (!client.isOpen() || !relay.isOpen()) {
    throw new Error("grp example: handshake did not open (" + closedWhy(client.takeEvents()) + closedWhy(relay.takeEvents()) + ")");
  }
  if (!clientRandom.finished() || !relayRandom.finished()) {
    throw new Error("grp example: scripted randomness not used up");
  }
  client.takeEvents();
  relay.takeEvents();
  const block = alloc(GRP_BLOCK_SIZE);
  for (let i = 0; i < GRP_BLOCK_SIZE; i++) {
    block[i] = input.blockFill & 0xff;
  }
  client.sendBlock(block);
  relay.sendBlock(block);
  const clientFrame = client.takeOutput();
  const relayFrame = relay.takeOutput();
  relay.receive(clientFrame, 0);
  client.receive(relayFrame, 0);
  if (!equalBytes(blockOf(relay.takeEvents()), block) || !equalBytes(blockOf(client.takeEvents()), block)) {
    throw new Error("grp example: a block did not survive the transport");
  }
  return {
    clientHandshake: concatAll(fromClient),
    relayHandshake: concatAll(fromRelay),
    sessionId: client.sessionId(),
    smpVersion: client.smpVersion(),
    clientFrame: clientFrame,
    relayFrame: relayFrame,
  };
}
