/**
 * The GRP client (docs/grp.md §4-§6): Noise IK when it holds the relay's current ML-KEM
 * encapsulation key, XX otherwise (first contact, or after the relay reported an unknown
 * KEM key). Sans-I/O: start() queues the connection header and first message; the
 * driver moves bytes and calls tick() at deadline().
 */
import { Bytes, alloc, equalBytes, fromAscii, wipe } from "../../port/bytes";
import { ctEqual } from "../../port/ct";
import { CryptoProvider, RandomSource } from "../../crypto/provider";
import {
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
import { deriveTransportKeys, kemKeyId } from "./hybrid";
import { HandshakeState, KeyPair, keyPairFromSecret, DH_LEN } from "./noise/handshake-state";
import { protocolName } from "./noise/protocol-name";
import { KemCiphertext, RelayHello, decodeRelayHello, encodeClientHello, encodeKemCiphertext } from "./payloads";
import { GrpSessionBase, PHASE_HANDSHAKE } from "./session-base";

export interface RelayKemKeyInfo {
  id: Bytes;
  encapsulationKey: Bytes;
}

export interface GrpClientOptions {
  /** The relay's Noise static public key (from the grp:// URI). */
  relayStaticKey: Bytes;
  /** The KEM key id pinned by the URI, if any: first contact accepts only that key. */
  pinnedKemKeyId: Bytes | undefined;
  /** The relay's ML-KEM key learned earlier; when present the client uses IK. */
  cachedKemKey: RelayKemKeyInfo | undefined;
  /** Our Noise static key; undefined = a fresh one per connection (unlinkable sessions). */
  clientStatic: KeyPair | undefined;
  smpMin: number;
  smpMax: number;
  /** undefined = HANDSHAKE_TIMEOUT_MS. */
  handshakeTimeoutMs: number | undefined;
  /** undefined = the provider's randomBytes. */
  random: RandomSource | undefined;
}

const ML_KEM_ENCAPS_RANDOM_SIZE = 32;

export class GrpClientSession extends GrpSessionBase {
  private options: GrpClientOptions;
  private hs: HandshakeState;
  private pattern: number;
  private kemSecret: Bytes | undefined;
  private learned: RelayKemKeyInfo | undefined;
  private kemKeyRejected: boolean;
  private random: RandomSource;

  constructor(p: CryptoProvider, options: GrpClientOptions, nowMs: number) {
    super(p, nowMs, options.handshakeTimeoutMs === undefined ? HANDSHAKE_TIMEOUT_MS : options.handshakeTimeoutMs);
    if (options.relayStaticKey.length !== DH_LEN) {
      throw new Error("grp: relay static key must be 32 bytes");
    }
    this.options = options;
    this.random = options.random !== undefined ? options.random : (n: number): Bytes => p.randomBytes(n);
    this.pattern = options.cachedKemKey === undefined ? GRP_PATTERN_XX : GRP_PATTERN_IK;
    const ik = this.pattern === GRP_PATTERN_IK;
    this.hs = new HandshakeState(p, {
      protocolName: protocolName(ik ? "IK" : "XX", GRP_NOISE_HASH),
      initiator: true,
      prologue: fromAscii(GRP_PROLOGUE),
      s: options.clientStatic !== undefined ? options.clientStatic : keyPairFromSecret(p, this.random(DH_LEN)),
      rs: ik ? options.relayStaticKey : undefined,
      ephemeralSecret: this.random(DH_LEN),
    });
    this.kemSecret = undefined;
    this.learned = undefined;
    this.kemKeyRejected = false;
  }

  usesIK(): boolean {
    return this.pattern === GRP_PATTERN_IK;
  }

  /** The relay's current ML-KEM key as it announced it in this handshake: cache it for IK. */
  relayKemKey(): RelayKemKeyInfo | undefined {
    return this.learned;
  }

  /** True when the relay refused our cached KEM key: reconnect (IK with relayKemKey()). */
  wasKemKeyRejected(): boolean {
    return this.kemKeyRejected;
  }

  private encapsulate(key: RelayKemKeyInfo): KemCiphertext {
    const enc = this.p.mlkem768Encapsulate(key.encapsulationKey, this.random(ML_KEM_ENCAPS_RANDOM_SIZE));
    this.kemSecret = enc.sharedSecret;
    return { keyId: key.id, ciphertext: enc.ciphertext };
  }

  /** Queues the connection header and the first handshake message. */
  start(): void {
    const header = alloc(2);
    header[0] = GRP_VERSION;
    header[1] = this.pattern;
    this.write(header);
    const cached = this.options.cachedKemKey;
    const size = HANDSHAKE_MESSAGE_SIZE - this.hs.nextMessageOverhead();
    const payload = encodeClientHello(
      {
        smpMin: this.options.smpMin,
        smpMax: this.options.smpMax,
        kem: cached === undefined ? undefined : this.encapsulate(cached),
      },
      size,
    );
    this.writeFrame(this.hs.writeMessage(payload));
  }

  private checkRelayHello(h: RelayHello): void {
    if (!equalBytes(kemKeyId(this.p, h.encapsulationKey), h.keyId)) {
      throw new Error("grp: relay KEM key id does not match its key");
    }
    const rs = this.hs.remoteStatic();
    if (rs === undefined || !ctEqual(rs, this.options.relayStaticKey)) {
      throw new Error("grp: relay static key does not match the address");
    }
    const pin = this.options.pinnedKemKeyId;
    if (!this.usesIK() && pin !== undefined && !equalBytes(pin, h.keyId)) {
      throw new Error("grp: relay KEM key does not match the id pinned in the address");
    }
    this.learned = { id: h.keyId, encapsulationKey: h.encapsulationKey };
    if (h.status === STATUS_UNKNOWN_KEM_KEY && this.usesIK()) {
      this.kemKeyRejected = true;
      throw new Error("grp: relay does not know our KEM key; reconnect with the key it sent");
    }
    if (h.status === STATUS_NO_COMMON_VERSION) {
      throw new Error("grp: no common SMP version");
    }
    if (h.status !== STATUS_OK) {
      throw new Error("grp: relay hello status " + h.status);
    }
    if (h.smpVersion < this.options.smpMin || h.smpVersion > this.options.smpMax) {
      throw new Error("grp: relay chose SMP version " + h.smpVersion + " outside our range");
    }
  }

  private finish(smpVersion: number): void {
    const ss = this.kemSecret;
    if (ss === undefined) {
      throw new Error("grp: no KEM shared secret");
    }
    const keys = deriveTransportKeys(this.p, ss, this.hs.handshakeHash(), this.hs.chainingKey());
    wipe(ss);
    this.kemSecret = undefined;
    this.hs.wipeSecrets();
    this.openTransport(keys, true, this.hs.handshakeHash(), smpVersion);
  }

  protected wipeHandshake(): void {
    if (this.kemSecret !== undefined) {
      wipe(this.kemSecret);
      this.kemSecret = undefined;
    }
    this.hs.wipeSecrets();
  }

  protected handshakeStep(_nowMs: number): boolean {
    const m = readFrame(this.input, HANDSHAKE_MESSAGE_SIZE, "handshake");
    if (m === undefined) {
      return false;
    }
    const hello = decodeRelayHello(this.hs.readMessage(m));
    this.checkRelayHello(hello);
    if (!this.usesIK()) {
      const payload = encodeKemCiphertext(this.encapsulate(this.learned as RelayKemKeyInfo), HANDSHAKE_MESSAGE_SIZE - this.hs.nextMessageOverhead());
      this.writeFrame(this.hs.writeMessage(payload));
    }
    this.finish(hello.smpVersion);
    return this.phase !== PHASE_HANDSHAKE;
  }
}
