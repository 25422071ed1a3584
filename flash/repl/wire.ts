// Line exchange with an interpreter REPL. The host sends one statement per line; the device
// helper answers with tagged lines "@T <TAG> <rest>", which cannot be confused with the
// REPL's echo of the command (the command text never contains "@T "). Errors the
// interpreter prints while we wait ("Uncaught …" from Espruino, "stdin:1: …" from Lua) fail
// the request at once instead of waiting for the timeout.
import { ExitCode, ToolError } from "../errors.js";
import { LinkClosedError, type SerialLink, TimeoutError } from "../serial/link.js";

export const TAG = "@T ";
const DEVICE_ERROR = /^(Uncaught .*|stdin:\d+: .*|Lua error.*|.*attempt to (call|index) .*)$/;

export interface Reply { tag: string; rest: string }

export class ReplWire {
  /** Every line sent ("> ") and received ("< "), for --dry-run and for error reports. */
  readonly transcript: string[] = [];
  private pending = "";

  constructor(readonly link: SerialLink, private readonly echoPrefix: string) {}

  async send(line: string): Promise<void> {
    this.transcript.push(`> ${visible(this.echoPrefix + line)}`);
    try {
      await this.link.write(`${this.echoPrefix}${line}\n`);
    } catch (e) {
      throw interrupted(e);
    }
  }

  /** Read lines until one carries one of `tags`. */
  async expect(tags: string[], timeoutMs: number): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let nl: number;
      while ((nl = this.pending.indexOf("\n")) >= 0) {
        const line = this.pending.slice(0, nl).replace(/\r$/, "").replace(/^(?:>+ ?)+/, "");
        this.pending = this.pending.slice(nl + 1);
        if (line.length > 0) this.transcript.push(`< ${visible(line)}`);
        if (line.startsWith(TAG)) {
          const body = line.slice(TAG.length);
          const sp = body.indexOf(" ");
          const tag = sp < 0 ? body : body.slice(0, sp);
          if (tags.includes(tag)) return { tag, rest: sp < 0 ? "" : body.slice(sp + 1) };
        } else if (DEVICE_ERROR.test(line)) {
          throw new ToolError(ExitCode.FAILED, `the device reported an error: ${line.slice(0, 160)}; is the right interpreter running? try tsense detect`);
        }
      }
      if (Date.now() >= deadline) throw new TimeoutError(`no ${tags.join("/")} reply from the device within ${timeoutMs} ms`);
      if (this.link.closed) throw interrupted(new LinkClosedError(this.link.closeReason));
      await this.link.waitData(deadline);
      this.pending += Buffer.from(this.link.take()).toString("latin1");
    }
  }

  async ask(line: string, tags: string[], timeoutMs: number): Promise<Reply> {
    await this.send(line);
    return this.expect(tags, timeoutMs);
  }

  /** Wait for a plain (untagged) line matching `re`. */
  async waitLine(re: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let nl: number;
      while ((nl = this.pending.indexOf("\n")) >= 0) {
        const line = this.pending.slice(0, nl).replace(/\r$/, "").replace(/^(?:>+ ?)+/, "");
        this.pending = this.pending.slice(nl + 1);
        if (line.length > 0) this.transcript.push(`< ${visible(line)}`);
        const m = re.exec(line);
        if (m) return m;
      }
      if (Date.now() >= deadline) throw new TimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`);
      if (this.link.closed) throw interrupted(new LinkClosedError(this.link.closeReason));
      await this.link.waitData(deadline);
      this.pending += Buffer.from(this.link.take()).toString("latin1");
    }
  }

  /** Forget unread output (after an interrupt). */
  drop(): void {
    this.pending = "";
    this.link.discard();
  }
}

/** Transcript form: printable ASCII as is, anything else as \xNN (so \x10 shows). */
export function visible(text: string): string {
  return text.replace(/[^\x20-\x7e]|\\/g, (c) => (c === "\\" ? "\\\\" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}

export function interrupted(e: unknown): ToolError {
  if (e instanceof ToolError) return e;
  return new ToolError(ExitCode.INTERRUPTED, `the connection dropped (${e instanceof Error ? e.message : e}); reconnect the board and run the same command again: it resumes where it stopped`);
}
