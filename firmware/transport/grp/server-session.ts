/**
 * The relay side of a GRP connection (docs/grp.md §4-§6, §8): reads the connection
 * header, answers IK or XX, decapsulates the client's ML-KEM ciphertext with the key it
 * names (current or in grace), and opens the transport. Errors close the connection
 * without a word; only the relay hello carries a status (unknown KEM key, no common
 * SMP version), after which the relay closes too.
 */
import { Bytes, fromAscii, slice, wipe } from "../../port/bytes";
import { CryptoProvider, RandomSource } from "../../crypto/provider";
import {
  GRP_HEADER_SIZE,
  GRP_NOISE_HASH,
  GRP_PATTERN_IK,
  GRP_PATTERN_XX,
  GRP_PROLOGUE,
  GRP_VERSION,
  HANDSHAKE_MESSAGE_SIZE,
  HANDSHAKE_TIMEOUT_MS,
  STATUS_NO_COMMON_VERSION,
  STATUS_OK,
  STATUS_UNKNOWN_KEM_KEY,
} from "./constants";
import { readFrame } from "./frames";
import { deriveTransportKeys } from "./hybrid";
import { KemKeyRing, RelayKemKey } from "./kem-key-ring";
import { HandshakeState, KeyPair, DH_LEN } from "./noise/handshake-state";
import { protocolName } from "./noise/protocol-name";
import { ClientHello, KemCiphertext, decodeClientHello, decodeKemCiphertext, encodeRelayHello } from "./payloads";
import { ReplayCache } from "./replay-cache";
import { GrpSessionBase, PHASE_HANDSHAKE } from "./session-base";

export interface GrpRelayOptions {
  relayStatic: KeyPair;
  kemKeys: KemKeyRing;
  /** Shared by all connections of a relay; undefined = no replay check. */
  replayCache: ReplayCache | undefined;
  smpMin: number;
  smpMax: number;
  handshakeTimeoutMs: number | undefined;
  /** undefined = the provider's randomBytes. */
  random: RandomSource | undefined;
}

const STEP_HEADER = 0;
const STEP_FIRST = 1;
const STEP_XX_THIRD = 2;

export class GrpServerSession extends GrpSessionBase {
  private options: GrpRelayOptions;
  private hs: HandshakeState | undefined;
  private step: number;
  private pattern: number;
  private agreedVersion: number;

  constructor(p: CryptoProvider, options: GrpRelayOptions, nowMs: number) {
    super(p, nowMs, options.handshakeTimeoutMs === undefined ? HANDSHAKE_TIMEOUT_MS : options.handshakeTimeoutMs);
    this.options = options;
    this.hs = undefined;
    this.step = STEP_HEADER;
    this.pattern = 0;
    this.agreedVersion = 0;
  }

  /** The pattern the client chose (GRP_PATTERN_IK or _XX), 0 before its header. */
  clientPattern(): number {
    return this.pattern;
  }

  private ephemeralSecret(): Bytes {
    const r = this.options.random;
    return r !== undefined ? r(DH_LEN) : this.p.randomBytes(DH_LEN);
  }

  private readHeader(): boolean {
    if (this.input.available() < GRP_HEADER_SIZE) {
      return false;
    }
    const h = this.input.take(GRP_HEADER_SIZE);
    if (h[0] !== GRP_VERSION) {
      throw new Error("grp: unknown version byte " + h[0]);
    }
    if (h[1] !== GRP_PATTERN_IK && h[1] !== GRP_PATTERN_XX) {
      throw new Error("grp: unknown pattern byte " + h[1]);
    }
    this.pattern = h[1];
    this.hs = new HandshakeState(this.p, {
      protocolName: protocolName(this.pattern === GRP_PATTERN_IK ? "IK" : "XX", GRP_NOISE_HASH),
      initiator: false,
      prologue: fromAscii(GRP_PROLOGUE),
      s: this.options.relayStatic,
      rs: undefined,
      ephemeralSecret: this.ephemeralSecret(),
    });
    this.step = STEP_FIRST;
    return true;
  }

  private negotiate(hello: ClientHello): number {
    const min = hello.smpMin > this.options.smpMin ? hello.smpMin : this.options.smpMin;
    const max = hello.smpMax < this.options.smpMax ? hello.smpMax : this.options.smpMax;
    if (hello.smpMin > hello.smpMax || min > max) {
      return 0;
    }
    return max;
  }

  private writeRelayHello(hs: HandshakeState, status: number, smpVersion: number, key: RelayKemKey): void {
    const payload = encodeRelayHello(
      { status: status, smpVersion: smpVersion, keyId: key.id, encapsulationKey: key.encapsulationKey },
      HANDSHAKE_MESSAGE_SIZE - hs.nextMessageOverhead(),
    );
    this.writeFrame(hs.writeMessage(payload));
  }

  private decapsulate(kem: KemCiphertext, nowMs: number): Bytes | undefined {
    const key = this.options.kemKeys.find(kem.keyId, nowMs);
    return key === undefined ? undefined : this.p.mlkem768Decapsulate(key.decapsulationKey, kem.ciphertext);
  }

  private open(hs: HandshakeState, kemSecret: Bytes): void {
    const keys = deriveTransportKeys(this.p, kemSecret, hs.handshakeHash(), hs.chainingKey());
    wipe(kemSecret);
    hs.wipeSecrets();
    this.openTransport(keys, false, hs.handshakeHash(), this.agreedVersion);
  }

  private readFirst(hs: HandshakeState, nowMs: number): void {
    const m = readFrame(this.input, HANDSHAKE_MESSAGE_SIZE, "handshake");
    if (m === undefined) {
      return;
    }
    const ik = this.pattern === GRP_PATTERN_IK;
    const hello = decodeClientHello(hs.readMessage(m), ik);
    const cache = this.options.replayCache;
    if (cache !== undefined && cache.checkAndRecord(slice(m, 0, DH_LEN), nowMs)) {
      throw new Error("grp: replayed first handshake message");
    }
    this.agreedVersion = this.negotiate(hello);
    const current = this.options.kemKeys.current(nowMs);
    if (this.agreedVersion === 0) {
      this.writeRelayHello(hs, STATUS_NO_COMMON_VERSION, 0, current);
      throw new Error("grp: no common SMP version");
    }
    if (!ik) {
      this.writeRelayHello(hs, STATUS_OK, this.agreedVersion, current);
      this.step = STEP_XX_THIRD;
      return;
    }
    const ss = this.decapsulate(hello.kem as KemCiphertext, nowMs);
    if (ss === undefined) {
      this.writeRelayHello(hs, STATUS_UNKNOWN_KEM_KEY, 0, current);
      throw new Error("grp: client used an unknown KEM key");
    }
    this.writeRelayHello(hs, STATUS_OK, this.agreedVersion, current);
    this.open(hs, ss);
  }

  private readThird(hs: HandshakeState, nowMs: number): void {
    const m = readFrame(this.input, HANDSHAKE_MESSAGE_SIZE, "handshake");
    if (m === undefined) {
      return;
    }
    const kem = decodeKemCiphertext(hs.readMessage(m));
    const ss = this.decapsulate(kem, nowMs);
    if (ss === undefined) {
      throw new Error("grp: client used an unknown KEM key");
    }
    this.open(hs, ss);
  }

  protected wipeHandshake(): void {
    if (this.hs !== undefined) {
      this.hs.wipeSecrets();
    }
  }

  protected handshakeStep(nowMs: number): boolean {
    if (this.step === STEP_HEADER) {
      return this.readHeader();
    }
    const hs = this.hs as HandshakeState;
    const before = this.step;
    if (this.step === STEP_FIRST) {
      this.readFirst(hs, nowMs);
    } else {
      this.readThird(hs, nowMs);
    }
    return this.phase !== PHASE_HANDSHAKE || this.step !== before;
  }

  /** The remote (client) static key, once the handshake revealed it. */
  clientStaticKey(): Bytes | undefined {
    return this.hs === undefined ? undefined : this.hs.remoteStatic();
  }
}
