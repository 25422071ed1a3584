/**
 * Client commands of SMP v7..9 (Protocol.hs `encodeProtocol`/`protocolP` for Command):
 * NEW, SUB, KEY, SKEY, SEND, ACK, GET, OFF, DEL, PING. A command is its tag, then a
 * space and parameters when it has any; the whole input must be consumed. Unknown tag →
 * CMD UNKNOWN; a known tag with bad parameters → CMD SYNTAX.
 */
import { Bytes } from "../../port/bytes";
import { SmpReader, SmpWriter, bytesToAscii } from "../../port/encoding";
import { CMD_SYNTAX, CMD_UNKNOWN, SmpError, cmdError } from "./errors";
import { PublicKey, decodeSpki, encodeSpki, isAuthKey } from "./keys";
import { SMP_VERSION_SND_AUTH_KEY } from "./version";

export interface NewCommand {
  tag: "NEW";
  /** recipient key that authorizes SUB/KEY/ACK/GET/OFF/DEL (Ed25519, Ed448 or X25519) */
  rcvAuthKey: PublicKey;
  /** recipient X25519 key for the server→recipient crypto_box */
  rcvDhKey: PublicKey;
  /** server password (BasicAuth), if the server requires one */
  basicAuth: Bytes | undefined;
  /** SubscriptionMode: true = 'S' (subscribe now), false = 'C' (only create) */
  subscribe: boolean;
  /** v9+: the sender may secure the queue with SKEY (a messaging queue) */
  sndSecure: boolean;
}

export type Command =
  | NewCommand
  | { tag: "SUB" }
  | { tag: "KEY"; key: PublicKey }
  | { tag: "SKEY"; key: PublicKey }
  | { tag: "SEND"; notification: boolean; body: Bytes }
  | { tag: "ACK"; msgId: Bytes }
  | { tag: "GET" }
  | { tag: "OFF" }
  | { tag: "DEL" }
  | { tag: "PING" };

export type CommandTag = Command["tag"];

/** Who must authorize a command (the party in Protocol.hs). */
export type CommandParty = "creator" | "recipient" | "sender" | "idle";

export function commandParty(tag: CommandTag): CommandParty {
  if (tag === "NEW") {
    return "creator";
  }
  if (tag === "SKEY" || tag === "SEND") {
    return "sender";
  }
  if (tag === "PING") {
    return "idle";
  }
  return "recipient";
}

const SUBSCRIBE_MODE = 0x53; // 'S'
const ONLY_CREATE_MODE = 0x43; // 'C'
const BASIC_AUTH_PREFIX = 0x41; // 'A' (v < 9)

function writeKey(w: SmpWriter, k: PublicKey): void {
  w.short(encodeSpki(k));
}

/** SEND's encoding around a body held by a writer (an agent's envelope, copied once into the block). */
export function sendCommandWriter(notification: boolean, body: SmpWriter): SmpWriter {
  return new SmpWriter().ascii("SEND").space().bool(notification).space().writer(body);
}

/** The command's encoding, uncopied (a SEND body stays where it is until the block is written). */
export function commandWriter(v: number, c: Command): SmpWriter {
  if (c.tag === "SEND") {
    return sendCommandWriter(c.notification, new SmpWriter().bytes(c.body));
  }
  const w = new SmpWriter().ascii(c.tag);
  switch (c.tag) {
    case "NEW":
      w.space();
      writeKey(w, c.rcvAuthKey);
      writeKey(w, c.rcvDhKey);
      if (v >= SMP_VERSION_SND_AUTH_KEY) {
        if (c.basicAuth === undefined) {
          w.byte(0x30);
        } else {
          w.byte(0x31).short(c.basicAuth);
        }
        w.byte(c.subscribe ? SUBSCRIBE_MODE : ONLY_CREATE_MODE);
        w.bool(c.sndSecure);
      } else {
        if (c.basicAuth !== undefined) {
          w.byte(BASIC_AUTH_PREFIX).short(c.basicAuth);
        }
        w.byte(c.subscribe ? SUBSCRIBE_MODE : ONLY_CREATE_MODE);
      }
      break;
    case "KEY":
    case "SKEY":
      w.space();
      writeKey(w, c.key);
      break;
    case "ACK":
      w.space().short(c.msgId);
      break;
    default:
      break;
  }
  return w;
}

export function encodeCommand(v: number, c: Command): Bytes {
  return commandWriter(v, c).finish();
}

export type CommandResult = { ok: true; command: Command } | { ok: false; error: SmpError };

function readKey(r: SmpReader, authKey: boolean): PublicKey {
  const der = r.short();
  if (r.failed !== undefined) {
    return { alg: "x25519", key: der };
  }
  const k = decodeSpki(der);
  if (!k.ok) {
    r.fail(k.error);
    return { alg: "x25519", key: der };
  }
  if (authKey ? !isAuthKey(k.value) : k.value.alg !== "x25519") {
    r.fail("key of the wrong type: " + k.value.alg);
  }
  return k.value;
}

function readSubMode(r: SmpReader): boolean {
  const m = r.byte();
  if (m === SUBSCRIBE_MODE) {
    return true;
  }
  if (m !== ONLY_CREATE_MODE) {
    r.fail("bad SubscriptionMode");
  }
  return false;
}

function readNew(v: number, r: SmpReader): Command {
  r.space();
  const rcvAuthKey = readKey(r, true);
  const rcvDhKey = readKey(r, false);
  let basicAuth: Bytes | undefined = undefined;
  let subscribe: boolean;
  let sndSecure = false;
  if (v >= SMP_VERSION_SND_AUTH_KEY) {
    if (r.maybeTag()) {
      basicAuth = r.short();
    }
    subscribe = readSubMode(r);
    sndSecure = r.bool();
  } else {
    if (r.peek() === BASIC_AUTH_PREFIX) {
      r.byte();
      basicAuth = r.short();
    }
    subscribe = readSubMode(r);
  }
  return { tag: "NEW", rcvAuthKey: rcvAuthKey, rcvDhKey: rcvDhKey, basicAuth: basicAuth, subscribe: subscribe, sndSecure: sndSecure };
}

function readParams(v: number, tag: string, r: SmpReader): Command | undefined {
  switch (tag) {
    case "NEW":
      return readNew(v, r);
    case "SUB":
      return { tag: "SUB" };
    case "KEY":
      r.space();
      return { tag: "KEY", key: readKey(r, true) };
    case "SKEY":
      r.space();
      return { tag: "SKEY", key: readKey(r, true) };
    case "SEND": {
      r.space();
      const notification = r.bool();
      r.word(); // MsgFlags ignores extra flag characters up to the space (Protocol.hs)
      r.space();
      return { tag: "SEND", notification: notification, body: r.tail() };
    }
    case "ACK":
      r.space();
      return { tag: "ACK", msgId: r.short() };
    case "GET":
      return { tag: "GET" };
    case "OFF":
      return { tag: "OFF" };
    case "DEL":
      return { tag: "DEL" };
    case "PING":
      return { tag: "PING" };
    default:
      return undefined;
  }
}

export function parseCommand(v: number, b: Bytes): CommandResult {
  const r = new SmpReader(b);
  const tag = bytesToAscii(r.word());
  const c = readParams(v, tag, r);
  if (c === undefined) {
    return { ok: false, error: cmdError(CMD_UNKNOWN) };
  }
  r.end();
  if (r.failed !== undefined) {
    return { ok: false, error: cmdError(CMD_SYNTAX) };
  }
  return { ok: true, command: c };
}

