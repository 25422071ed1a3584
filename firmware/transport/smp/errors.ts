/**
 * ERR codes (Protocol.hs ErrorType/CommandError). The codec keeps codes it does not
 * model in detail (PROXY …, BLOCKED …, STORE …) with their parameter bytes, so a
 * client can still show what a newer server said.
 */
import { Bytes, alloc } from "../../port/bytes";
import { SmpReader, SmpWriter, bytesToAscii } from "../../port/encoding";

export const ERR_BLOCK = "BLOCK";
export const ERR_SESSION = "SESSION";
export const ERR_CMD = "CMD";
export const ERR_PROXY = "PROXY";
export const ERR_AUTH = "AUTH";
export const ERR_BLOCKED = "BLOCKED";
export const ERR_SERVICE = "SERVICE";
export const ERR_CRYPTO = "CRYPTO";
export const ERR_QUOTA = "QUOTA";
export const ERR_STORE = "STORE";
export const ERR_NO_MSG = "NO_MSG";
export const ERR_LARGE_MSG = "LARGE_MSG";
export const ERR_EXPIRED = "EXPIRED";
export const ERR_INTERNAL = "INTERNAL";
export const ERR_DUPLICATE = "DUPLICATE_";

export const CMD_UNKNOWN = "UNKNOWN";
export const CMD_SYNTAX = "SYNTAX";
export const CMD_PROHIBITED = "PROHIBITED";
export const CMD_NO_AUTH = "NO_AUTH";
export const CMD_HAS_AUTH = "HAS_AUTH";
export const CMD_NO_ENTITY = "NO_ENTITY";

const SIMPLE = [ERR_BLOCK, ERR_SESSION, ERR_AUTH, ERR_SERVICE, ERR_CRYPTO, ERR_QUOTA, ERR_NO_MSG, ERR_LARGE_MSG, ERR_EXPIRED, ERR_INTERNAL, ERR_DUPLICATE];
const WITH_PARAM = [ERR_PROXY, ERR_BLOCKED, ERR_STORE];
const CMD_ERRORS = [CMD_UNKNOWN, CMD_SYNTAX, CMD_PROHIBITED, CMD_NO_AUTH, CMD_HAS_AUTH, CMD_NO_ENTITY];

export interface SmpError {
  /** BLOCK, SESSION, CMD, AUTH, QUOTA, … */
  type: string;
  /** for CMD: UNKNOWN, SYNTAX, PROHIBITED, NO_AUTH, HAS_AUTH or NO_ENTITY */
  cmd?: string;
  /** for PROXY, BLOCKED and STORE: the parameter bytes as sent */
  param?: Bytes;
}

export function smpError(type: string): SmpError {
  return { type: type };
}

export function cmdError(cmd: string): SmpError {
  return { type: ERR_CMD, cmd: cmd };
}

/** "AUTH", "CMD SYNTAX", … for messages and test expectations. */
export function errorText(e: SmpError): string {
  if (e.cmd !== undefined) {
    return e.type + " " + e.cmd;
  }
  if (e.param !== undefined) {
    return e.type + " " + bytesToAscii(e.param);
  }
  return e.type;
}

function contains(list: string[], s: string): boolean {
  for (const x of list) {
    if (x === s) {
      return true;
    }
  }
  return false;
}

export function writeError(w: SmpWriter, e: SmpError): void {
  w.ascii(e.type);
  if (e.type === ERR_CMD) {
    w.space().ascii(e.cmd === undefined ? CMD_SYNTAX : e.cmd);
  } else if (contains(WITH_PARAM, e.type)) {
    w.space().bytes(e.param === undefined ? alloc(0) : e.param);
  }
}

export function readError(r: SmpReader): SmpError {
  const tag = bytesToAscii(r.word());
  if (contains(SIMPLE, tag)) {
    return smpError(tag);
  }
  if (tag === ERR_CMD) {
    r.space();
    const c = bytesToAscii(r.word());
    if (contains(CMD_ERRORS, c)) {
      return cmdError(c);
    }
    if (c === "NO_QUEUE") {
      return cmdError(CMD_NO_ENTITY); // backward compatibility, as Protocol.hs
    }
    r.fail("bad CommandError");
    return cmdError(CMD_SYNTAX);
  }
  if (contains(WITH_PARAM, tag)) {
    r.space();
    return { type: tag, param: r.tail() };
  }
  r.fail("bad ErrorType");
  return smpError(ERR_INTERNAL);
}

export function errorBytes(e: SmpError): Bytes {
  const w = new SmpWriter();
  writeError(w, e);
  return w.finish();
}

