/**
 * What a conformance case talks to: a block connection to a relay (any transport), with
 * helpers to send hand-built transmissions and read the relay's replies. Cases build
 * their own bytes on purpose (bad signatures, wrong ids, garbage) instead of going
 * through the client library.
 */
import { ed448 } from "@noble/curves/ed448.js";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import type { Bytes } from "../../firmware/port/bytes";
import { encodeBlocks, parseBlock, SMP_BLOCK_SIZE } from "../../firmware/transport/smp/block";
import { Command, encodeCommand } from "../../firmware/transport/smp/commands";
import { cbAuthenticate, cbKey } from "../../firmware/transport/smp/crypto-box";
import { errorText } from "../../firmware/transport/smp/errors";
import { BrokerMsg, parseBrokerMsg } from "../../firmware/transport/smp/responses";
import { encodeAuthorized, encodeTransmission, parseTransmission, signedBytes } from "../../firmware/transport/smp/transmission";

export interface BlockConnection {
  readonly sessionId: Bytes;
  readonly version: number;
  readonly serverDhKey: Bytes | undefined;
  /** the TLS version or transport name, for reports */
  readonly description: string;
  sendBlock(b: Bytes): void;
  /** raw bytes, for framing tests */
  sendRaw(b: Bytes): void;
  /** next block, or undefined on timeout / close */
  nextBlock(timeoutMs: number): Promise<Bytes | undefined>;
  isClosed(): boolean;
  /** resolves true if the peer closed within timeoutMs */
  waitClosed(timeoutMs: number): Promise<boolean>;
  close(): void;
}

/** A pluggable transport: smp:// over TLS now, grp:// later. */
export interface ConformanceTransport {
  readonly scheme: string;
  connect(address: string, opts?: { versions?: { min: number; max: number } }): Promise<BlockConnection>;
}

export interface Key {
  alg: "ed25519" | "ed448" | "x25519";
  secretKey: Bytes;
  publicKey: Bytes;
}

export function newKey(provider: CryptoProvider, alg: Key["alg"]): Key {
  if (alg === "ed448") {
    const sk = ed448.utils.randomSecretKey();
    return { alg, secretKey: sk, publicKey: ed448.getPublicKey(sk) };
  }
  const sk = provider.randomBytes(32);
  return { alg, secretKey: sk, publicKey: alg === "ed25519" ? provider.ed25519PublicKey(sk) : provider.x25519PublicKey(sk) };
}

export interface Reply {
  corrId: string;
  entityId: Bytes;
  msg: BrokerMsg;
  /** "OK", "ERR AUTH", "MSG", "IDS", … */
  text: string;
}

export interface Send {
  corrId?: Bytes;
  entityId?: Bytes;
  command: Command | Bytes;
  /** the key that authorizes it */
  key?: Key;
  /** raw auth bytes instead of signing */
  auth?: Bytes;
  /** sign over this session id instead of the connection's */
  sessionId?: Bytes;
}

const ascii = (b: Bytes) => Buffer.from(b as Uint8Array).toString("latin1");

export function replyText(m: BrokerMsg): string {
  return m.tag === "ERR" ? "ERR " + errorText(m.error) : m.tag;
}

export class TestClient {
  private inbox: Reply[] = [];
  private corrSeq = 0;
  constructor(readonly conn: BlockConnection, readonly provider: CryptoProvider) {}

  get version(): number {
    return this.conn.version;
  }

  corrId(): Bytes {
    this.corrSeq++;
    const c = new Uint8Array(this.provider.randomBytes(24) as Uint8Array);
    c[0] = this.corrSeq & 0xff;
    return c;
  }

  transmission(s: Send): Bytes {
    const corrId = s.corrId ?? this.corrId();
    const entity = s.entityId ?? new Uint8Array(0);
    const cmd = s.command instanceof Uint8Array ? s.command : encodeCommand(this.version, s.command as Command);
    const authorized = encodeAuthorized(corrId, entity, cmd);
    let auth: Bytes = s.auth ?? new Uint8Array(0);
    if (s.key !== undefined && s.auth === undefined) {
      const signed = signedBytes(s.sessionId ?? this.conn.sessionId, authorized);
      if (s.key.alg === "ed25519") auth = this.provider.ed25519Sign(s.key.secretKey, signed);
      else if (s.key.alg === "ed448") auth = ed448.sign(signed as Uint8Array, s.key.secretKey as Uint8Array);
      else {
        if (this.conn.serverDhKey === undefined) throw new Error("relay sent no session key");
        auth = cbAuthenticate(this.provider, cbKey(this.provider, this.conn.serverDhKey, s.key.secretKey), corrId, signed);
      }
    }
    return encodeTransmission(auth, authorized);
  }

  /** Sends the transmissions batched into as few blocks as possible; returns their corrIds. */
  send(...sends: Send[]): string[] {
    const corrIds = sends.map((s) => s.corrId ?? this.corrId());
    const ts = sends.map((s, i) => this.transmission({ ...s, corrId: corrIds[i] }));
    const r = encodeBlocks(ts);
    if (r.tooLarge.length) throw new Error("transmission does not fit in a block");
    for (const b of r.blocks) this.conn.sendBlock(b);
    return corrIds.map(ascii);
  }

  private async fill(timeoutMs: number): Promise<boolean> {
    const b = await this.conn.nextBlock(timeoutMs);
    if (b === undefined) return false;
    if (b.length !== SMP_BLOCK_SIZE) throw new Error(`relay sent a block of ${b.length} bytes`);
    const ts = parseBlock(b);
    if (!ts.ok) throw new Error("relay sent a malformed block: " + ts.error);
    for (const raw of ts.value) {
      const t = parseTransmission(raw);
      if (!t.ok) throw new Error("relay sent a malformed transmission: " + t.error);
      if (t.value.auth.length !== 0) throw new Error("relay response carries auth bytes");
      const m = parseBrokerMsg(this.version, t.value.command);
      if (!m.ok) throw new Error("relay sent an unparsable message: " + ascii(t.value.command).slice(0, 40));
      this.inbox.push({ corrId: ascii(t.value.corrId), entityId: t.value.entityId, msg: m.msg, text: replyText(m.msg) });
    }
    return true;
  }

  /** The next reply matching `pred` (others stay queued), or throws after timeoutMs. */
  async waitFor(pred: (r: Reply) => boolean, what: string, timeoutMs = 5000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(pred);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.fill(left))) throw new Error(`timed out waiting for ${what}${this.conn.isClosed() ? " (connection closed)" : ""}`);
    }
  }

  /** Sends one transmission and returns the reply with its corrId. */
  async request(s: Send, timeoutMs = 5000): Promise<Reply> {
    const [c] = this.send(s);
    return this.waitFor((r) => r.corrId === c, `reply to ${s.command instanceof Uint8Array ? ascii(s.command).slice(0, 8) : (s.command as Command).tag}`, timeoutMs);
  }

  /** An event without corrId (MSG, END, DELD) for this entity. */
  event(entityId: Bytes, tag: string, timeoutMs = 5000): Promise<Reply> {
    return this.waitFor((r) => r.corrId === "" && r.msg.tag === tag && Buffer.from(r.entityId as Uint8Array).equals(Buffer.from(entityId as Uint8Array)), `${tag} event`, timeoutMs);
  }

  /** True if nothing arrives within ms. */
  async quiet(ms: number): Promise<boolean> {
    if (this.inbox.length) return false;
    return !(await this.fill(ms));
  }

  pendingReplies(): Reply[] {
    return this.inbox.slice();
  }
}
