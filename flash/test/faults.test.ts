// Every emulator fault ends in a retry that succeeds or in a clear error that says what to do;
// a board is never left half-written without the tool saying so, and re-running recovers.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../errors.js";
import { main as flashFirmware } from "../cli/flash-firmware.js";
import { main as upload } from "../cli/upload.js";
import { Op } from "../esp/rom-protocol.js";
import type { RomFaults } from "../emulator/rom/faults.js";
import { dialectFor } from "../upload/dialects.js";
import { firmwareFiles, newBoard, run, tempDir } from "./helpers.js";

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

async function flashWith(faults: RomFaults, extra: string[] = []) {
  const dir = tempDir();
  const fw = firmwareFiles(dir);
  const { board, port } = newBoard();
  Object.assign(board.faults, faults);
  const r = await run(flashFirmware, [fw.espruino, "--port", port, "--json", "--no-wait", ...extra]);
  return { r, board, port, fw };
}

function flashedOk(board: ReturnType<typeof newBoard>["board"], file: Uint8Array): boolean {
  return md5(board.flash.read(0, file.length)) === md5(file);
}

describe("ROM bootloader faults during flash-firmware", () => {
  it("corrupted data blocks (bad checksum) are retried and the write verifies", async () => {
    const { r, board, fw } = await flashWith({ corruptDataPackets: 3, corruptDataOp: Op.FLASH_DEFL_DATA });
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect(board.faults.corruptDataPackets).toBe(0); // all three fired
    const { readFileSync } = await import("node:fs");
    expect(flashedOk(board, new Uint8Array(readFileSync(fw.espruino)).subarray(0, 0x9000))).toBe(true);
  });

  it("a stub upload block that fails its checksum: the stub upload is retried", async () => {
    const { r, board } = await flashWith({ corruptDataPackets: 1, corruptDataOp: Op.MEM_DATA });
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect(board.faults.corruptDataPackets).toBe(0);
  });

  it("a dropped reply times out, the block is resent and acknowledged once, not written twice", async () => {
    const { r, board } = await flashWith({ dropReplies: 1, dropReplyOp: Op.FLASH_DEFL_DATA });
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect(board.faults.dropReplies).toBe(0);
  });

  it("duplicated replies are ignored", async () => {
    const { r, board } = await flashWith({ duplicateReplies: 6 });
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect(board.faults.duplicateReplies).toBe(0);
  });

  it("a slow erase: within the timeout it just works; beyond it the region is started again and verifies", async () => {
    let res = await flashWith({ eraseMsPerSector: 2 });
    expect(res.r.code, res.r.stderr).toBe(ExitCode.OK);
    res = await flashWith({ eraseMsPerSector: 220 }); // 15 sectors of app: 3.3 s > the 3 s stub timeout
    expect(res.r.code, res.r.stderr).toBe(ExitCode.OK);
    const regions = res.r.json().regions as { name: string; verified: boolean }[];
    expect(regions.every((x) => x.verified)).toBe(true);
  });

  it("a disconnect mid-write: clear error, the board refuses the torn image, a re-run skips verified regions and finishes", async () => {
    const { r, board, port, fw } = await flashWith({ disconnectAfterDataPackets: 3 }); // inside the app region
    expect(r.code).toBe(ExitCode.INTERRUPTED);
    expect(r.stderr).toMatch(/half-written and will not boot: reconnect it and run the same command again/);
    expect(board.isPresent).toBe(false);
    board.plug();
    expect(board.boots.at(-1)).toBe("app:corrupt"); // the bootloader checks the image hash
    const again = await run(flashFirmware, [fw.espruino, "--port", port, "--json"]);
    expect(again.code, again.stderr).toBe(ExitCode.OK);
    const regions = again.json().regions as { name: string; skipped?: boolean }[];
    expect(regions.find((x) => x.name === "bootloader")?.skipped).toBe(true);
    expect(regions.find((x) => x.name === "app")?.skipped).toBeUndefined();
    expect(board.boots.at(-1)).toBe("app:espruino");
  });

  it("a different chip is refused before anything is written", async () => {
    const { r, board } = await flashWith({ wrongChip: true });
    expect(r.code).toBe(ExitCode.WRONG_CHIP);
    expect(r.json().error).toMatchObject({ name: "WRONG_CHIP" });
    expect(board.flash.bytes.every((b) => b === 0xff)).toBe(true);
  });

  it("secure download mode is refused (nothing could be verified)", async () => {
    const { r, board } = await flashWith({ secureDownload: true });
    expect(r.code).toBe(ExitCode.REFUSED);
    expect(r.stderr).toMatch(/Secure Download Mode/);
    expect(board.flash.bytes.every((b) => b === 0xff)).toBe(true);
  });
});

/** Deterministic choice of "random" chunk, printed so a failure can be replayed. */
function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 2 ** 32; };
}

describe("REPL upload faults", () => {
  for (const runtime of ["espruino", "nodemcu"] as const) {
    it(`${runtime}: interrupted at a random chunk, the re-run resumes and ends verified`, async () => {
      const dir = tempDir();
      const { board, port } = newBoard({ firmware: runtime });
      const app = join(dir, runtime === "espruino" ? "big.js" : "big.lua");
      const comment = runtime === "espruino" ? "//" : "--";
      const body = Array.from({ length: 400 }, (_, i) => `${comment} line ${i} ${"x".repeat(i % 37)}`).join("\n") + "\n";
      writeFileSync(app, body);
      const seed = Number(process.env.FAULT_SEED ?? 20261122);
      const chunks = Math.ceil(body.length / (runtime === "espruino" ? 768 : 160));
      // Writes before the first app chunk: Ctrl-C, the helper, HELLO, the loader (open, chunk, hash), open.
      const before = 1 + dialectFor(runtime).helper.length + 1 + 3 + 1;
      const cut = before + 1 + Math.floor(seeded(seed)() * (chunks - 2));
      board.faults.disconnectAfterAppWrites = cut;
      let r = await run(upload, ["--file", app, "--port", port, "--version", "2.0.0"]);
      expect(r.code, `seed ${seed}: ${r.stderr}`).toBe(ExitCode.INTERRUPTED);
      expect(r.stderr).toMatch(/run the same command again: it resumes/);
      board.plug();
      r = await run(upload, ["--file", app, "--port", port, "--version", "2.0.0", "--json"]);
      expect(r.code, `seed ${seed}: ${r.stderr}`).toBe(ExitCode.OK);
      const transfers = r.json().transfers as { resumedAt: number; size: number; sha256: string }[];
      const appT = transfers.at(-1)!;
      expect(appT.resumedAt, `seed ${seed}`).toBeGreaterThan(0);
      expect(appT.resumedAt).toBeLessThan(appT.size);
      expect(appT.sha256).toBe(createHash("sha256").update(body).digest("hex"));
      expect(r.json().ready).toMatch(/TSENSE READY 2\.0\.0/);
    });

    it(`${runtime}: line noise on chunks is caught by CRC, NAKed and resent`, async () => {
      const dir = tempDir();
      const { board, port } = newBoard({ firmware: runtime });
      const app = join(dir, runtime === "espruino" ? "n.js" : "n.lua");
      writeFileSync(app, `${runtime === "espruino" ? "//" : "--"} ${"y".repeat(3000)}\n`);
      let r = await run(upload, ["--file", app, "--port", port, "--version", "3.0.0"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK); // warm-up: helper installed once
      writeFileSync(app, `${runtime === "espruino" ? "//" : "--"} ${"z".repeat(3000)}\n`);
      board.faults.corruptAppWrites = 2; // the same chunk twice: the third try gets through
      board.faults.corruptAppWritesAfter = 1 + dialectFor(runtime).helper.length + 1; // hit chunk lines only
      r = await run(upload, ["--file", app, "--port", port, "--version", "3.0.1", "--json"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      expect(board.faults.corruptAppWrites).toBe(0);
      const retries = (r.json().transfers as { retries: number }[]).reduce((a, t) => a + t.retries, 0);
      expect(retries).toBeGreaterThanOrEqual(1);
    });
  }
});
