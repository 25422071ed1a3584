// tsense erase --app | --all: remove the app (through the interpreter REPL: app files and
// boot pointer; configuration and identity stay) or the whole flash (through the ROM loader:
// interpreter, files, keys, everything). Asks first unless --yes.
import { createHash } from "node:crypto";
import { ExitCode, ToolError } from "../errors.js";
import { EspSession } from "../esp/session.js";
import { dialectFor } from "../upload/dialects.js";
import { finish, prepare } from "../upload/transfer.js";
import { choosePort, confirm, makeOutput, parse, parseBaud, printJson, runCommand } from "./common.js";
import { openRepl } from "./upload.js";

const HELP = `usage: tsense erase --app | --all [--yes] [options]
  --app                remove the uploaded app (keeps the interpreter, configuration and keys)
  --all                erase the whole flash (interpreter, files, keys); flash-firmware afterwards
  -y, --yes            do not ask for confirmation
  --reset KIND         classic | usb-jtag | none (for --all)
  -p, --port PATH, --baud N, --json, -q/--quiet, -h/--help`;

/** Bootloader, partition table and app start must read back as erased. */
const ERASED_CHECK_SIZE = 0x20000;

export async function main(argv: string[]): Promise<number> {
  return runCommand("erase", argv, async (json) => {
    const { values: o } = parse(argv, { app: { type: "boolean" }, all: { type: "boolean" }, yes: { type: "boolean", short: "y" }, reset: { type: "string" }, baud: { type: "string" }, "reset-delay-scale": { type: "string" } });
    if (o.help) { console.log(HELP); return ExitCode.OK; }
    if (o.app === o.all) throw new ToolError(ExitCode.USAGE, "choose exactly one of --app or --all");
    const out = makeOutput(json, o.quiet ?? false);
    if (o.app) {
      const { link, runtime, path } = await openRepl(o.port, parseBaud(o.baud, 115200));
      try {
        await confirm(`erase the app on ${path} (${runtime})?`, o.yes ?? false);
        const wire = await prepare(link, dialectFor(runtime));
        await wire.ask("U.e()", ["ERASED"], 10_000);
        await finish(wire, dialectFor(runtime));
        if (json) printJson({ ok: true, port: path, erased: "app" });
        else if (!o.quiet) console.log(`erased the app on ${path}; the interpreter, configuration and keys remain`);
        return ExitCode.OK;
      } finally {
        await link.close();
      }
    }
    const port = await choosePort(o.port, o.reset);
    await confirm(`erase ALL flash on ${port.path} (interpreter, files and keys)?`, o.yes ?? false);
    const session = await EspSession.connect({
      path: port.path, baud: parseBaud(o.baud, 921600), reset: o.reset === "none" ? "none" : port.reset,
      usbVendorId: port.candidate?.vendorId, usbProductId: port.candidate?.productId,
      resetDelayScale: o["reset-delay-scale"] ? Number(o["reset-delay-scale"]) : 1,
    });
    try {
      out.info(`${session.info.chip} ${session.info.mac}: erasing ${session.info.flashSize / 1048576} MB…`);
      await session.eraseAll();
      const md5 = await session.md5(0, ERASED_CHECK_SIZE);
      if (md5 !== createHash("md5").update(new Uint8Array(ERASED_CHECK_SIZE).fill(0xff)).digest("hex")) {
        throw new ToolError(ExitCode.VERIFY_FAILED, "flash does not read back erased; run erase --all again");
      }
      await session.resetToApp();
    } finally {
      await session.close();
    }
    if (json) printJson({ ok: true, port: port.path, erased: "all" });
    else if (!o.quiet) console.log(`erased all flash on ${port.path}; run tsense flash-firmware next`);
    return ExitCode.OK;
  });
}
