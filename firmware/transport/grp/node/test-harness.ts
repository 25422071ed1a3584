/**
 * Helpers for GRP tests and benchmarks (Node only): a seeded provider, a relay setup and
 * an in-memory pump that moves bytes between two sans-I/O sessions.
 */
import { getProvider } from "../../../crypto/node/providers";
import type { CryptoProvider } from "../../../crypto/provider";
import { SeededRandom } from "../../../../test-vectors/generate/seeded-random";
import { GrpClientSession, type GrpClientOptions } from "../client-session";
import { GrpServerSession, type GrpRelayOptions } from "../server-session";
import { KemKeyRing } from "../kem-key-ring";
import { keyPairFromSecret } from "../noise/handshake-state";
import { ReplayCache } from "../replay-cache";
import { REPLAY_WINDOW_MS } from "../constants";
import type { GrpConnection, SessionEvent } from "../connection";

/** A provider whose randomBytes comes from a seed (everything else unchanged). */
export function seededProvider(base: CryptoProvider, seed: string): CryptoProvider {
  const rnd = new SeededRandom(seed);
  return { ...base, randomBytes: (n: number) => rnd.bytes(n) };
}

export function relayOptions(p: CryptoProvider, nowMs: number, overrides: Partial<GrpRelayOptions> = {}): GrpRelayOptions {
  return {
    relayStatic: keyPairFromSecret(p, p.randomBytes(32)),
    kemKeys: new KemKeyRing(p, { rotationMs: 0, graceMs: 0 }, nowMs, undefined),
    replayCache: new ReplayCache(REPLAY_WINDOW_MS, 10000),
    smpMin: 7,
    smpMax: 9,
    handshakeTimeoutMs: undefined,
    random: undefined,
    ...overrides,
  };
}

export function clientOptions(relay: GrpRelayOptions, overrides: Partial<GrpClientOptions> = {}): GrpClientOptions {
  return {
    relayStaticKey: relay.relayStatic.publicKey,
    pinnedKemKeyId: undefined,
    cachedKemKey: undefined,
    clientStatic: undefined,
    smpMin: 7,
    smpMax: 9,
    handshakeTimeoutMs: undefined,
    random: undefined,
    ...overrides,
  };
}

export interface Pumped {
  client: SessionEvent[];
  server: SessionEvent[];
  /** Bytes moved client→server and server→client. */
  c2s: number;
  s2c: number;
}

/** Moves bytes both ways until neither side has output; returns the events of both. */
export function pump(client: GrpConnection, server: GrpConnection, nowMs: number): Pumped {
  const out: Pumped = { client: [], server: [], c2s: 0, s2c: 0 };
  for (;;) {
    const a = client.takeOutput();
    const b = server.takeOutput();
    if (a.length === 0 && b.length === 0) break;
    out.c2s += a.length;
    out.s2c += b.length;
    if (a.length > 0) server.receive(a, nowMs);
    if (b.length > 0) client.receive(b, nowMs);
  }
  out.client.push(...client.takeEvents());
  out.server.push(...server.takeEvents());
  return out;
}

export function connect(p: CryptoProvider, relay: GrpRelayOptions, client: GrpClientOptions, nowMs = 0) {
  const c = new GrpClientSession(p, client, nowMs);
  const s = new GrpServerSession(p, relay, nowMs);
  c.start();
  const events = pump(c, s, nowMs);
  return { c, s, events };
}

export const noble = () => getProvider("noble");
