// tsense flash-firmware <image | merged bin | flasher_args.json>: write interpreter firmware
// through the ROM bootloader. Checks the input before touching the board, skips regions that
// already match, writes compressed blocks through the flasher stub, verifies every region by
// MD5, resets with our own sequence, and waits for the interpreter's banner.
import { createHash } from "node:crypto";
import { ExitCode, ToolError } from "../errors.js";
import { checkFits, loadFlashPlan } from "../esp/flash-input.js";
import { EspSession } from "../esp/session.js";
import { ROM_BAUD } from "../esp/rom-protocol.js";
import { hardReset } from "../esp/reset.js";
import { afterBanner, findBanner, parseBootLine } from "../repl/banner.js";
import { SerialLink, TimeoutError } from "../serial/link.js";
import { choosePort, makeOutput, parse, parseBaud, printJson, runCommand } from "./common.js";

const HELP = `usage: tsense flash-firmware <image.bin | merged.bin | flasher_args.json> [options]
  -p, --port PATH      serial port (default: the only USB serial port)
  --baud N             baud rate for writing (default 921600; the ROM starts at 115200)
  --erase              erase the whole flash first (wipes the interpreter's files too)
  --reset KIND         classic | usb-jtag | none (default: from the USB ids)
  --no-stub            talk to the ROM only (slower; for boards where the stub fails)
  --no-compress        send raw blocks
  --force              rewrite regions even when their MD5 already matches
  --no-wait            do not wait for the interpreter banner after the reset
  -v, --verbose        show esptool-js's own messages
  --json, -q/--quiet, -h/--help`;

export const BANNER_TIMEOUT_MS = 10_000;

export async function main(argv: string[]): Promise<number> {
  return runCommand("flash-firmware", argv, async (json) => {
    const { values: o, positionals } = parse(argv, {
      baud: { type: "string" }, erase: { type: "boolean" }, reset: { type: "string" }, "no-stub": { type: "boolean" },
      "no-compress": { type: "boolean" }, force: { type: "boolean" }, "no-wait": { type: "boolean" },
      "reset-delay-scale": { type: "string" }, verbose: { type: "boolean", short: "v" },
    }, true);
    if (o.help) { console.log(HELP); return ExitCode.OK; }
    if (positionals.length !== 1) throw new ToolError(ExitCode.USAGE, "give exactly one image, merged bin or flasher_args.json; see --help");
    if (o.reset && !["classic", "usb-jtag", "none"].includes(o.reset)) throw new ToolError(ExitCode.USAGE, "--reset must be classic, usb-jtag or none");
    const out = makeOutput(json, o.quiet ?? false);
    const baud = parseBaud(o.baud, 921600);

    const plan = loadFlashPlan(positionals[0]); // every board-independent check happens here
    out.info(`${positionals[0]}: ${plan.kind}, ${plan.regions.map((r) => `${r.name}@0x${r.offset.toString(16)} (${r.data.length} B)`).join(", ")}`);
    if (plan.app) out.info(`app: ${plan.app.projectName} ${plan.app.version} (IDF ${plan.app.idfVersion})`);

    const port = await choosePort(o.port, o.reset);
    const session = await EspSession.connect({
      path: port.path, baud, reset: o.reset === "none" ? "none" : port.reset, noStub: o["no-stub"],
      usbVendorId: port.candidate?.vendorId, usbProductId: port.candidate?.productId,
      resetDelayScale: o["reset-delay-scale"] ? Number(o["reset-delay-scale"]) : 1,
      log: o.verbose ? (line) => out.info(`  esptool-js: ${line.trim()}`) : undefined,
    });
    const result: Record<string, unknown> = { port: port.path, chip: session.info.chip, mac: session.info.mac, flashSize: session.info.flashSize, regions: [] as unknown[] };
    let written = 0;
    try {
      out.info(`${session.info.chip}, MAC ${session.info.mac}, ${session.info.flashSize / 1048576} MB flash, ${session.info.stub ? "stub" : "ROM"} at ${baud} baud`);
      checkFits(plan, session.info.flashSize);
      if (o.erase) {
        out.info("erasing the whole flash…");
        await session.eraseAll();
      }
      for (const r of plan.regions) {
        const md5 = createHash("md5").update(r.data).digest("hex");
        if (!o.force && !o.erase && (await session.md5(r.offset, r.data.length)) === md5) {
          out.info(`${r.name}@0x${r.offset.toString(16)}: already written (MD5 ${md5}), skipped`);
          (result.regions as unknown[]).push({ name: r.name, offset: r.offset, size: r.data.length, md5, skipped: true });
          continue;
        }
        const { wireBytes } = await session.writeRegion(r.offset, r.data, { compress: !o["no-compress"], progress: out.progress(`${r.name}@0x${r.offset.toString(16)}`) });
        written++;
        out.info(`${r.name}@0x${r.offset.toString(16)}: verified (MD5 ${md5}, ${wireBytes} bytes on the wire)`);
        (result.regions as unknown[]).push({ name: r.name, offset: r.offset, size: r.data.length, md5, wireBytes, verified: true });
      }
    } catch (e) {
      const lost = !session.adapter.link || session.adapter.link.closed;
      await session.close();
      if (e instanceof ToolError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new ToolError(lost ? ExitCode.INTERRUPTED : ExitCode.FAILED,
        `writing stopped (${msg}); the board may be half-written and will not boot: ${lost ? "reconnect it and " : ""}run the same command again (verified regions are skipped)`);
    }
    await session.close();

    // Reset into the app with our own sequence, at the ROM rate, and watch it boot.
    const link = await SerialLink.open(port.path, ROM_BAUD);
    try {
      const resetOk = await hardReset(link, o["reset-delay-scale"] ? Number(o["reset-delay-scale"]) : 1);
      if (!resetOk) out.info("this port cannot reset the board: press its RESET button now");
      if (!o["no-wait"]) {
        let text = "";
        try {
          text = await link.readUntil((t) => afterBanner(t), BANNER_TIMEOUT_MS, "the interpreter banner");
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
          text = Buffer.from(link.take()).toString("latin1");
          const boot = text.split(/\r?\n/).map(parseBootLine).find((b) => b);
          if (plan.app && /espruino|nodemcu/.test(plan.app.projectName)) {
            throw new ToolError(ExitCode.FAILED, `firmware written and verified, but no ${plan.app.projectName} banner within ${BANNER_TIMEOUT_MS / 1000} s` +
              (boot ? ` (last reset: ${boot.reasonName})` : "") + "; run tsense monitor to see what the board prints");
          }
        }
        const banner = findBanner(text);
        const boot = text.split(/\r?\n/).map(parseBootLine).find((b) => b);
        result.banner = banner;
        result.boot = boot;
        if (banner) out.info(`booted: ${banner.runtime} ${banner.version}`);
      }
    } finally {
      await link.close();
    }
    if (json) printJson({ ok: true, ...result });
    else if (o.quiet !== true) console.log(`flashed ${port.path}: ${written} region(s) written, all verified`);
    return ExitCode.OK;
  });
}
