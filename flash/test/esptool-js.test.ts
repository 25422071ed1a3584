// esptool-js (Espressif's loader, unmodified) as an independent client of the ROM emulator:
// connect and identify, stub upload, compressed and raw writes, MD5, read back; over the
// in-process binding and over a real pty pair.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Board } from "../emulator/board.js";
import { attachBoard, detachBoard } from "../serial/emulator-binding.js";
import { bridgeBoard, openPtyPair } from "../serial/pty.js";
import { buildImage } from "../esp/image-builder.js";
import { esptoolOn, uniquePort } from "./helpers.js";

const md5 = (d: Uint8Array) => createHash("md5").update(d).digest("hex");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

function emulated(board: Board): string {
  const path = uniquePort("esptool");
  attachBoard(path, { board });
  cleanups.push(() => detachBoard(path));
  return path;
}

describe("esptool-js against the ROM emulator", () => {
  it("identifies an ESP32-S3 through a classic reset, loads the stub, writes compressed, verifies, reads back", async () => {
    const board = new Board();
    const { loader, transport, log } = esptoolOn(emulated(board), 921600);
    cleanups.push(() => transport.disconnect().catch(() => {}));
    const chip = await loader.main();
    expect(chip).toMatch(/^ESP32-S3/);
    expect(board.boots).toContain("rom"); // reached only through DTR/RTS on the reset circuit
    expect(loader.IS_STUB).toBe(true);
    expect(log.join("\n")).toMatch(/MAC: 34:85:18:12:34:56/);
    expect(await loader.detectFlashSize()).toBe("8MB");
    const img = buildImage({ projectName: "espruino", codeSize: 40000 });
    await loader.writeFlash({
      fileArray: [{ data: img, address: 0x10000 }], flashSize: "keep", flashMode: "keep", flashFreq: "keep",
      eraseAll: false, compress: true, calculateMD5Hash: md5,
    } as never);
    expect(log.join("\n")).toMatch(/Hash of data verified/);
    expect(Buffer.from(board.flash.read(0x10000, img.length)).equals(Buffer.from(img))).toBe(true);
    const back = await loader.readFlash(0x10000, img.length);
    expect(md5(back)).toBe(md5(img));
    expect(await loader.flashMd5sum(0x10000, img.length)).toBe(md5(img));
  });

  it("writes raw (uncompressed) blocks and erases regions with the stub", async () => {
    const board = new Board();
    const { loader, transport } = esptoolOn(emulated(board));
    cleanups.push(() => transport.disconnect().catch(() => {}));
    await loader.main();
    const img = buildImage({ codeSize: 20000, seed: 3 });
    await loader.writeFlash({
      fileArray: [{ data: img, address: 0x20000 }], flashSize: "keep", flashMode: "keep", flashFreq: "keep",
      eraseAll: false, compress: false, calculateMD5Hash: md5,
    } as never);
    expect(md5(board.flash.read(0x20000, img.length))).toBe(md5(img));
    await loader.eraseFlash();
    expect(board.flash.bytes.every((b) => b === 0xff)).toBe(true);
  });

  it("without the stub: ROM writes, and the ROM's ASCII MD5 that esptool-js mis-encodes", async () => {
    const board = new Board({ circuit: "usb-jtag" });
    const path = uniquePort("rom");
    attachBoard(path, { board, vendorId: "303a", productId: "1001" });
    cleanups.push(() => detachBoard(path));
    const { loader, transport } = esptoolOn(path);
    cleanups.push(() => transport.disconnect().catch(() => {}));
    await loader.connect("usb_reset");
    expect(loader.chip.CHIP_NAME).toBe("ESP32-S3");
    expect(loader.IS_STUB).toBe(false);
    const img = buildImage({ codeSize: 9000, seed: 5 });
    // raw ROM write through esptool-js's per-block command
    const numBlocks = await loader.flashBegin(img.length, 0x10000);
    for (let seq = 0; seq < numBlocks; seq++) {
      const block = new Uint8Array(loader.FLASH_WRITE_SIZE).fill(0xff);
      block.set(img.subarray(seq * loader.FLASH_WRITE_SIZE, (seq + 1) * loader.FLASH_WRITE_SIZE));
      await loader.flashBlock(block, seq, 3000);
    }
    const reported = await loader.flashMd5sum(0x10000, img.length);
    expect(reported).not.toBe(md5(img)); // the esptool-js fault: hex of the ROM's ASCII hex
    expect(Buffer.from(reported, "hex").toString("latin1")).toBe(md5(img));
    // ROM refuses stub-only commands
    await expect(loader.eraseFlash()).rejects.toThrow();
  });

  it("works over a real pty pair (socat), board already in download mode", async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const board = new Board({ startInDownloadMode: true });
    const detach = await bridgeBoard(board, pty.devicePath);
    cleanups.push(detach);
    const { loader, transport } = esptoolOn(pty.hostPath, 460800);
    cleanups.push(() => transport.disconnect().catch(() => {}));
    await loader.main("no_reset");
    expect(loader.IS_STUB).toBe(true);
    const img = buildImage({ codeSize: 30000, seed: 9 });
    await loader.writeFlash({
      fileArray: [{ data: img, address: 0x10000 }], flashSize: "keep", flashMode: "keep", flashFreq: "keep",
      eraseAll: false, compress: true, calculateMD5Hash: md5,
    } as never);
    expect(md5(board.flash.read(0x10000, img.length))).toBe(md5(img));
    const back = await loader.readFlash(0x10000, 8192);
    expect(Buffer.from(back).equals(Buffer.from(img.subarray(0, 8192)))).toBe(true);
  });
});
