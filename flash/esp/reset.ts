// Our own reset sequences (esptool-js's hard reset never pulses RTS, so the chip is never
// actually reset after flashing). Every step sets DTR and RTS together: serialport would
// otherwise put the missing line back to its default.
import type { SerialLink } from "../serial/link.js";

export type ResetKind = "classic" | "usb-jtag";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Steps as (dtr, rts, then wait ms). */
type Step = [boolean, boolean, number];

/** Auto-program transistors: EN low = RTS && !DTR, IO0 low = DTR && !RTS. */
const CLASSIC_DOWNLOAD: Step[] = [
  [false, false, 0],
  [false, true, 100], // EN low: chip in reset
  [true, false, 50], //  EN released while IO0 is held low: ROM download mode
  [false, false, 0], //  IO0 released
];

/** USB-Serial/JTAG: (1,0) latches the download request, (0,1) resets; pass through (1,1), never (0,0). */
const USB_JTAG_DOWNLOAD: Step[] = [
  [false, false, 0],
  [true, false, 100],
  [true, true, 0],
  [false, true, 100],
  [false, false, 0],
];

/** Plain reset into the application: pulse EN with IO0 high. Same on both circuits. */
const HARD_RESET: Step[] = [
  [false, true, 100],
  [false, false, 0],
];

async function run(link: SerialLink, steps: Step[], delayScale: number): Promise<boolean> {
  for (const [dtr, rts, wait] of steps) {
    if (!(await link.setLines(dtr, rts))) return false;
    if (wait > 0) await sleep(wait * delayScale);
  }
  return true;
}

/** Returns false when the port cannot drive the lines (a pty, some adapters). */
export function resetIntoBootloader(link: SerialLink, kind: ResetKind, delayScale = 1): Promise<boolean> {
  return run(link, kind === "usb-jtag" ? USB_JTAG_DOWNLOAD : CLASSIC_DOWNLOAD, delayScale);
}

export function hardReset(link: SerialLink, delayScale = 1): Promise<boolean> {
  return run(link, HARD_RESET, delayScale);
}
