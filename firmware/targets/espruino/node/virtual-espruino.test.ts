// The virtual Espruino's device API behaves like Espruino 2v29's where firmware could
// notice: binary strings over net, error-then-close on a refused connection, fs only after
// E.connectSDCard (empty files read as undefined), Storage refusing empty files, I2C NACK
// exceptions, context-realm typed arrays, timers, E.reboot, uncaught callback errors.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Scheduler } from "../../node/scheduler";
import { EchoServer, RegisterBus, closedPort, startEchoServer } from "../../probe/node/fixtures";
import { VirtualEspruino, type VirtualEspruinoOptions } from "./virtual-espruino";

let echo: EchoServer;
const roots: string[] = [];
beforeAll(async () => {
  echo = await startEchoServer();
});
afterAll(async () => {
  await echo.close();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function device(extra: Partial<VirtualEspruinoOptions> = {}): { dev: VirtualEspruino; scheduler: Scheduler } {
  const root = mkdtempSync(join(tmpdir(), "tsense-vesp-"));
  roots.push(root);
  const scheduler = new Scheduler({ mode: "virtual" });
  const dev = new VirtualEspruino({ scheduler, sdDir: join(root, "sd"), flashDir: join(root, "flash"), i2c: new RegisterBus(0x40), ...extra });
  return { dev, scheduler };
}

describe("virtual Espruino", () => {
  it("echoes all 256 byte values over net and reports a refused connection as error then close", async () => {
    const refused = await closedPort();
    const { dev, scheduler } = device();
    dev.boot(`
      var all = ""; for (var i = 0; i < 256; i++) all += String.fromCharCode(i);
      var got = "";
      var s = require("net").connect({ host: "127.0.0.1", port: ${echo.port} }, function () { s.write(all); });
      s.on("data", function (d) { got += d; if (got.length === 256) { print("echo " + (got === all) + " " + (E.toUint8Array(got) instanceof Uint8Array)); s.end(); } });
      var r = require("net").connect({ host: "127.0.0.1", port: ${refused} }, function () { print("connected?"); });
      r.on("error", function (e) { print("error " + e.code); });
      r.on("close", function (had) { print("close " + had); });`);
    await scheduler.runUntil(() => dev.lines.length >= 3, { timeoutMs: 5_000 });
    expect(dev.lines.slice().sort()).toEqual(["close true", "echo true true", "error -9"]);
    expect(dev.lines.indexOf("error -9")).toBeLessThan(dev.lines.indexOf("close true"));
    dev.stop();
  });

  it("fs needs E.connectSDCard; empty files read as undefined; Storage refuses empty files", () => {
    const { dev } = device();
    dev.boot(`
      try { require("fs"); } catch (e) { print("fs: " + e.message); }
      var spi = new SPI(); spi.setup({ mosi: 1, miso: 2, sck: 3 });
      E.connectSDCard(spi, 4);
      var fs = require("fs");
      fs.writeFileSync("e.bin", ""); fs.writeFileSync("x.bin", "\\x00\\xff");
      print(typeof fs.readFileSync("e.bin") + " " + fs.readFileSync("x.bin").length + " " + fs.readdirSync("").sort().join(","));
      var st = require("Storage");
      try { st.write("k", ""); } catch (e) { print("storage: " + e.message); }
      st.write("k", "=\\x01"); print(st.read("k").length + " " + st.read("nope") + " " + st.list().join(","));`);
    expect(dev.lines).toEqual(["fs: Unable to mount SD card : NOT_READY", "undefined 2 e.bin,x.bin", "storage: Storage: can't write an empty file", "2 undefined k"]);
    dev.stop();
  });

  it("I2C1: a NACK throws, reads are Uint8Arrays of the device's own realm", () => {
    const { dev } = device();
    dev.boot(`
      I2C1.setup({ scl: 9, sda: 8, bitrate: 100000 });
      I2C1.writeTo(0x40, [0x10]);
      var d = I2C1.readFrom(0x40, 2);
      print((d instanceof Uint8Array) + " " + d[0] + " " + d[1]);
      try { I2C1.writeTo(0x41, 1); } catch (e) { print("nack: " + e.message); }`);
    expect(dev.lines).toEqual([`true ${0x10 ^ 0x5a} ${0x11 ^ 0x5a}`, "nack: I2CWrite: No ACK"]);
    dev.stop();
  });

  it("setInterval/clearInterval on the shared scheduler; uncaught errors are printed and the device carries on", () => {
    const { dev, scheduler } = device();
    dev.boot(`
      var n = 0;
      var id = setInterval(function () { n++; if (n === 3) { clearInterval(id); print("n " + n + " t " + Math.round(getTime() * 1000)); } }, 100);
      setTimeout(function () { throw new Error("boom"); }, 50);`);
    scheduler.advance(1000);
    expect(dev.lines).toEqual(["Uncaught Error: boom", "n 3 t 300"]);
    expect(dev.errors).toEqual(["boom"]);
    expect(scheduler.pending()).toBe(0);
    dev.stop();
  });

  it("E.reboot halts the device and calls the host", async () => {
    let restarted = 0;
    const { dev, scheduler } = device({ onRestart: () => restarted++ });
    dev.boot(`setTimeout(function () { E.reboot(); print("not reached"); }, 10); setTimeout(function () { print("after reboot?"); }, 20);`);
    scheduler.advance(15);
    await new Promise((r) => setTimeout(r, 5));
    scheduler.advance(100);
    expect(dev.lines).toEqual([]);
    expect(restarted).toBe(1);
    expect(vm.runInContext("typeof Map", dev.context)).toBe("undefined");
  });
});
