/**
 * Noise HandshakeState (§5.3), driven by the tokens of a HandshakePattern: one generic
 * WriteMessage/ReadMessage, no per-pattern code. DH is X25519 through the provider.
 * A failed ReadMessage (bad length, failed decryption, DH failure) leaves the state
 * failed: every later call throws, so a caller cannot continue on a broken transcript.
 */
import { Bytes, concatAll, slice, wipe } from "../../../port/bytes";
import { errorMessage } from "../../../port/error";
import { CryptoProvider } from "../../../crypto/provider";
import { CipherState, TAG_LEN } from "./cipher-state";
import { noiseHashByName } from "./hash-function";
import { HandshakePattern, TOKEN_E, TOKEN_EE, TOKEN_ES, TOKEN_S, TOKEN_SE, TOKEN_SS, patternByName } from "./patterns";
import { parseProtocolName } from "./protocol-name";
import { SymmetricState } from "./symmetric-state";

export const DH_LEN = 32;
/** Noise's maximum message length (§3). */
export const MAX_NOISE_MESSAGE = 65535;

export interface KeyPair {
  publicKey: Bytes;
  secretKey: Bytes;
}

export function keyPairFromSecret(p: CryptoProvider, secretKey: Bytes): KeyPair {
  return { publicKey: p.x25519PublicKey(secretKey), secretKey: secretKey };
}

export interface HandshakeConfig {
  /** e.g. "Noise_IK_25519_ChaChaPoly_BLAKE2s" */
  protocolName: string;
  initiator: boolean;
  prologue: Bytes;
  /** Our static key pair, when the pattern sends or uses one. */
  s: KeyPair | undefined;
  /** The peer's static public key, when known in advance (IK initiator). */
  rs: Bytes | undefined;
  /** Our ephemeral secret; undefined means fresh randomness from the provider. Fixed only for vectors. */
  ephemeralSecret: Bytes | undefined;
}

/** The transport CipherStates after Split(), from this side's point of view. */
export interface TransportPair {
  send: CipherState;
  receive: CipherState;
}

export class HandshakeState {
  private p: CryptoProvider;
  private ss: SymmetricState;
  private pattern: HandshakePattern;
  private initiator: boolean;
  private s: KeyPair | undefined;
  private e: KeyPair | undefined;
  private rs: Bytes | undefined;
  private re: Bytes | undefined;
  private ephemeralSecret: Bytes | undefined;
  private index: number;
  private failed: string;

  constructor(p: CryptoProvider, config: HandshakeConfig) {
    const name = parseProtocolName(config.protocolName);
    this.p = p;
    this.pattern = patternByName(name.pattern);
    this.ss = new SymmetricState(p, noiseHashByName(p, name.hash), name.full);
    this.initiator = config.initiator;
    this.s = config.s;
    this.rs = config.rs;
    this.e = undefined;
    this.re = undefined;
    this.ephemeralSecret = config.ephemeralSecret;
    this.index = 0;
    this.failed = "";
    this.ss.mixHash(config.prologue);
    // Pre-messages (§7.1): the initiator's first, each public key hashed in order.
    this.mixPreMessage(this.pattern.initiatorPreMessage, this.initiator);
    this.mixPreMessage(this.pattern.responderPreMessage, !this.initiator);
  }

  private mixPreMessage(tokens: string[], ours: boolean): void {
    for (const t of tokens) {
      if (t !== TOKEN_S) {
        throw new Error("noise: unsupported pre-message token '" + t + "'");
      }
      const key = ours ? (this.s === undefined ? undefined : this.s.publicKey) : this.rs;
      if (key === undefined) {
        throw new Error("noise: pattern " + this.pattern.name + " needs " + (ours ? "our" : "the peer's") + " static key in advance");
      }
      this.ss.mixHash(key);
    }
  }

  /** True when it is this side's turn to write. */
  isMyTurn(): boolean {
    const initiatorTurn = this.index % 2 === 0;
    return initiatorTurn === this.initiator;
  }

  isComplete(): boolean {
    return this.index >= this.pattern.messages.length;
  }

  /** Number of handshake messages processed so far. */
  messageIndex(): number {
    return this.index;
  }

  handshakeHash(): Bytes {
    return this.ss.handshakeHash();
  }

  chainingKey(): Bytes {
    return this.ss.chainingKey();
  }

  remoteStatic(): Bytes | undefined {
    return this.rs;
  }

  /** Bytes the next message adds around its payload (keys, tags): lets callers pad to a fixed size. */
  nextMessageOverhead(): number {
    if (this.isComplete()) {
      throw new Error("noise: handshake already complete");
    }
    let keyed = this.ss.hasKey();
    let n = 0;
    for (const t of this.pattern.messages[this.index]) {
      if (t === TOKEN_E) {
        n += DH_LEN;
      } else if (t === TOKEN_S) {
        n += keyed ? DH_LEN + TAG_LEN : DH_LEN;
      } else {
        keyed = true;
      }
    }
    return keyed ? n + TAG_LEN : n;
  }

  private check(writing: boolean): void {
    if (this.failed !== "") {
      throw new Error("noise: handshake already failed (" + this.failed + ")");
    }
    if (this.isComplete()) {
      throw new Error("noise: handshake already complete");
    }
    if (this.isMyTurn() !== writing) {
      throw new Error(writing ? "noise: not our turn to write" : "noise: not our turn to read");
    }
  }

  private dh(ours: KeyPair | undefined, theirs: Bytes | undefined, what: string): Bytes {
    if (ours === undefined || theirs === undefined) {
      throw new Error("noise: token '" + what + "' without the keys it needs");
    }
    return this.p.x25519(ours.secretKey, theirs);
  }

  /** The DH of a two-letter token from this side's view: first letter initiator's key, second responder's. */
  private mixDh(token: string): void {
    if (token === TOKEN_EE) {
      this.ss.mixKey(this.dh(this.e, this.re, token));
    } else if (token === TOKEN_SS) {
      this.ss.mixKey(this.dh(this.s, this.rs, token));
    } else if (token === TOKEN_ES) {
      this.ss.mixKey(this.initiator ? this.dh(this.e, this.rs, token) : this.dh(this.s, this.re, token));
    } else if (token === TOKEN_SE) {
      this.ss.mixKey(this.initiator ? this.dh(this.s, this.re, token) : this.dh(this.e, this.rs, token));
    } else {
      throw new Error("noise: unknown token '" + token + "'");
    }
  }

  writeMessage(payload: Bytes): Bytes {
    this.check(true);
    const parts: Bytes[] = [];
    for (const t of this.pattern.messages[this.index]) {
      if (t === TOKEN_E) {
        // A copy of a given secret: wipeSecrets() must not erase the caller's bytes.
        const given = this.ephemeralSecret;
        const secret = given !== undefined ? slice(given, 0, given.length) : this.p.randomBytes(DH_LEN);
        this.ephemeralSecret = undefined;
        this.e = keyPairFromSecret(this.p, secret);
        parts.push(this.e.publicKey);
        this.ss.mixHash(this.e.publicKey);
      } else if (t === TOKEN_S) {
        if (this.s === undefined) {
          throw new Error("noise: token 's' without a static key");
        }
        parts.push(this.ss.encryptAndHash(this.s.publicKey));
      } else {
        this.mixDh(t);
      }
    }
    parts.push(this.ss.encryptAndHash(payload));
    this.index++;
    const message = concatAll(parts);
    if (message.length > MAX_NOISE_MESSAGE) {
      throw new Error("noise: message of " + message.length + " bytes exceeds 65535");
    }
    return message;
  }

  private readTokens(message: Bytes): Bytes {
    let off = 0;
    for (const t of this.pattern.messages[this.index]) {
      if (t === TOKEN_E) {
        if (off + DH_LEN > message.length) {
          throw new Error("noise: message too short for 'e'");
        }
        this.re = slice(message, off, off + DH_LEN);
        off += DH_LEN;
        this.ss.mixHash(this.re);
      } else if (t === TOKEN_S) {
        const len = this.ss.hasKey() ? DH_LEN + TAG_LEN : DH_LEN;
        if (off + len > message.length) {
          throw new Error("noise: message too short for 's'");
        }
        const rs = this.ss.decryptAndHash(slice(message, off, off + len));
        if (rs === undefined) {
          throw new Error("noise: cannot decrypt the peer's static key");
        }
        this.rs = rs;
        off += len;
      } else {
        this.mixDh(t);
      }
    }
    if (this.ss.hasKey() && message.length - off < TAG_LEN) {
      throw new Error("noise: message too short for its payload tag");
    }
    const payload = this.ss.decryptAndHash(slice(message, off, message.length));
    if (payload === undefined) {
      throw new Error("noise: cannot decrypt the payload");
    }
    return payload;
  }

  /** Processes a peer's handshake message and returns its payload; throws on any failure. */
  readMessage(message: Bytes): Bytes {
    this.check(false);
    if (message.length > MAX_NOISE_MESSAGE) {
      throw new Error("noise: message of " + message.length + " bytes exceeds 65535");
    }
    let payload: Bytes | undefined = undefined;
    let failure = "";
    try {
      payload = this.readTokens(message);
    } catch (e) {
      failure = errorMessage(e);
    }
    if (payload === undefined) {
      this.failed = failure;
      throw new Error(failure);
    }
    this.index++;
    return payload;
  }

  /** Erases the ephemeral secret, the chaining key and the handshake cipher key; the state is unusable afterwards. */
  wipeSecrets(): void {
    if (this.e !== undefined) {
      wipe(this.e.secretKey);
    }
    this.ss.wipeSecrets();
    this.failed = "secrets erased";
  }

  /** Split() after the last message: this side's send and receive CipherStates. */
  split(): TransportPair {
    if (!this.isComplete() || this.failed !== "") {
      throw new Error("noise: split before the handshake completed");
    }
    const pair = this.ss.split();
    return this.initiator ? { send: pair[0], receive: pair[1] } : { send: pair[1], receive: pair[0] };
  }
}
