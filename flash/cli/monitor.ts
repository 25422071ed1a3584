// tsense monitor: a board's serial output with timestamps, reset reasons decoded and panics
// flagged; optionally reset first and log to a file.
import { appendFileSync, writeFileSync } from "node:fs";
import { ExitCode, ToolError } from "../errors.js";
import { hardReset } from "../esp/reset.js";
import { isPanicLine, parseBootLine } from "../repl/banner.js";
import { SerialLink } from "../serial/link.js";
import { choosePort, makeOutput, parse, parseBaud, runCommand } from "./common.js";

const HELP = `usage: tsense monitor [options]
  --reset              reset the board first (DTR/RTS; press RESET on ports that cannot)
  --log FILE           also write the timestamped lines to FILE
  --duration S         stop after S seconds (default: until Ctrl-C or the port goes away)
  -p, --port PATH, --baud N (default 115200), --json (one JSON object per line), -h/--help`;

export interface MonitorLine {
  t: string;
  line: string;
  boot?: { reason: number; name: string; meaning: string; downloadMode: boolean };
  panic?: boolean;
}

export function classify(line: string, now: Date): MonitorLine {
  const m: MonitorLine = { t: now.toISOString(), line };
  const boot = parseBootLine(line);
  if (boot) m.boot = { reason: boot.reason, name: boot.reasonName, meaning: boot.meaning, downloadMode: boot.downloadMode };
  if (isPanicLine(line)) m.panic = true;
  return m;
}

export function formatLine(m: MonitorLine): string {
  let s = `[${m.t.slice(11, 23)}] ${m.line}`;
  if (m.boot) s += `   <- reset: ${m.boot.name}: ${m.boot.meaning}${m.boot.downloadMode ? " (download mode)" : ""}`;
  if (m.panic) s += "   !! PANIC";
  return s;
}

export async function main(argv: string[]): Promise<number> {
  return runCommand("monitor", argv, async (json) => {
    const { values: o } = parse(argv, { reset: { type: "boolean" }, log: { type: "string" }, duration: { type: "string" }, baud: { type: "string" } });
    if (o.help) { console.log(HELP); return ExitCode.OK; }
    const duration = o.duration === undefined ? Infinity : Number(o.duration);
    if (!(duration > 0)) throw new ToolError(ExitCode.USAGE, "--duration must be a positive number of seconds");
    const out = makeOutput(json, o.quiet ?? false);
    const port = await choosePort(o.port);
    const link = await SerialLink.open(port.path, parseBaud(o.baud, 115200));
    if (o.log) writeFileSync(o.log, "");
    let panics = 0;
    let partial = "";
    const emit = (line: string) => {
      const m = classify(line, new Date());
      if (m.panic) panics++;
      const text = formatLine(m);
      process.stdout.write(json ? `${JSON.stringify(m)}\n` : `${text}\n`);
      if (o.log) appendFileSync(o.log, `${text}\n`);
    };
    const off = link.onData((b) => {
      partial += Buffer.from(b).toString("latin1");
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        emit(partial.slice(0, nl).replace(/\r$/, ""));
        partial = partial.slice(nl + 1);
      }
    });
    out.info(`monitoring ${port.path} (Ctrl-C to stop)`);
    if (o.reset && !(await hardReset(link))) out.info("this port cannot reset the board: press its RESET button");
    let cleanup = () => {};
    await new Promise<void>((resolve) => {
      const t = Number.isFinite(duration) ? setTimeout(resolve, duration * 1000) : null;
      const onSig = () => resolve();
      process.once("SIGINT", onSig);
      const poll = setInterval(() => { if (link.closed) resolve(); }, 100);
      cleanup = () => { if (t) clearTimeout(t); clearInterval(poll); process.off("SIGINT", onSig); };
    });
    cleanup();
    off();
    if (partial) emit(partial);
    const lost = link.closed && link.closeReason !== "";
    await link.close();
    if (lost) throw new ToolError(ExitCode.INTERRUPTED, `${port.path} went away (${link.closeReason}); reconnect and run monitor again`);
    if (panics > 0) out.info(`${panics} panic line(s) seen`);
    return ExitCode.OK;
  });
}
