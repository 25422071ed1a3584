// The real tsense firmware through the flashing tools, end to end on emulated boards: `tsense
// upload --board … --runtime …` builds it and uploads it through the REPL emulators (which run
// it in the firmware's virtual NodeMCU / virtual Espruino), the loader boots it and it says it
// waits for its configuration; `tsense provision` writes tsense.cfg for a relay and station on
// loopback, the device makes its own identity, and after a reset it joins the station and
// delivers readings; an update of the running, provisioned app goes through as well.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { buildFirmware } from "../../firmware/node/build";
import { MemoryAgentStore } from "../../firmware/agent/node/stores";
import { startRelay, type RunningRelay } from "../../relay-conformance/relay-cli";
import { Station } from "../../simulator/station/station";
import type { StationRecord } from "../../simulator/station/records";
import { main as provision } from "../cli/provision.js";
import { main as upload } from "../cli/upload.js";
import { ResetReason } from "../emulator/board.js";
import { ExitCode } from "../errors.js";
import { newBoard, run } from "./helpers.js";

const BOARD = "seeed-xiao-esp32s3-sense";

/** `tsense upload --board BOARD --runtime R …`; over the board's budget, the same build without the check, with --file. */
async function uploadRealApp(runtime: "nodemcu" | "espruino", args: string[]): ReturnType<typeof run> {
  const r = await run(upload, ["--board", BOARD, "--runtime", runtime, ...args]);
  if (r.code !== ExitCode.IMAGE_TOO_LARGE) return r;
  process.stderr.write(`real-app test: ${r.stderr.trim()}; uploading the unbudgeted build with --file\n`);
  const m = await buildFirmware(BOARD, runtime === "nodemcu" ? "lua" : "espruino", mkdtempSync(join(tmpdir(), "tsense-flash-build-")), false);
  return run(upload, ["--file", m.artifact, "--runtime", runtime, ...args]);
}

describe("the real tsense app on emulated boards", () => {
  let relay: RunningRelay;
  let station: Station;
  const records: StationRecord[] = [];
  beforeAll(async () => {
    relay = await startRelay(["--port", "0", "--grp-port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-flash-relay-")), "--provider", "native"], () => {});
    station = await Station.start({ relay: relay.address, provider: getProvider("native"), store: new MemoryAgentStore(), pumpMs: 200 });
    station.onRecord((r) => records.push(r));
  }, 60_000);
  afterAll(async () => {
    station.close();
    await relay.close();
  });

  for (const runtime of ["nodemcu", "espruino"] as const) {
    it(`${runtime}: upload --board builds and boots it, provision configures it, it reports to the station`, async () => {
      const { board, port } = newBoard({ firmware: runtime });
      let console = "";
      const emit = board.emit.bind(board);
      board.emit = (b) => {
        console += typeof b === "string" ? b : Buffer.from(b).toString("latin1");
        emit(b);
      };
      try {
        let r = await uploadRealApp(runtime, ["--port", port, "--json"]);
        expect(r.code, r.stderr).toBe(ExitCode.OK);
        const first = r.json();
        expect(first.ready).toMatch(/^TSENSE READY [0-9a-f]{12} a_[0-9a-f]{16}\./);
        // The app itself ran at boot: no configuration yet, and it says so.
        const boot = console.slice(console.lastIndexOf("@T SWITCHED")); // (the port probe before it errs on purpose)
        expect(boot).toMatch(/TSENSE UNPROVISIONED \S+ \(no tsense\.cfg; run tsense provision\)/);
        expect(boot).not.toMatch(/PANIC|Uncaught|TSENSE (ERROR|BOOTFAIL)/);

        const name = `flash-${runtime}`;
        const { invitation } = await station.invite();
        r = await run(provision, ["--name", name, "--relay", relay.grpAddress!, "--invitation", invitation, "--wifi-ssid", "lab", "--wifi-password", "pw", "--port", port, "--json"]);
        expect(r.code, r.stderr).toBe(ExitCode.OK);
        const prov = r.json();
        expect(prov.identity).toMatch(/^[0-9a-f]{64}$/);
        expect(board.files.has("tsense.key")).toBe(true);
        // (The Espruino app's flash files start with a "=" marker, so that an empty file can exist.)
        expect(Buffer.from(board.files.get("tsense.id")!).toString("latin1").replace(/^=/, "")).toBe(prov.identity);

        // Reset (as the RESET button would): the app reads its configuration and goes online.
        console = "";
        board.boot(false, ResetReason.POWERON);
        const end = Date.now() + 90_000;
        const mine = () => records.filter((x) => x.device === name && x.type === "reading");
        while (mine().length === 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 200));
        expect(console).toMatch(new RegExp(`TSENSE READY \\S+ ${name}`));
        expect(mine().length, console.slice(-2000)).toBeGreaterThan(0);

        // An update while the provisioned app runs (and prints its own "TSENSE READY … <name>"):
        // nothing to resend, a new version switched in, the loader's READY line recognised.
        r = await run(upload, ["--file", first.file as string, "--runtime", runtime, "--port", port, "--version", "9.9.9", "--json"]);
        expect(r.code, r.stderr).toBe(ExitCode.OK);
        expect(r.json().ready).toBe(`TSENSE READY 9.9.9 ${first.app as string}`);
        expect(r.json().transfers).toMatchObject([{}, { resumedAt: (first.transfers as { size: number }[])[1].size, chunksSent: 0 }]);
      } finally {
        board.powerOff();
      }
    }, 180_000);
  }

  it("--dry-run with the real app prints the transcript of a whole upload and the app's own boot lines", async () => {
    const r = await uploadRealApp("espruino", ["--dry-run"]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^> \\x10var U=/);
    expect(lines).toContain("< TSENSE UNPROVISIONED 0.1.0 (no tsense.cfg; run tsense provision)");
    expect(lines.at(-1)).toMatch(/^< TSENSE READY [0-9a-f]{12} a_[0-9a-f]{16}\.js$/);
  }, 60_000);
});
