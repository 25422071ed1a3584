// Host side of the REPL upload protocol (see dialects.ts for the device side): resumable,
// chunked, CRC-32 per chunk, every chunk acknowledged, whole-file SHA-256 at the end, then
// an atomic switch of the boot pointer and a reboot that must print READY with the version.
import { createHash } from "node:crypto";
import { ExitCode, ToolError } from "../errors.js";
import { ReplWire } from "../repl/wire.js";
import type { SerialLink } from "../serial/link.js";
import { TimeoutError } from "../serial/link.js";
import { crc32 } from "./crc32.js";
import { type Dialect, READY_LINE } from "./dialects.js";

const CTRL_C = "\x03";
const REPLY_TIMEOUT_MS = 5000;
const CHUNK_ATTEMPTS = 3;
/** Chunks in flight: the REPL executes a line in far less time than the next one takes on the wire. */
export const DEFAULT_WINDOW = 2;
export const READY_TIMEOUT_MS = 15_000;

export interface TransferStats {
  file: string;
  size: number;
  resumedAt: number;
  chunksSent: number;
  retries: number;
  sha256: string;
}

export type ProgressFn = (done: number, total: number) => void;

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/** Interrupt whatever runs, then install the helper. */
export async function prepare(link: SerialLink, dialect: Dialect): Promise<ReplWire> {
  const wire = new ReplWire(link, dialect.linePrefix);
  await link.write(`${CTRL_C}\n`);
  await new Promise((r) => setTimeout(r, 50));
  wire.drop();
  if (dialect.echoOff) await wire.send(dialect.echoOff(link.baudRate));
  for (const line of dialect.helper) await wire.send(line);
  // A round trip proves the helper is defined (and that the interpreter is the one we think).
  await wire.ask("print('@T HELLO')", ["HELLO"], REPLY_TIMEOUT_MS);
  return wire;
}

/** Console back to normal after a session that does not end in a reboot. */
export async function finish(wire: ReplWire, dialect: Dialect): Promise<void> {
  if (dialect.echoOn) await wire.send(dialect.echoOn(wire.link.baudRate));
}

/** Send one file; resumes from the first chunk whose CRC on the device differs. */
export async function sendFile(wire: ReplWire, dialect: Dialect, name: string, data: Uint8Array, progress?: ProgressFn, window = DEFAULT_WINDOW): Promise<TransferStats> {
  const k = dialect.chunkSize;
  const open = await wire.ask(`U.b(${JSON.stringify(name)},${data.length})`, ["OPEN"], REPLY_TIMEOUT_MS);
  let start = 0;
  if (Number(open.rest) > 0) {
    const have = (await wire.ask(`U.q(${k})`, ["CRCS"], REPLY_TIMEOUT_MS * 4)).rest;
    for (let off = 0; off < data.length; off += k) {
      const i = off / k;
      if (have.slice(i * 8, i * 8 + 8) !== hex8(crc32(data.subarray(off, off + k)))) break;
      start = Math.min(data.length, off + k);
    }
  }
  const stats: TransferStats = { file: name, size: data.length, resumedAt: start, chunksSent: 0, retries: 0, sha256: "" };
  // Up to `window` chunks in flight. Each chunk names its offset, so chunks are idempotent and
  // order-independent; the REPL answers in order. Chunk 0 goes alone: on Espruino it creates the file.
  const offsets: number[] = [];
  for (let off = start; off < data.length; off += k) offsets.push(off);
  const lineFor = (off: number) => {
    const chunk = data.subarray(off, off + k);
    return `U.w(${off},"${Buffer.from(chunk).toString("base64")}","${hex8(crc32(chunk))}")`;
  };
  const attempts = new Map<number, number>();
  const inFlight: number[] = [];
  const again: number[] = [];
  let next = 0;
  let done = 0;
  const send = async (off: number) => {
    const n = (attempts.get(off) ?? 0) + 1;
    if (n > CHUNK_ATTEMPTS) {
      throw new ToolError(ExitCode.VERIFY_FAILED, `chunk at byte ${off} of ${name} failed ${CHUNK_ATTEMPTS} times; check the cable or use a lower baud rate, then run the same command again to resume`);
    }
    if (n > 1) stats.retries++;
    attempts.set(off, n);
    stats.chunksSent++;
    inFlight.push(off);
    await wire.send(lineFor(off));
  };
  while (done < offsets.length) {
    const limit = offsets[0] === 0 && done === 0 ? 1 : Math.max(1, window);
    while (inFlight.length < limit && (again.length > 0 || next < offsets.length)) await send(again.length > 0 ? again.shift()! : offsets[next++]);
    let reply;
    try {
      reply = await wire.expect(["ACK", "NAK"], REPLY_TIMEOUT_MS);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      again.unshift(...inFlight.splice(0)); // lost lines or lost answers: resend them all (harmless)
      continue;
    }
    const off = inFlight.shift();
    if (off === undefined) continue; // a late answer to a chunk already resent
    const end = Math.min(data.length, off + k);
    if (reply.tag === "ACK" && Number(reply.rest) === end) {
      done++;
      progress?.(Math.min(data.length, start + done * k), data.length);
    } else if (reply.tag === "NAK" && reply.rest.startsWith(`${off} `)) {
      again.push(off);
    } else {
      // Out of step (an answer was lost while others were in flight): resend everything pending.
      again.unshift(off, ...inFlight.splice(0));
      wire.drop();
    }
  }
  const want = createHash("sha256").update(data).digest("hex");
  const got = (await wire.ask("U.h()", ["SHA"], REPLY_TIMEOUT_MS * 4)).rest.trim().toLowerCase();
  if (got !== want) {
    throw new ToolError(ExitCode.VERIFY_FAILED, `${name} on the device has SHA-256 ${got.slice(0, 16)}…, expected ${want.slice(0, 16)}…; run the same command again (it rewrites the differing chunks)`);
  }
  stats.sha256 = want;
  return stats;
}

export interface UploadResult {
  app: string;
  version: string;
  transfers: TransferStats[];
  ready: string;
}

/** Upload the app under its content-addressed name, switch to it, reboot, wait for READY. */
export async function uploadApp(link: SerialLink, dialect: Dialect, app: Uint8Array, version: string, progress?: ProgressFn, wireOut?: (w: ReplWire) => void, window = DEFAULT_WINDOW): Promise<UploadResult> {
  if (!/^[A-Za-z0-9._+-]{1,32}$/.test(version)) throw new ToolError(ExitCode.USAGE, `version "${version}" must be 1-32 characters of A-Z a-z 0-9 . _ + -`);
  const wire = await prepare(link, dialect);
  wireOut?.(wire);
  const transfers: TransferStats[] = [];
  transfers.push(await sendFile(wire, dialect, dialect.loaderFile, new TextEncoder().encode(dialect.loader)));
  const name = dialect.appName(createHash("sha256").update(app).digest("hex"));
  transfers.push(await sendFile(wire, dialect, name, app, progress, window));
  await wire.ask(`U.s(${JSON.stringify(version)})`, ["SWITCHED"], REPLY_TIMEOUT_MS);
  await wire.send(dialect.reboot);
  const m = await wire.waitLine(READY_LINE, READY_TIMEOUT_MS, "the READY banner after reboot");
  if (m[1] !== "READY") {
    throw new ToolError(ExitCode.FAILED, `the app was uploaded and verified but did not start: ${m[0].slice(0, 200)}; fix the app and upload again`);
  }
  if (m[2] !== version || m[3] !== name) {
    throw new ToolError(ExitCode.VERIFY_FAILED, `the board booted ${m[3]} ${m[2]} instead of ${name} ${version}; run the upload again`);
  }
  return { app: name, version, transfers, ready: m[0] };
}
