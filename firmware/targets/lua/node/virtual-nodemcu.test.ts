// The virtual NodeMCU's modules behave like NodeMCU-ESP32's where firmware could notice:
// binary-safe strings, io on /SD0 only after sdmmc mounts it, tmr modes and limits, net
// events and lwIP error codes, i2c ACK flags, node.restart, wifi failures, panics.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Scheduler } from "../../node/scheduler";
import { EchoServer, RegisterBus, closedPort, startEchoServer } from "../../probe/node/fixtures";
import { type NodeMcuHost, VirtualNodeMcu, type VirtualNodeMcuOptions } from "./virtual-nodemcu";
import { VirtualNodeMcuLua53 } from "./virtual-nodemcu-lua53";

/** The two Lua VMs behind the same host; boot() is awaited so both work. */
type Vm = NodeMcuHost & { boot(code: string): void | Promise<void> };
const VMS: [string, (o: VirtualNodeMcuOptions) => Promise<Vm>][] = [
  ["wasmoon", (o) => VirtualNodeMcu.create(o)],
  ...(VirtualNodeMcuLua53.available() || process.env.CI === "true" ? [["lua5.3", (o: VirtualNodeMcuOptions) => VirtualNodeMcuLua53.create(o)] as [string, (o: VirtualNodeMcuOptions) => Promise<Vm>]] : []),
];

let echo: EchoServer;
const roots: string[] = [];
beforeAll(async () => {
  echo = await startEchoServer();
});
afterAll(async () => {
  await echo.close();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function dirsFor(): { scheduler: Scheduler; sd: string; flash: string } {
  const root = mkdtempSync(join(tmpdir(), "tsense-vnmcu-"));
  roots.push(root);
  return { scheduler: new Scheduler({ mode: "virtual" }), sd: join(root, "sd"), flash: join(root, "flash") };
}

async function device(extra: Partial<VirtualNodeMcuOptions> = {}): Promise<{ dev: VirtualNodeMcu; scheduler: Scheduler; sd: string; flash: string }> {
  const root = mkdtempSync(join(tmpdir(), "tsense-vnmcu-"));
  roots.push(root);
  const scheduler = new Scheduler({ mode: "virtual" });
  const sd = join(root, "sd");
  const flash = join(root, "flash");
  const dev = await VirtualNodeMcu.create({ scheduler, sdDir: sd, flashDir: flash, i2c: new RegisterBus(0x40), ...extra });
  return { dev, scheduler, sd, flash };
}

const MOUNT = `local card = sdmmc.init(sdmmc.SPI2, { sck_pin = 1, mosi_pin = 2, miso_pin = 3, cs_pin = 4 }); assert(card:mount("/SD0"))\n`;
const ALL_BYTES = `local t = {} for i = 0, 255 do t[#t + 1] = string.char(i) end local all = table.concat(t)\n`;

describe("virtual NodeMCU", () => {
  it("tmr: AUTO repeats until stopped, SINGLE fires once, intervals are range-checked", async () => {
    const { dev, scheduler } = await device();
    dev.boot(`
      local n = 0
      local auto = tmr.create()
      auto:alarm(100, tmr.ALARM_AUTO, function(t) n = n + 1 if n == 3 then t:stop() print("auto", n, node.uptime()) end end)
      tmr.create():alarm(50, tmr.ALARM_SINGLE, function(t) print("single", t:state()) end)
      print(pcall(tmr.create().register, tmr.create(), 0, tmr.ALARM_SINGLE, print))
      print(pcall(tmr.create().register, tmr.create(), 6870948, tmr.ALARM_SINGLE, print))`);
    scheduler.advance(1000);
    expect(dev.lines).toEqual(["false\tRange: 1-6870947", "false\tRange: 1-6870947", "single\tnil", "auto\t3\t300000.0\t0"]);
    expect(scheduler.pending()).toBe(0);
    dev.stop();
  });

  it("net: receive in frames of at most 1460 bytes, refused connections report ERR_RST", async () => {
    const refused = await closedPort();
    const { dev, scheduler } = await device();
    dev.boot(`${ALL_BYTES}
      local big = string.rep(all, 20)
      local got = {}
      local s = net.createConnection(net.TCP)
      print(pcall(s.send, s, "x"))
      s:on("connection", function(c) c:send(big) end)
      s:on("receive", function(c, d)
        got[#got + 1] = d
        if #table.concat(got) == #big then
          local max = 0 for _, p in ipairs(got) do if #p > max then max = #p end end
          print("echo", table.concat(got) == big, max <= 1460, #got > 1)
          c:close()
        end
      end)
      s:connect(${echo.port}, "127.0.0.1")
      local r = net.createConnection()
      r:on("disconnection", function(c, code) print("refused", code) end)
      r:connect(${refused}, "127.0.0.1")`);
    await scheduler.runUntil(() => dev.lines.length >= 3, { timeoutMs: 5_000 });
    expect(dev.lines[0]).toBe("false\tnot connected");
    expect(dev.lines.slice(1).sort()).toEqual(["echo\ttrue\ttrue\ttrue", "refused\t-14"]);
    dev.stop();
  });

  it("node.restart halts the device and calls the host; a callback error is a panic", async () => {
    let restarted = 0;
    const { dev, scheduler } = await device({ onRestart: () => restarted++ });
    dev.boot(`
      print(node.heap() > 100000, math.type(node.heap()), select(2, node.bootreason()))
      tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("boom") end)
      tmr.create():alarm(20, tmr.ALARM_SINGLE, function() node.restart() print("not reached") end)
      tmr.create():alarm(30, tmr.ALARM_SINGLE, function() print("not reached either") end)`);
    scheduler.advance(25);
    await new Promise((r) => setTimeout(r, 5));
    scheduler.advance(100);
    expect(dev.lines[0]).toBe("true\tinteger\t0");
    expect(dev.lines[1]).toMatch(/^PANIC: .*boom/);
    expect(dev.lines).toHaveLength(2);
    expect(dev.errors).toHaveLength(1);
    expect(restarted).toBe(1);
    expect(dev.halted).toBe(true);
    expect(scheduler.pending()).toBe(0);
  });

  it("wifi: a wrong password gives 'disconnected' with AUTH_FAIL, the right one got_ip", async () => {
    const { dev, scheduler } = await device({ accessPoint: { ssid: "lab", pwd: "secret" } });
    dev.boot(`
      wifi.mode(wifi.STATION) wifi.start()
      wifi.sta.on("disconnected", function(ev, info) print(ev, info.reason)
        wifi.sta.config({ ssid = "lab", pwd = "secret" }) wifi.sta.connect() end)
      wifi.sta.on("got_ip", function(ev, info) print(ev, info.ip ~= nil) end)
      wifi.sta.config({ ssid = "lab", pwd = "wrong" })
      wifi.sta.connect()`);
    scheduler.advance(5000);
    expect(dev.lines).toEqual(["disconnected\t202", "got_ip\ttrue"]);
    dev.stop();
  });
});

describe.each(VMS)("virtual NodeMCU modules on %s", (_name, create) => {
  async function make(extra: Partial<VirtualNodeMcuOptions> = {}): Promise<{ dev: Vm; sd: string }> {
    const d = dirsFor();
    const dev = await create({ scheduler: d.scheduler, sdDir: d.sd, flashDir: d.flash, i2c: new RegisterBus(0x40), ...extra });
    return { dev, sd: d.sd };
  }

    it("passes binary strings through encoder unchanged", async () => {
      const { dev } = await make();
      await dev.boot(`${ALL_BYTES}
        local h = encoder.toHex(all)
        print(#h, h:sub(1, 8), h:sub(-8))
        print(encoder.fromHex(h) == all, encoder.fromBase64(encoder.toBase64(all)) == all)
        print(pcall(encoder.fromHex, "zz"))`);
      expect(dev.lines).toEqual(["512\t00010203\tfcfdfeff", "true\ttrue", "false\tnot a valid hex string"]);
      dev.stop();
    });

    it("io works on /SD0 only after mounting, with Lua's read semantics", async () => {
      const { dev, sd } = await make();
      await dev.boot(`${ALL_BYTES}
        print(io.open("/SD0/x.bin", "wb"))
        ${MOUNT}
        local f = assert(io.open("/SD0/x.bin", "wb")) f:write(all) f:close()
        f = assert(io.open("/SD0/x.bin", "rb"))
        print(f:read(4) == all:sub(1, 4), f:read("a") == all:sub(5), f:read(1), f:read("a"))
        f:close()
        print(pcall(f.read, f, 1))
        assert(io.open("/SD0/e.bin", "wb")):close()
        f = io.open("/SD0/e.bin", "rb") print(f:read("a") == "", f:read(0)) f:close()
        print(os.rename("/SD0/e.bin", "/SD0/x.bin"))
        print(os.remove("/SD0/nope"))
        local l = file.list("/SD0") print(l["x.bin"], l["e.bin"])
        local open = {}
        for i = 1, 9 do open[i] = io.open("/SD0/x.bin", "rb") end
        print(open[8] ~= nil, open[9])
        for i = 1, 8 do open[i]:close() end`);
      expect(dev.lines).toEqual([
        "nil\t/SD0/x.bin: No such file or directory",
        "true\ttrue\tnil\t",
        "false\tattempt to use a closed file",
        "true\tnil",
        "nil\t/SD0/x.bin: File exists",
        "nil\t/SD0/nope: No such file or directory",
        "1\t0",
        "true\tnil",
      ]);
      expect([...readFileSync(join(sd, "x.bin"))]).toEqual(Array.from({ length: 256 }, (_, i) => i));
      dev.stop();
    });

    it("console: lines run as lua.c runs them, init.lua at power-on, flash in the caller's map", async () => {
      const flash = new Map<string, Uint8Array>([["init.lua", new Uint8Array(Buffer.from("print('init', 1 + 1)"))]]);
      let out = "";
      const echo: boolean[] = [];
      const { dev } = await make({ flashDir: undefined, flashFiles: flash, print: (l) => (out += `${l}\n`), write: (t) => (out += t), onConsoleEcho: (on) => echo.push(on), version: "9.8.7" });
      dev.startConsole();
      for (const line of [
        "1 + 2", "for i = 1, 2 do", "print(i) end", "x =", "error('boom')", "print(1 +* 2)",
        "print(node.info('sw_version').git_release)",
        "h = crypto.new_hash('SHA256') h:update('a') h:update('bc') print(encoder.toHex(h:finalize()))",
        "f = io.open('m.lua', 'w') f:write('return 6 * 7') f:close() print(dofile('m.lua'), file.exists('m.lua'))",
        "uart.setup(0, 115200, 8, uart.PARITY_NONE, uart.STOPBITS_1, 0)",
      ]) dev.consoleLine(line);
      await (dev as unknown as { luaMemory(): unknown }).luaMemory(); // (lua5.3: the queue has drained)
      expect(out).toBe([
        "init\t2", "> 3", "> >> 1", "2", "> >> stdin:2: boom", "> stdin:1: unexpected symbol near '*'",
        "> 9.8.7", "> ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "> 42\ttrue", "> 115200", "> ",
      ].join("\n"));
      expect(Buffer.from(flash.get("m.lua")!).toString()).toBe("return 6 * 7");
      expect(echo).toEqual([false]);
      dev.stop();
    });

    it("i2c: transfer reports the ACK flag and a missing device", async () => {
      const bus = new RegisterBus(0x40);
      const { dev } = await make({ i2c: bus });
      await dev.boot(`
        i2c.setup(i2c.HW0, 21, 22, i2c.FAST)
        i2c.start(i2c.HW0) i2c.address(i2c.HW0, 0x40, i2c.TRANSMITTER) i2c.write(i2c.HW0, 0x10, "\\1", {2})
        i2c.start(i2c.HW0) i2c.address(i2c.HW0, 0x40, i2c.RECEIVER) i2c.read(i2c.HW0, 2) i2c.stop(i2c.HW0)
        local d, ack = i2c.transfer(i2c.HW0)
        print(encoder.toHex(d), ack)
        i2c.start(i2c.HW0) i2c.address(i2c.HW0, 0x41, i2c.RECEIVER) i2c.read(i2c.HW0, 1) i2c.stop(i2c.HW0)
        print(i2c.transfer(i2c.HW0))
        print(pcall(i2c.setup, i2c.HW0, 21, 22, 100000))`);
      expect(dev.lines).toEqual(["4a4b\ttrue", "nil\tfalse", "false\ti2c interface already set up"]);
      expect(bus.log).toEqual(["w 64 3", "r 64 2", "r 65 1"]);
      dev.stop();
    });
});
