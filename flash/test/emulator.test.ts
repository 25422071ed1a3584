// The emulator's parts on their own: SLIP, NOR flash semantics, both reset circuits (driven by
// our sequences and by esptool-js's), UART baud agreement, image integrity at boot.
import { ClassicReset, HardReset, UsbJtagSerialReset } from "esptool-js";
import { describe, expect, it } from "vitest";
import { Board } from "../emulator/board.js";
import { FlashMemory } from "../emulator/flash-memory.js";
import { buildImage, buildMergedImage } from "../esp/image-builder.js";
import { imageIntegrityError } from "../esp/image.js";
import { hardReset, resetIntoBootloader } from "../esp/reset.js";
import { SlipDecoder, slipEncode } from "../esp/slip.js";
import { SerialLink } from "../serial/link.js";
import { attachBoard, detachBoard } from "../serial/emulator-binding.js";
import { uniquePort } from "./helpers.js";

describe("SLIP", () => {
  it("escapes 0xC0 and 0xDB and decodes frames split anywhere, ignoring noise between frames", () => {
    const payload = Uint8Array.from([1, 0xc0, 2, 0xdb, 3, 0xdb, 0xdc, 0xc0]);
    const framed = slipEncode(payload);
    expect([...framed]).toEqual([0xc0, 1, 0xdb, 0xdc, 2, 0xdb, 0xdd, 3, 0xdb, 0xdd, 0xdc, 0xdb, 0xdc, 0xc0]);
    const frames: number[][] = [];
    const noise: number[] = [];
    const d = new SlipDecoder((f) => frames.push([...f]), (b) => noise.push(b));
    const stream = [0x41, 0x42, ...framed, 0x0a, ...framed];
    for (const b of stream) d.push(Uint8Array.of(b));
    expect(frames).toEqual([[...payload], [...payload]]);
    expect(noise).toEqual([0x41, 0x42, 0x0a]);
  });
});

describe("NOR flash", () => {
  it("programming only clears bits; erase works on whole 4 KiB sectors", () => {
    const f = new FlashMemory(64 * 1024);
    f.write(100, Uint8Array.of(0xf0));
    f.write(100, Uint8Array.of(0x0f)); // without an erase in between
    expect(f.bytes[100]).toBe(0x00);
    expect(f.erase(4000, 200)).toBe(2); // touches sectors 0 and 1
    expect(f.bytes[100]).toBe(0xff);
  });
});

async function withLink(board: Board, fn: (link: SerialLink) => Promise<void>): Promise<void> {
  const path = uniquePort("reset");
  attachBoard(path, { board });
  const link = await SerialLink.open(path, 115200);
  try { await fn(link); } finally { await link.close(); detachBoard(path); }
}

/** esptool-js's reset classes want a Transport; this one forwards to our link like the adapter does. */
function transportFor(link: SerialLink) {
  let dtr = false, rts = false;
  const apply = () => link.setLines(dtr, rts);
  return {
    setDTR: async (v: boolean) => { dtr = v; await apply(); },
    setRTS: async (v: boolean) => { rts = v; await apply(); },
    setSignals: async (d: boolean, r: boolean) => { dtr = d; rts = r; await apply(); },
  };
}

describe("reset circuits", () => {
  it("classic (auto-program transistors): our sequence and esptool-js's ClassicReset reach download mode; a hard reset boots the app", async () => {
    const board = new Board();
    await withLink(board, async (link) => {
      expect(await resetIntoBootloader(link, "classic", 0.1)).toBe(true);
      expect(board.mode).toBe("rom");
      expect(await hardReset(link, 0.1)).toBe(true);
      expect(board.mode).toBe("app");
      await new ClassicReset(transportFor(link) as never, 5).reset();
      expect(board.mode).toBe("rom");
    });
  });

  it("USB-Serial/JTAG: our sequence and esptool-js's reach download mode; on a classic circuit the USB sequence only reboots", async () => {
    const board = new Board({ circuit: "usb-jtag" });
    await withLink(board, async (link) => {
      await resetIntoBootloader(link, "usb-jtag", 0.1);
      expect(board.boots.at(-1)).toBe("rom");
      await hardReset(link, 0.1);
      expect(board.mode).toBe("app");
      await new UsbJtagSerialReset(transportFor(link) as never).reset();
      expect(board.boots.at(-1)).toBe("rom");
    });
    const classic = new Board();
    await withLink(classic, async (link) => {
      await resetIntoBootloader(link, "usb-jtag", 0.1);
      expect(classic.boots.at(-1)).toBe("app:none"); // the wrong sequence just reboots
    });
  });

  it("esptool-js's HardReset never pulses RTS: the chip is not reset (why tsense brings its own)", async () => {
    const board = new Board({ startInDownloadMode: true });
    await withLink(board, async (link) => {
      const boots = board.boots.length;
      await new HardReset(transportFor(link) as never, false).reset();
      expect(board.boots.length).toBe(boots);
      expect(board.mode).toBe("rom");
    });
  });

  it("a host at another baud rate than the chip gets nothing through", async () => {
    const board = new Board({ startInDownloadMode: true });
    const path = uniquePort("baud");
    attachBoard(path, { board });
    const link = await SerialLink.open(path, 460800);
    try {
      link.discard();
      await link.write(slipEncode(Uint8Array.of(0, 0x08, 36, 0, 0, 0, 0, 0, 7, 7, 0x12, 0x20, ...new Array(32).fill(0x55))));
      await new Promise((r) => setTimeout(r, 50));
      expect(link.take().length).toBe(0);
      await link.setBaud(115200);
      await link.write(slipEncode(Uint8Array.of(0, 0x08, 36, 0, 0, 0, 0, 0, 7, 7, 0x12, 0x20, ...new Array(32).fill(0x55))));
      await new Promise((r) => setTimeout(r, 50));
      expect(link.take().length).toBeGreaterThan(0);
    } finally {
      await link.close();
      detachBoard(path);
    }
  });
});

describe("second-stage boot", () => {
  it("boots only intact images: a flipped byte fails the image hash", () => {
    const merged = buildMergedImage(buildImage({ projectName: "demo", codeSize: 5000 }));
    expect(imageIntegrityError(merged, 0x10000)).toBeNull();
    const board = new Board();
    board.flash.bytes.set(merged, 0);
    board.flash.bytes[0x10000 + 2000] ^= 1;
    board.boot(false, 1);
    expect(board.boots.at(-1)).toBe("app:corrupt");
  });
});
