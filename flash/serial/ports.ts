// Candidate serial ports. serialport's list() shells out to udevadm, which many systems (and
// containers) lack, so this reads sysfs and /dev/serial/by-id itself; emulated ports are added.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { SerialPort } from "serialport";
import { EmulatorBinding } from "./emulator-binding.js";
import { usbAdapterName } from "../boards.js";

export interface PortCandidate {
  path: string;
  vendorId?: number;
  productId?: number;
  serialNumber?: string;
  /** USB bridge or native USB port this is, from its USB ids. */
  adapter?: string;
  byId?: string;
  source: "serialport" | "sysfs" | "by-id" | "emulator";
}

/** Where to look; tests point these at a fake tree. */
export interface PortRoots { sysTty: string; byId: string; dev: string }
const DEFAULT_ROOTS: PortRoots = { sysTty: "/sys/class/tty", byId: "/dev/serial/by-id", dev: "/dev" };
/** Kernel tty names that are USB serial devices. */
const USB_TTY = /^tty(USB|ACM)\d+$/;

function readHex(path: string): number | undefined {
  try { return parseInt(readFileSync(path, "utf8").trim(), 16); } catch { return undefined; }
}

function readText(path: string): string | undefined {
  try { return readFileSync(path, "utf8").trim(); } catch { return undefined; }
}

/** Walk up from the tty's device directory to the USB device that has idVendor/idProduct. */
function usbInfoFromSysfs(sysTty: string, name: string): Partial<PortCandidate> {
  let dir: string;
  try { dir = realpathSync(join(sysTty, name, "device")); } catch { return {}; }
  for (let i = 0; i < 6 && dir !== "/"; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, "idVendor"))) {
      return { vendorId: readHex(join(dir, "idVendor")), productId: readHex(join(dir, "idProduct")), serialNumber: readText(join(dir, "serial")) };
    }
  }
  return {};
}

function fromSysfs(roots: PortRoots): PortCandidate[] {
  let names: string[];
  try { names = readdirSync(roots.sysTty); } catch { return []; }
  return names.filter((n) => USB_TTY.test(n)).map((n) => ({ path: join(roots.dev, n), source: "sysfs" as const, ...usbInfoFromSysfs(roots.sysTty, n) }));
}

function fromById(roots: PortRoots): Map<string, string> {
  const out = new Map<string, string>();
  try {
    for (const link of readdirSync(roots.byId)) {
      const full = join(roots.byId, link);
      out.set(resolve(roots.byId, readlinkSync(full)), full);
    }
  } catch { /* no by-id directory: no udev */ }
  return out;
}

async function fromSerialport(): Promise<PortCandidate[]> {
  try {
    const list = await SerialPort.list();
    return list.filter((p) => p.vendorId).map((p) => ({
      path: p.path, source: "serialport" as const, serialNumber: p.serialNumber,
      vendorId: p.vendorId ? parseInt(p.vendorId, 16) : undefined, productId: p.productId ? parseInt(p.productId, 16) : undefined,
    }));
  } catch {
    return []; // udevadm missing: the sysfs scan below covers it
  }
}

export async function listPorts(opts: { includeEmulated?: boolean; roots?: PortRoots } = {}): Promise<PortCandidate[]> {
  const roots = opts.roots ?? DEFAULT_ROOTS;
  const byPath = new Map<string, PortCandidate>();
  const native = opts.roots ? [] : await fromSerialport();
  for (const p of [...native, ...fromSysfs(roots)]) byPath.set(p.path, { ...byPath.get(p.path), ...p });
  for (const [target, link] of fromById(roots)) {
    const existing = byPath.get(target);
    if (existing) existing.byId = link;
    else byPath.set(target, { path: target, byId: link, source: "by-id" });
  }
  if (opts.includeEmulated ?? true) {
    for (const p of await EmulatorBinding.list()) {
      byPath.set(p.path, {
        path: p.path, source: "emulator", serialNumber: p.serialNumber,
        vendorId: p.vendorId ? parseInt(p.vendorId, 16) : undefined, productId: p.productId ? parseInt(p.productId, 16) : undefined,
      });
    }
  }
  const out = [...byPath.values()];
  for (const p of out) p.adapter = usbAdapterName(p.vendorId, p.productId);
  return out.sort((a, b) => basename(a.path).localeCompare(basename(b.path)));
}
