// The commands end to end against emulated boards: in-process binding (DTR/RTS reach the
// reset circuits) and a real pty pair (socat; no modem lines, so the test resets the board).
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ExitCode } from "../errors.js";
import { main as detect } from "../cli/detect.js";
import { main as erase } from "../cli/erase.js";
import { main as flashFirmware } from "../cli/flash-firmware.js";
import { main as monitor } from "../cli/monitor.js";
import { main as provision } from "../cli/provision.js";
import { main as upload } from "../cli/upload.js";
import { buildImage, buildMergedImage } from "../esp/image-builder.js";
import { writeFileSync } from "node:fs";
import { attachBoard } from "../serial/emulator-binding.js";
import { bridgeBoard, openPtyPair } from "../serial/pty.js";
import { Board, ResetReason } from "../emulator/board.js";
import { RUNTIMES } from "../emulator/runtimes.js";
import { firmwareFiles, newBoard, run, tempDir, uniquePort } from "./helpers.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const PROVISION = ["--name", "kitchen", "--relay", "grp://abc@relay.example:5224", "--invitation", "inv-123", "--wifi-ssid", "home", "--wifi-password", "pw"];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

describe("from a new board to a provisioned device", () => {
  for (const [runtime, usb] of [["espruino", false], ["nodemcu", true]] as const) {
    it(`${runtime} over ${usb ? "USB-Serial/JTAG" : "a USB-UART bridge (classic reset circuit)"}`, async () => {
      const dir = tempDir();
      const fw = firmwareFiles(dir);
      const { board, port } = newBoard({ usb });
      expect(board.boots).toEqual(["app:none"]); // blank board: nothing to boot

      let r = await run(detect, ["--port", port, "--json"]);
      expect(r.code).toBe(0);

      r = await run(flashFirmware, [fw[runtime], "--port", port, "--json"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      const flashed = r.json();
      expect(flashed.chip).toBe("ESP32-S3");
      expect((flashed.regions as { verified: boolean }[]).every((x) => x.verified)).toBe(true);
      expect((flashed.banner as { runtime: string }).runtime).toBe(runtime);
      expect(board.boots).toContain("rom"); // our reset sequence reached download mode
      expect(board.boots.at(-1)).toBe(`app:${runtime}`); // and our hard reset booted the app

      // Flashing the same image again writes nothing: every region already verifies.
      r = await run(flashFirmware, [fw[runtime], "--port", port, "--json", "--no-wait"]);
      expect((r.json().regions as { skipped: boolean }[]).every((x) => x.skipped)).toBe(true);

      const app = join(FIXTURES, runtime === "espruino" ? "app.js" : "app.lua");
      r = await run(upload, ["--file", app, "--port", port, "--version", "1.2.3", "--json"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      expect(r.json().ready).toMatch(/^TSENSE READY 1\.2\.3 a_[0-9a-f]{16}\./);
      const appName = r.json().app as string;
      expect(Buffer.from(board.files.get(appName)!).equals(readFileSync(app))).toBe(true);

      r = await run(provision, [...PROVISION, "--port", port, "--json"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      const prov = r.json();
      expect(prov.identity).toMatch(/^[0-9a-f]{64}$/);
      expect(board.files.has("tsense.key")).toBe(true);
      expect(JSON.stringify(prov)).not.toContain(Buffer.from(board.files.get("tsense.key")!).toString()); // no secret came back

      r = await run(provision, [...PROVISION, "--port", port]);
      expect(r.code).toBe(ExitCode.REFUSED);
      expect(r.stderr).toMatch(/already provisioned; pass --force/);
      r = await run(provision, [...PROVISION, "--name", "kitchen2", "--port", port, "--force", "--json"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      expect(r.json().identity).not.toBe(prov.identity);

      r = await run(detect, ["--port", port, "--json"]);
      const seen = (r.json().ports as Record<string, unknown>[])[0];
      expect(seen).toMatchObject({ kind: runtime, provisioned: true, app: appName, appVersion: "1.2.3" });

      // A second upload of a new version switches atomically and removes nothing it still needs.
      const v2 = join(dir, runtime === "espruino" ? "v2.js" : "v2.lua");
      writeFileSync(v2, readFileSync(app, "utf8") + (runtime === "espruino" ? "\nvar v2=1;\n" : "\nlocal v2=1\n"));
      r = await run(upload, ["--file", v2, "--port", port, "--version", "1.2.4", "--json"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      expect(board.files.has(appName)).toBe(true); // previous app kept as the fallback

      r = await run(erase, ["--app", "--port", port]);
      expect(r.code).toBe(ExitCode.ABORTED); // not a TTY and no --yes
      r = await run(erase, ["--app", "--port", port, "--yes"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      expect([...board.files.keys()].some((n) => n.startsWith("a_"))).toBe(false);
      expect(board.files.has("tsense.id")).toBe(true);

      r = await run(erase, ["--all", "--port", port, "--yes"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      expect(board.flash.bytes.every((b) => b === 0xff)).toBe(true);
      expect(board.files.size).toBe(0);
    });
  }

  it("over a real pty pair: flash (board held in download mode), upload, provision, monitor", async () => {
    const dir = tempDir();
    const fw = firmwareFiles(dir);
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const board = new Board({ runtimes: RUNTIMES, startInDownloadMode: true });
    cleanups.push(await bridgeBoard(board, pty.devicePath));

    let r = await run(flashFirmware, [fw.espruino, "--port", pty.hostPath, "--reset", "none", "--no-wait", "--baud", "460800"]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect(r.stderr).toMatch(/cannot reset the board: press its RESET button/);
    board.boot(false, 1); // the user presses RESET

    r = await run(upload, ["--file", join(FIXTURES, "app.js"), "--port", pty.hostPath, "--version", "9.9.9"]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    r = await run(provision, [...PROVISION, "--port", pty.hostPath]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);

    const log = join(dir, "monitor.log");
    const mon = run(monitor, ["--port", pty.hostPath, "--duration", "1", "--log", log]);
    await new Promise((res) => setTimeout(res, 300));
    board.boot(false, ResetReason.BROWNOUT_RST); // a brown-out while monitoring
    r = await mon;
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] rst:0xf \(BROWNOUT_RST\).*<- reset: BROWNOUT_RST: brown-out/m);
    expect(readFileSync(log, "utf8")).toMatch(/TSENSE READY 9\.9\.9/);
  });
});

describe("flash-firmware inputs", () => {
  it("an ESP-IDF flasher_args.json, then a single app image over it, then --erase", async () => {
    const dir = tempDir();
    const app = buildImage({ projectName: "nodemcu", version: "3.0.0", codeSize: 30_000, seed: 4 });
    const merged = buildMergedImage(app);
    mkdirSync(join(dir, "build", "bootloader"), { recursive: true });
    mkdirSync(join(dir, "build", "partition_table"), { recursive: true });
    writeFileSync(join(dir, "build", "bootloader", "bootloader.bin"), buildImage({ app: false, codeSize: 0x4000, seed: 7 }));
    writeFileSync(join(dir, "build", "partition_table", "partition-table.bin"), merged.subarray(0x8000, 0x8c00));
    writeFileSync(join(dir, "build", "nodemcu.bin"), app);
    const args = { flash_files: { "0x0": "bootloader/bootloader.bin", "0x8000": "partition_table/partition-table.bin", "0x10000": "nodemcu.bin" }, extra_esptool_args: { chip: "esp32s3" } };
    writeFileSync(join(dir, "build", "flasher_args.json"), JSON.stringify(args));
    const { board, port } = newBoard({ usb: true });
    let r = await run(flashFirmware, [join(dir, "build", "flasher_args.json"), "--port", port, "--json"]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect((r.json().regions as { offset: number }[]).map((x) => x.offset)).toEqual([0, 0x8000, 0x10000]);
    expect(board.boots.at(-1)).toBe("app:nodemcu");

    board.files.set("keep-me.txt", new Uint8Array([1]));
    const v2 = join(dir, "app-v2.bin");
    writeFileSync(v2, buildImage({ projectName: "nodemcu", version: "3.0.1", codeSize: 30_000, seed: 5 }));
    r = await run(flashFirmware, [v2, "--port", port, "--json"]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect((r.json().regions as { offset: number }[]).map((x) => x.offset)).toEqual([0x10000]);
    expect(board.files.has("keep-me.txt")).toBe(true); // an app-only write leaves the file system alone

    r = await run(flashFirmware, [join(dir, "build", "flasher_args.json"), "--port", port, "--erase", "--json"]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect(board.files.has("keep-me.txt")).toBe(false);
    expect((r.json().regions as { verified: boolean }[]).every((x) => x.verified)).toBe(true);

    writeFileSync(join(dir, "build", "flasher_args.json"), JSON.stringify({ ...args, extra_esptool_args: { chip: "esp32c3" } }));
    r = await run(flashFirmware, [join(dir, "build", "flasher_args.json"), "--port", port]);
    expect(r.code).toBe(ExitCode.WRONG_CHIP);
    expect(r.stderr).toMatch(/idf.py set-target esp32s3/);
  });
});

describe("errors: one line, distinct exit codes, board untouched", () => {
  it("rejects images for another chip, bad files and oversize images before touching the board", async () => {
    const dir = tempDir();
    const { board, port } = newBoard();
    const c3 = join(dir, "c3.bin");
    writeFileSync(c3, buildImage({ chipId: 5 }));
    let r = await run(flashFirmware, [c3, "--port", port]);
    expect(r.code).toBe(ExitCode.WRONG_CHIP);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/built for ESP32-C3, not ESP32-S3/);
    const junk = join(dir, "junk.bin");
    writeFileSync(junk, new Uint8Array(1000).fill(0x42));
    r = await run(flashFirmware, [junk, "--port", port, "--json"]);
    expect(r.code).toBe(ExitCode.BAD_IMAGE);
    expect(r.json().error).toMatchObject({ name: "BAD_IMAGE" });
    r = await run(flashFirmware, [join(dir, "missing.bin"), "--port", port]);
    expect(r.code).toBe(ExitCode.BAD_IMAGE);
    expect(board.boots).toEqual(["app:none"]); // never reset, never entered the bootloader

    const small = newBoard({ flashSize: 2 * 1024 * 1024 });
    const big = join(dir, "big.bin");
    writeFileSync(big, buildMergedImage(buildImage({ projectName: "espruino", codeSize: 2_200_000 })));
    r = await run(flashFirmware, [big, "--port", small.port]);
    expect(r.code).toBe(ExitCode.IMAGE_TOO_LARGE);
    expect(r.stderr).toMatch(/2 MB of flash/);
    expect(small.board.flash.bytes.every((b) => b === 0xff)).toBe(true);
  });

  it("no device, usage errors, REPL commands on a board in the bootloader", async () => {
    let r = await run(flashFirmware, ["/nonexistent.bin", "--port", "emu:blank"]);
    expect(r.code).toBe(ExitCode.BAD_IMAGE);
    r = await run(upload, ["--file", join(FIXTURES, "app.js")]);
    expect(r.code).toBe(ExitCode.NO_DEVICE); // no USB serial ports on this machine
    expect(r.stderr).toMatch(/plug the board in/);
    r = await run(erase, ["--port", "emu:blank"]);
    expect(r.code).toBe(ExitCode.USAGE);
    r = await run(flashFirmware, ["a", "b"]);
    expect(r.code).toBe(ExitCode.USAGE);
    const { port } = newBoard({ startInDownloadMode: true });
    r = await run(upload, ["--file", join(FIXTURES, "app.js"), "--port", port]);
    expect(r.code).toBe(ExitCode.REFUSED);
    expect(r.stderr).toMatch(/ROM bootloader/);
    const path = uniquePort("none");
    attachBoard(path, { board: new Board({ runtimes: RUNTIMES }) });
    r = await run(provision, [...PROVISION, "--port", path]);
    expect(r.code).toBe(ExitCode.NO_DEVICE);
  });

  it("detect reads a board in the ROM bootloader without resetting it", async () => {
    const { board, port } = newBoard({ startInDownloadMode: true, flashSize: 16 * 1024 * 1024 });
    const r = await run(detect, ["--port", port, "--json"]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect((r.json().ports as unknown[])[0]).toMatchObject({ kind: "rom", chip: "ESP32-S3", chipId: 9, mac: "34:85:18:12:34:56", flashSize: 16 * 1024 * 1024, secureDownload: false });
    expect(board.boots).toEqual(["rom"]); // no reset happened
  });

  it("--dry-run prints the exact wire transcript and touches no port", async () => {
    const r = await run(upload, ["--file", join(FIXTURES, "app.js"), "--runtime", "espruino", "--dry-run", "--version", "1.0.0"]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^> \\x10var U=/);
    expect(lines.some((l) => /^> \\x10U\.w\(0,"/.test(l))).toBe(true);
    expect(lines.some((l) => /^< @T ACK \d+$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^< TSENSE READY 1\.0\.0 a_/);
  });
});
