// Recognising what talks on a serial port from its output: the interpreter banners, the ROM's
// boot lines (reset reason, boot mode), and panics.

export type Runtime = "espruino" | "nodemcu";

export interface BannerMatch {
  runtime: Runtime;
  version: string;
}

const ESPRUINO_BANNER = / (\d+v\d+(?:\.\d+)?) \(c\) \d{4} G\.Williams/;
const NODEMCU_BANNER = /NodeMCU ESP32 build (\S+) powered by Lua (\d\.\d(?:\.\d)?)/;

export function findBanner(text: string): BannerMatch | null {
  const e = ESPRUINO_BANNER.exec(text);
  if (e) return { runtime: "espruino", version: e[1] };
  const n = NODEMCU_BANNER.exec(text);
  if (n) return { runtime: "nodemcu", version: n[1] };
  return null;
}

/** Offset just after a banner (and its prompt) in `text`, or -1. */
export function afterBanner(text: string): number {
  for (const re of [/G\.Williams\r?\n(?:\r?\n)*(?:>)?/, /powered by Lua [^\n]*\n(?:[^\n]*\n)*?> /]) {
    const m = re.exec(text);
    if (m) return m.index + m[0].length;
  }
  return -1;
}

/** ESP32-S3 reset reasons (ROM "rst:0x.." codes) and what they mean to a user. */
export const RESET_REASONS: Record<number, string> = {
  0x01: "power-on or EN pin reset",
  0x03: "software reset (esp_restart, node.restart, E.reboot)",
  0x04: "legacy watchdog reset",
  0x05: "deep-sleep wake-up",
  0x07: "timer group 0 watchdog (a task hogged the CPU)",
  0x08: "timer group 1 watchdog",
  0x09: "RTC watchdog",
  0x0c: "software CPU reset (after a panic or restart)",
  0x0f: "brown-out: the supply voltage dropped (weak USB port or cable, or a load on 3V3)",
  0x10: "RTC watchdog on the CPU",
  0x13: "USB-UART reset of the CPU",
  0x15: "USB-Serial/JTAG reset",
};

const BOOT_LINE = /rst:0x([0-9a-f]+) \(([A-Z0-9_]+)\),boot:0x([0-9a-f]+) \(([^)]*)\)/;

export interface BootInfo {
  reason: number;
  reasonName: string;
  meaning: string;
  downloadMode: boolean;
}

export function parseBootLine(line: string): BootInfo | null {
  const m = BOOT_LINE.exec(line);
  if (!m) return null;
  const reason = parseInt(m[1], 16);
  return {
    reason, reasonName: m[2], meaning: RESET_REASONS[reason] ?? "unknown reset reason",
    downloadMode: m[4].startsWith("DOWNLOAD"),
  };
}

const PANIC = /Guru Meditation Error|abort\(\) was called|Backtrace:|Brownout detector was triggered|FATAL ERROR|stack overflow/i;

export function isPanicLine(line: string): boolean {
  return PANIC.test(line);
}
