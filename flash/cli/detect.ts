// tsense detect: list serial ports and say what is on each, without resetting anything:
// ROM bootloader (chip, MAC, flash size, secure download mode), Espruino or NodeMCU (version,
// app, provisioned or not), or unknown.
import { ExitCode, ToolError } from "../errors.js";
import { RomClient } from "../esp/rom-client.js";
import { identify } from "../repl/identify.js";
import { CHIP_ID_ESP32S3 } from "../esp/rom-protocol.js";
import { EMU_PREFIX } from "../serial/emulator-binding.js";
import { SerialLink } from "../serial/link.js";
import { listPorts, type PortCandidate } from "../serial/ports.js";
import { dialectFor } from "../upload/dialects.js";
import { finish, prepare } from "../upload/transfer.js";
import { choosePort, makeOutput, parse, parseBaud, printJson, runCommand } from "./common.js";
import { deviceInfo } from "./provision.js";

const HELP = `usage: tsense detect [options]
  -p, --port PATH      look at this port only (also emu:… emulated boards)
  --baud N             console baud rate (default 115200)
  --json, -q/--quiet, -h/--help
Nothing is reset: a board running an app keeps running.`;

export interface Detection {
  path: string;
  usb?: { vendorId?: number; productId?: number; adapter?: string; serialNumber?: string; byId?: string };
  kind: "rom" | "stub" | "espruino" | "nodemcu" | "unknown" | "busy";
  chip?: string;
  chipId?: number;
  mac?: string;
  flashSize?: number;
  secureDownload?: boolean;
  runtimeVersion?: string;
  app?: string | null;
  appVersion?: string | null;
  provisioned?: boolean;
  note?: string;
}

export async function detectPort(c: PortCandidate, baud: number): Promise<Detection> {
  const d: Detection = { path: c.path, kind: "unknown" };
  if (c.vendorId !== undefined) d.usb = { vendorId: c.vendorId, productId: c.productId, adapter: c.adapter, serialNumber: c.serialNumber, byId: c.byId };
  let link: SerialLink;
  try {
    link = await SerialLink.open(c.path, baud);
  } catch (e) {
    return { ...d, kind: "busy", note: `cannot open (${e instanceof Error ? e.message : e}); close other programs using it` };
  }
  try {
    const id = await identify(link);
    if (id.kind === "rom") {
      d.kind = id.stub ? "stub" : "rom";
      const rom = new RomClient(link);
      try {
        const sec = await rom.securityInfo();
        d.chipId = sec.chipId;
        d.chip = sec.chipId === CHIP_ID_ESP32S3 ? "ESP32-S3" : `chip id ${sec.chipId}`;
        d.secureDownload = sec.secureDownload;
        if (!sec.secureDownload) {
          d.mac = await rom.mac();
          d.flashSize = await rom.flashSize();
        }
      } finally {
        rom.dispose();
      }
    } else if (id.kind === "repl") {
      d.kind = id.runtime;
      d.chip = "ESP32-S3";
      const wire = await prepare(link, dialectFor(id.runtime));
      const info = await deviceInfo(wire);
      await finish(wire, dialectFor(id.runtime));
      d.runtimeVersion = info.version;
      d.app = info.app;
      d.appVersion = info.appVersion;
      d.provisioned = info.provisioned;
    } else if (id.text.trim()) {
      d.note = `unrecognised output: ${JSON.stringify(id.text.trim().slice(-80))}`;
    } else {
      d.note = "no answer: a blank or sleeping board, or a different baud rate (--baud)";
    }
  } catch (e) {
    d.note = e instanceof Error ? e.message : String(e);
  } finally {
    await link.close();
  }
  return d;
}

function describe(d: Detection): string {
  const usb = d.usb?.adapter ? ` [${d.usb.adapter}]` : d.usb?.vendorId !== undefined ? ` [${d.usb.vendorId.toString(16)}:${d.usb.productId?.toString(16)}]` : "";
  switch (d.kind) {
    case "rom":
    case "stub":
      return `${d.path}${usb}: ${d.chip} in the ${d.kind === "rom" ? "ROM bootloader" : "flasher stub"}` +
        (d.secureDownload ? " (secure download mode)" : `, MAC ${d.mac}, ${(d.flashSize ?? 0) / 1048576} MB flash`);
    case "espruino":
    case "nodemcu":
      return `${d.path}${usb}: ${d.kind} ${d.runtimeVersion}, app ${d.app ? `${d.app} ${d.appVersion}` : "none"}, ${d.provisioned ? "provisioned" : "not provisioned"}`;
    default:
      return `${d.path}${usb}: ${d.kind}${d.note ? ` (${d.note})` : ""}`;
  }
}

export async function main(argv: string[]): Promise<number> {
  return runCommand("detect", argv, async (json) => {
    const { values: o } = parse(argv, { baud: { type: "string" } });
    if (o.help) { console.log(HELP); return ExitCode.OK; }
    const out = makeOutput(json, o.quiet ?? false);
    const baud = parseBaud(o.baud, 115200);
    let candidates: PortCandidate[];
    if (o.port) {
      const chosen = await choosePort(o.port);
      candidates = [chosen.candidate ?? { path: chosen.path, source: chosen.path.startsWith(EMU_PREFIX) ? "emulator" : "sysfs" }];
    } else {
      candidates = (await listPorts({ includeEmulated: false }));
    }
    if (candidates.length === 0) throw new ToolError(ExitCode.NO_DEVICE, "no USB serial port found: plug the board in with a data-capable cable (or pass --port)");
    out.info(`looking at ${candidates.length} port(s)…`);
    const found: Detection[] = [];
    for (const c of candidates) found.push(await detectPort(c, baud));
    if (json) printJson({ ok: true, ports: found });
    else for (const d of found) console.log(describe(d));
    return ExitCode.OK;
  });
}
