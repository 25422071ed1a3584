// Minimal board facts flash/ needs until board definitions (boards/) exist: which USB ids are
// which serial adapters, and which reset circuit sits behind them. Replace with a lookup in
// boards/ when that lands.
import type { ResetKind } from "./esp/reset.js";

interface UsbAdapter { vid: number; pid: number; name: string; reset: ResetKind }

export const USB_ADAPTERS: UsbAdapter[] = [
  { vid: 0x303a, pid: 0x1001, name: "ESP32-S3 USB-Serial/JTAG", reset: "usb-jtag" },
  { vid: 0x303a, pid: 0x0009, name: "ESP32-S3 ROM USB-OTG CDC", reset: "usb-jtag" },
  { vid: 0x10c4, pid: 0xea60, name: "CP210x", reset: "classic" },
  { vid: 0x1a86, pid: 0x7523, name: "CH340", reset: "classic" },
  { vid: 0x1a86, pid: 0x55d3, name: "CH343", reset: "classic" },
  { vid: 0x1a86, pid: 0x55d4, name: "CH9102", reset: "classic" },
  { vid: 0x0403, pid: 0x6001, name: "FTDI FT232R", reset: "classic" },
  { vid: 0x0403, pid: 0x6010, name: "FTDI FT2232", reset: "classic" },
  { vid: 0x0403, pid: 0x6015, name: "FTDI FT231X", reset: "classic" },
];

export function usbAdapter(vid?: number, pid?: number): UsbAdapter | undefined {
  return USB_ADAPTERS.find((a) => a.vid === vid && a.pid === pid);
}

export function usbAdapterName(vid?: number, pid?: number): string | undefined {
  return usbAdapter(vid, pid)?.name;
}

export function resetKindFor(vid?: number, pid?: number): ResetKind {
  return usbAdapter(vid, pid)?.reset ?? "classic";
}
