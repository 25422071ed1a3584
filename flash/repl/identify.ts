// What is on a port, found without resetting the board: an interpreter REPL (Espruino or
// NodeMCU), the ROM loader / flasher stub, or something else. The REPL probe comes first
// because the ROM ignores text that is not a SLIP frame; the polyglot line
// print("TS".."PROBE") prints TSPROBE in Lua and is a syntax error in JavaScript.
import { RomClient } from "../esp/rom-client.js";
import type { SerialLink } from "../serial/link.js";
import type { Runtime } from "./banner.js";

export type Identity =
  | { kind: "repl"; runtime: Runtime }
  | { kind: "rom"; stub: boolean }
  | { kind: "unknown"; text: string };

/** A REPL that has just booted may take a moment to answer (NodeMCU starts its Lua state first). */
const PROBE_MS = 1000;

async function collect(link: SerialLink, ms: number, until?: RegExp): Promise<string> {
  const deadline = Date.now() + ms;
  let text = "";
  while (Date.now() < deadline) {
    await link.waitData(deadline);
    text += Buffer.from(link.take()).toString("latin1");
    if (until?.test(text)) break;
  }
  return text;
}

export async function identify(link: SerialLink): Promise<Identity> {
  const idle = await collect(link, 100);
  await link.write('\x03\nprint("TS".."PROBE")\n');
  const text = await collect(link, PROBE_MS, /TSPROBE\r?\n|Uncaught|SyntaxError|Got '\.'/);
  if (/(^|\n)(?:> ?)*TSPROBE\r?\n/.test(text)) return { kind: "repl", runtime: "nodemcu" };
  if (/Uncaught|SyntaxError|Got '\.'/.test(text)) return { kind: "repl", runtime: "espruino" };
  const rom = new RomClient(link);
  try {
    const s = await rom.sync();
    if (s) return { kind: "rom", stub: s.stub };
  } finally {
    rom.dispose();
  }
  return { kind: "unknown", text: (idle + text).slice(-400) };
}
