/**
 * HAL probe: a small portable program that exercises every part of a DeviceHal the way
 * the firmware will, and reports one line per check. It runs compiled to Lua (virtual
 * NodeMCU), bundled for Espruino (virtual Espruino) and on Node (Node HAL); the tests
 * compare the lines. Configuration comes from the flash file `probe.cfg`
 * (`key=value` lines: host, port, i2c, reg, len; optional `refused=<port>` for a port
 * nobody listens on and `long=1` for a timer beyond NodeMCU's 6870947 ms tmr limit),
 * as a device reads its config.
 *
 * Lines: `cfg …`, `i2c <hex>`, `i2c-missing ok`, `sd …`, `timer ok`, `net echo <n> ok`,
 * `heap ok`, `random <n>`, [`refused ok`], [`long timer ok`], then `probe done` — or
 * `probe failed: <why>` on the first error.
 */
import type { DeviceHal } from "../../app/device-hal";
import { Bytes, alloc, concat, equalBytes, fromAscii, slice } from "../../port/bytes";
import { errorMessage } from "../../port/error";
import { readRegisters } from "../../port/hal/i2c";
import { Socket, SocketHandler } from "../../port/hal/net";
import { toHex } from "../../port/hex";

export type ProbeReport = (this: void, line: string) => void;

interface ProbeConfig {
  host: string;
  port: number;
  i2c: number;
  reg: number;
  len: number;
  refused: number;
  long: boolean;
}

function asciiOf(b: Bytes): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    s += String.fromCharCode(b[i]);
  }
  return s;
}

function parseConfig(text: string): ProbeConfig {
  const cfg: ProbeConfig = { host: "", port: 0, i2c: 0, reg: 0, len: 0, refused: 0, long: false };
  const lines = text.split("\n");
  for (const line of lines) {
    const eq = line.indexOf("=");
    if (eq > 0) {
      const key = line.substring(0, eq);
      const value = line.substring(eq + 1);
      if (key === "host") {
        cfg.host = value;
      } else if (key === "port") {
        cfg.port = parseInt(value, 10);
      } else if (key === "i2c") {
        cfg.i2c = parseInt(value, 10);
      } else if (key === "reg") {
        cfg.reg = parseInt(value, 10);
      } else if (key === "len") {
        cfg.len = parseInt(value, 10);
      } else if (key === "refused") {
        cfg.refused = parseInt(value, 10);
      } else if (key === "long") {
        cfg.long = value === "1";
      }
    }
  }
  if (cfg.host === "" || !(cfg.port > 0) || !(cfg.len > 0)) {
    throw new Error("probe.cfg needs host, port, i2c, reg and len");
  }
  return cfg;
}

/** All 256 byte values, then `extra` more bytes counting down (so order errors show). */
function pattern(extra: number): Bytes {
  const b = alloc(256 + extra);
  for (let i = 0; i < 256; i++) {
    b[i] = i;
  }
  for (let i = 0; i < extra; i++) {
    b[256 + i] = (255 - i) & 0xff;
  }
  return b;
}

function checkStorage(hal: DeviceHal, report: ProbeReport): void {
  const sd = hal.sd;
  const data = pattern(0);
  sd.write("probe.bin", data);
  sd.append("probe.bin", fromAscii("end"));
  const back = sd.read("probe.bin");
  if (back === undefined || !equalBytes(back, concat(data, fromAscii("end")))) {
    throw new Error("sd read-back differs");
  }
  sd.truncate("probe.bin", 10);
  const cut = sd.read("probe.bin");
  if (cut === undefined || !equalBytes(cut, slice(data, 0, 10))) {
    throw new Error("sd truncate wrong");
  }
  sd.write("empty.bin", alloc(0));
  const empty = sd.read("empty.bin");
  const names = sd.list();
  let listed = "";
  for (const n of names) {
    listed += (listed === "" ? "" : ",") + n;
  }
  sd.remove("probe.bin");
  sd.remove("empty.bin");
  const gone = sd.read("probe.bin") === undefined;
  report("sd " + back.length + " " + toHex(slice(back, 250, 259)) + " cut " + toHex(cut) + " empty " + (empty === undefined ? "missing" : "" + empty.length) + " list " + listed + " removed " + (gone ? "yes" : "no"));
}

/** A timer past 6870947 ms (NodeMCU's tmr limit), as a device waiting hours between uploads would set. */
const LONG_MS = 7200000;

function longTimer(hal: DeviceHal, cfg: ProbeConfig, report: ProbeReport, next: (this: void) => void): void {
  if (!cfg.long) {
    next();
    return;
  }
  const t0 = hal.system.millis();
  hal.system.after(LONG_MS, () => {
    const waited = hal.system.millis() - t0;
    report("long timer " + (waited >= LONG_MS ? "ok" : "early " + waited));
    next();
  });
}

/** The optional checks: a refused connection reports a reason; a long timer fires late enough. */
function afterEcho(hal: DeviceHal, cfg: ProbeConfig, report: ProbeReport, next: (this: void) => void): void {
  if (cfg.refused === 0) {
    longTimer(hal, cfg, report, next);
    return;
  }
  let closed = false;
  hal.net.connect(cfg.host, cfg.refused, {
    onConnect: () => {
      report("refused connected?");
    },
    onData: (_data: Bytes) => {
      report("refused got data?");
    },
    onClose: (reason: string) => {
      if (!closed) {
        closed = true;
        report("refused " + (reason !== "" ? "ok" : "without a reason"));
        longTimer(hal, cfg, report, next);
      }
    },
  });
}

function startEcho(hal: DeviceHal, cfg: ProbeConfig, report: ProbeReport, finish: (this: void, ok: boolean) => void): void {
  const first = pattern(0);
  const second = pattern(44);
  const expected = concat(first, second);
  let got = alloc(0);
  let sock: Socket | undefined = undefined;
  let done = false;
  const handler: SocketHandler = {
    onConnect: () => {
      if (sock !== undefined) {
        sock.send(first);
        sock.send(second);
      }
    },
    onData: (data: Bytes) => {
      got = concat(got, data);
      if (!done && got.length >= expected.length) {
        done = true;
        const ok = equalBytes(got, expected);
        report("net echo " + got.length + (ok ? " ok" : " differs"));
        if (sock !== undefined) {
          sock.close();
        }
        report("heap " + (hal.system.freeMemory() > 0 ? "ok" : "zero"));
        report("random " + hal.random(16).length);
        afterEcho(hal, cfg, report, () => {
          report("probe done");
          finish(ok);
        });
      }
    },
    onClose: (reason: string) => {
      if (!done) {
        done = true;
        report("probe failed: connection closed early (" + reason + ") after " + got.length + " bytes");
        finish(false);
      }
    },
  };
  sock = hal.net.connect(cfg.host, cfg.port, handler);
}

/** Runs the probe; `finish(ok)` is called once at the end. */
export function runProbe(hal: DeviceHal, report: ProbeReport, finish: (this: void, ok: boolean) => void): void {
  try {
    const raw = hal.flash.read("probe.cfg");
    if (raw === undefined) {
      throw new Error("no probe.cfg on flash");
    }
    const cfg = parseConfig(asciiOf(raw));
    report("cfg " + cfg.host + " " + cfg.port);
    const regs = readRegisters(hal.i2c, cfg.i2c, cfg.reg, cfg.len, alloc(1));
    report("i2c " + (regs === undefined ? "nack" : toHex(regs)));
    const missing = readRegisters(hal.i2c, (cfg.i2c + 1) & 0x7f, cfg.reg, 1, alloc(1));
    report("i2c-missing " + (missing === undefined ? "ok" : "answered"));
    report("adc " + hal.adc.readMillivolts(0));
    hal.gpio.write(2, 1);
    report("gpio " + hal.gpio.read(2));
    checkStorage(hal, report);
    const t0 = hal.system.millis();
    hal.system.after(50, () => {
      const waited = hal.system.millis() - t0;
      report("timer " + (waited >= 50 ? "ok" : "early " + waited));
      try {
        startEcho(hal, cfg, report, finish);
      } catch (e) {
        report("probe failed: " + errorMessage(e));
        finish(false);
      }
    });
  } catch (e) {
    report("probe failed: " + errorMessage(e));
    finish(false);
  }
}
