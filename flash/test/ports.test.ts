// Port discovery without udevadm: sysfs walk to the USB ids, /dev/serial/by-id links, and the
// choice rules (none -> NO_DEVICE, several -> AMBIGUOUS_PORT) on a fake /sys and /dev tree.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ExitCode, ToolError } from "../errors.js";
import { listPorts, type PortRoots } from "../serial/ports.js";
import { tempDir } from "./helpers.js";

function fakeTree(): PortRoots {
  const root = tempDir();
  const roots = { sysTty: join(root, "sys/class/tty"), byId: join(root, "dev/serial/by-id"), dev: join(root, "dev") };
  mkdirSync(roots.sysTty, { recursive: true });
  mkdirSync(roots.byId, { recursive: true });
  const usb = (bus: string, vid: string, pid: string, serial: string, tty: string, iface: string) => {
    const dev = join(root, "sys/devices/pci0000:00/usb1", bus);
    mkdirSync(join(dev, iface, tty), { recursive: true });
    writeFileSync(join(dev, "idVendor"), `${vid}\n`);
    writeFileSync(join(dev, "idProduct"), `${pid}\n`);
    writeFileSync(join(dev, "serial"), `${serial}\n`);
    mkdirSync(join(roots.sysTty, tty));
    symlinkSync(join(dev, iface), join(roots.sysTty, tty, "device"));
  };
  usb("1-1", "303a", "1001", "F4:12:FA:00:00:01", "ttyACM0", "1-1:1.0");
  usb("1-2", "10c4", "ea60", "0001", "ttyUSB0", "1-2:1.0/ttyUSB0");
  mkdirSync(join(roots.sysTty, "ttyS0")); // not USB: ignored
  writeFileSync(join(roots.dev, "ttyACM0"), "");
  symlinkSync("../../ttyACM0", join(roots.byId, "usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA:00:00:01-if00"));
  return roots;
}

describe("port discovery", () => {
  it("finds USB serial ports and their USB ids through sysfs and by-id, without udevadm", async () => {
    const roots = fakeTree();
    const ports = await listPorts({ roots, includeEmulated: false });
    expect(ports.map((p) => p.path)).toEqual([join(roots.dev, "ttyACM0"), join(roots.dev, "ttyUSB0")]);
    expect(ports[0]).toMatchObject({ vendorId: 0x303a, productId: 0x1001, adapter: "ESP32-S3 USB-Serial/JTAG", serialNumber: "F4:12:FA:00:00:01" });
    expect(ports[0].byId).toMatch(/usb-Espressif_USB_JTAG/);
    expect(ports[1]).toMatchObject({ vendorId: 0x10c4, productId: 0xea60, adapter: "CP210x" });
  });

  it("choosePort: several ports -> AMBIGUOUS_PORT, none -> NO_DEVICE, the USB id picks the reset circuit", async () => {
    const roots = fakeTree();
    const found = await listPorts({ roots, includeEmulated: false });
    vi.resetModules();
    vi.doMock("../serial/ports.js", () => ({ listPorts: async () => found }));
    const { choosePort } = await import("../cli/common.js");
    const err = await choosePort(undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as ToolError).code).toBe(ExitCode.AMBIGUOUS_PORT);
    expect((err as ToolError).message).toMatch(/pass --port/);
    const jtag = await choosePort(found[0].path);
    expect(jtag.reset).toBe("usb-jtag");
    expect((await choosePort(found[1].path)).reset).toBe("classic");
    vi.doMock("../serial/ports.js", () => ({ listPorts: async () => [] }));
    vi.resetModules();
    const again = await import("../cli/common.js");
    const none = await again.choosePort(undefined).catch((e: unknown) => e);
    expect((none as ToolError).code).toBe(ExitCode.NO_DEVICE);
    vi.doUnmock("../serial/ports.js");
  });
});
