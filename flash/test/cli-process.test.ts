// The commands as a user runs them: separate `node tsense.mjs …` processes (the router, tsx
// loading, exit codes), on an emulated board whose state persists between the processes.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { espruinoFirmware } from "../emulator/firmware-images.js";
import { ExitCode } from "../errors.js";
import { tempDir } from "./helpers.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe("tsense commands as processes", () => {
  it("flash-firmware, upload, provision, detect, erase on emu:blank with TSENSE_EMU_STATE", () => {
    const dir = tempDir();
    const fw = join(dir, "espruino.bin");
    writeFileSync(fw, espruinoFirmware(30_000));
    const env = { ...process.env, TSENSE_EMU_STATE: join(dir, "state") };
    const tsense = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, "tsense.mjs"), ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
    let r = tsense("flash-firmware", fw, "--port", "emu:blank");
    expect(r.status, r.stderr).toBe(ExitCode.OK);
    expect(r.stderr).toMatch(/booted: espruino 2v24/);
    r = tsense("upload", "--file", join(ROOT, "flash/test/fixtures/app.js"), "--port", "emu:blank", "--version", "0.1.0");
    expect(r.status, r.stderr).toBe(ExitCode.OK);
    r = tsense("provision", "--port", "emu:blank", "--name", "porch", "--relay", "grp://k@relay.example:5224", "--invitation", "inv", "--json");
    expect(r.status, r.stderr).toBe(ExitCode.OK);
    expect(JSON.parse(r.stdout).identity).toMatch(/^[0-9a-f]{64}$/);
    r = tsense("detect", "--port", "emu:blank", "--json");
    expect(JSON.parse(r.stdout).ports[0]).toMatchObject({ kind: "espruino", provisioned: true, appVersion: "0.1.0" });
    r = tsense("erase", "--all", "--port", "emu:blank");
    expect(r.status).toBe(ExitCode.ABORTED);
    expect(r.stderr.trim()).toMatch(/^tsense erase: .*re-run with --yes$/);
  });
});
