/**
 * Server messages of SMP v7..9 (Protocol.hs BrokerMsg): IDS, MSG, END, OK, ERR, PONG,
 * plus DELD (v10, encoded as END before it). Same tag/params rules as commands.
 */
import { Bytes } from "../../port/bytes";
import { SmpReader, SmpWriter, bytesToAscii } from "../../port/encoding";
import { CMD_SYNTAX, CMD_UNKNOWN, SmpError, cmdError, readError, writeError } from "./errors";
import { PublicKey, decodeSpki, encodeSpki } from "./keys";
import { SMP_VERSION_DELETED_EVENT, SMP_VERSION_SND_AUTH_KEY } from "./version";

export interface IdsMessage {
  tag: "IDS";
  rcvId: Bytes;
  sndId: Bytes;
  /** server's X25519 key for this queue's server→recipient crypto_box */
  srvDhKey: PublicKey;
  /** v9+: whether the sender may secure the queue (SKEY) */
  sndSecure: boolean;
}

export type BrokerMsg =
  | IdsMessage
  | { tag: "MSG"; msgId: Bytes; encBody: Bytes }
  | { tag: "END" }
  | { tag: "DELD" }
  | { tag: "OK" }
  | { tag: "ERR"; error: SmpError }
  | { tag: "PONG" };

export function encodeBrokerMsg(v: number, m: BrokerMsg): Bytes {
  const w = new SmpWriter();
  switch (m.tag) {
    case "IDS":
      w.ascii("IDS").space().short(m.rcvId).short(m.sndId).short(encodeSpki(m.srvDhKey));
      if (v >= SMP_VERSION_SND_AUTH_KEY) {
        w.bool(m.sndSecure);
      }
      break;
    case "MSG":
      w.ascii("MSG").space().short(m.msgId).bytes(m.encBody);
      break;
    case "DELD":
      w.ascii(v >= SMP_VERSION_DELETED_EVENT ? "DELD" : "END");
      break;
    case "ERR":
      w.ascii("ERR").space();
      writeError(w, m.error);
      break;
    default:
      w.ascii(m.tag);
      break;
  }
  return w.finish();
}

export type BrokerMsgResult = { ok: true; msg: BrokerMsg } | { ok: false; error: SmpError };

function readMsg(v: number, tag: string, r: SmpReader): BrokerMsg | undefined {
  switch (tag) {
    case "IDS": {
      r.space();
      const rcvId = r.short();
      const sndId = r.short();
      const der = r.short();
      const k = decodeSpki(der);
      if (!k.ok || k.value.alg !== "x25519") {
        r.fail("bad server DH key");
      }
      const sndSecure = v >= SMP_VERSION_SND_AUTH_KEY ? r.bool() : false;
      return { tag: "IDS", rcvId: rcvId, sndId: sndId, srvDhKey: k.ok ? k.value : { alg: "x25519", key: der }, sndSecure: sndSecure };
    }
    case "MSG": {
      r.space();
      const msgId = r.short();
      return { tag: "MSG", msgId: msgId, encBody: r.tail() };
    }
    case "END":
      return { tag: "END" };
    case "DELD":
      return { tag: "DELD" };
    case "OK":
      return { tag: "OK" };
    case "PONG":
      return { tag: "PONG" };
    case "ERR":
      r.space();
      return { tag: "ERR", error: readError(r) };
    default:
      return undefined;
  }
}

export function parseBrokerMsg(v: number, b: Bytes): BrokerMsgResult {
  const r = new SmpReader(b);
  const tag = bytesToAscii(r.word());
  const m = readMsg(v, tag, r);
  if (m === undefined) {
    return { ok: false, error: cmdError(CMD_UNKNOWN) };
  }
  r.end();
  if (r.failed !== undefined) {
    return { ok: false, error: cmdError(CMD_SYNTAX) };
  }
  return { ok: true, msg: m };
}
