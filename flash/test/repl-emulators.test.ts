import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Board } from "../emulator/board.js";
import { espruinoFirmware, nodemcuFirmware } from "../emulator/firmware-images.js";
import { RUNTIMES } from "../emulator/runtimes.js";
import { espruinoRuntime } from "../emulator/espruino/repl.js";
import { nodemcuLua53Runtime, nodemcuRuntime } from "../emulator/nodemcu/repl.js";
import { ESPRUINO } from "../upload/dialects.js";
import { main as provision } from "../cli/provision.js";
import { main as upload } from "../cli/upload.js";
import { ExitCode } from "../errors.js";
import { newBoard, run } from "./helpers.js";
import { checkEspruinoSyntax } from "../../firmware/targets/espruino/node/syntax-check.js";

function boardWith(fw: Uint8Array, runtimes = RUNTIMES): { board: Board; out: () => string; send: (s: string) => void } {
  const board = new Board({ runtimes });
  board.flash.bytes.set(fw, 0);
  let text = "";
  board.attachHost({ onData: (b) => { text += Buffer.from(b).toString("latin1"); }, onDisconnect() {} });
  board.boot(false, 1);
  return { board, out: () => text, send: (s) => board.write(new Uint8Array(Buffer.from(s, "latin1"))) };
}

const until = async (f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!f()) { if (Date.now() > end) throw new Error("timeout"); await new Promise((r) => setTimeout(r, 5)); }
};

const hasLua53 = spawnSync("lua5.3", ["-v"]).status === 0;
const LUA_VMS = [["wasmoon", nodemcuRuntime], ...(hasLua53 || process.env.CI === "true" ? [["lua5.3", nodemcuLua53Runtime]] : [])] as [string, typeof nodemcuRuntime][];

describe("REPL emulators", () => {
  it("Espruino: banner, echo, \\x10 suppresses echo, Storage survives reboot, boot files run", async () => {
    const { board, out, send } = boardWith(espruinoFirmware(20000));
    expect(out()).toMatch(/2v24 \(c\) 2024 G.Williams/);
    send("1+2\n");
    expect(out()).toMatch(/1\+2\r\n=3\r\n>/);
    send('\x10require("Storage").write(".boot0","print(\\"BOOTED \\"+E.CRC32(\\"abc\\"))")\n');
    expect(out()).not.toMatch(/\.boot0/);
    send("E.reboot()\n");
    await until(() => /BOOTED 891568578/.test(out()));
    expect(board.boots.filter((b) => b === "app:espruino").length).toBe(2);
  });

  it("Espruino: the protocol's Storage calls, crypto, load(), Ctrl-C; erase wipes Storage, not the SD card", async () => {
    const { board, out, send } = boardWith(espruinoFirmware(20000));
    const S = 'require("Storage")';
    send(`\x10${S}.write("f",[104,105],0,4);${S}.write("f","!",3);print(JSON.stringify(${S}.read("f")))\n`);
    expect(out()).toContain('"hi\xff!"');
    send(`\x10${S}.writeJSON("j",{a:1});print(${S}.readJSON("j").a, ${S}.readJSON("nope",1), ${S}.list(/^[fj]$/).join())\n`);
    expect(out()).toMatch(/1 undefined f,j\r\n/);
    send(`\x10var h=new Uint8Array(require("crypto").SHA256("abc"));print(h[0].toString(16), E.CRC32("abc"), getSerial(), process.env.VERSION)\n`);
    expect(out()).toMatch(/ba 891568578 348518123456 2v24\r\n/);
    send("var half=1+\x03");
    send("half\n");
    expect(out()).toMatch(/Uncaught ReferenceError: half is not defined/);
    send("var kept=5\n");
    send("load()\n");
    await until(() => /load\(\)\r\n>/.test(out()));
    send("typeof kept\n");
    expect(out()).toMatch(/="undefined"\r\n>$/); // load() started a fresh interpreter
    board.hardware.sdCard.set("log.txt", new Uint8Array([1]));
    board.flash.erase(0x300000, 0x100000);
    expect(board.files.size).toBe(0);
    expect(board.hardware.sdCard.has("log.txt")).toBe(true);
  });

  it.each(LUA_VMS)("NodeMCU on %s: banner, Lua, io.open read/write/seek, encoder, crypto, init.lua at boot", async (_vm, nodemcu) => {
    const { out, send } = boardWith(nodemcuFirmware(20000), [espruinoRuntime, nodemcu]);
    await until(() => /NodeMCU ESP32 build 3.0.0-dev-esp32/.test(out()) && out().endsWith("> "));
    send('f=io.open("a.txt","w") f:write("hello") f:close() f=io.open("a.txt","r+b") f:seek("set",1) f:write("EL") f:close()\n');
    send('f=io.open("a.txt","r") print(f:read("a")) f:close()\n');
    await until(() => /hELlo\n/.test(out()));
    send('print(encoder.toHex(encoder.fromBase64("AAEC/w==")))\n');
    await until(() => /000102ff\n/.test(out()));
    send('h=crypto.new_hash("SHA256") h:update("abc") print(encoder.toHex(h:finalize()))\n');
    await until(() => /ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad/.test(out()));
    send('f=io.open("init.lua","w") f:write("print(\'INIT \'..(1+1))") f:close() node.restart()\n');
    await until(() => /INIT 2\n> $/.test(out()));
  });

  it("the Espruino helper, loader and test app use only syntax Espruino 2v29 runs", () => {
    const app = readFileSync(join(import.meta.dirname, "fixtures", "app.js"), "utf8");
    for (const code of [...ESPRUINO.helper, ESPRUINO.loader, app]) expect(checkEspruinoSyntax(code, "helper.js")).toEqual([]);
  });

  it.skipIf(!hasLua53 && process.env.CI !== "true")("NodeMCU on the reference lua5.3: upload and provision end to end", async () => {
    const { board, port } = newBoard({ firmware: "nodemcu", runtimes: [espruinoRuntime, nodemcuLua53Runtime] });
    try {
      let r = await run(upload, ["--file", join(import.meta.dirname, "fixtures", "app.lua"), "--port", port, "--version", "5.3.6", "--json"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      expect(r.json().ready).toMatch(/^TSENSE READY 5\.3\.6 a_[0-9a-f]{16}\.lua$/);
      r = await run(provision, ["--name", "lua53", "--relay", "grp://k@relay.example:5224", "--invitation", "inv", "--port", port, "--json"]);
      expect(r.code, r.stderr).toBe(ExitCode.OK);
      expect(r.json().identity).toMatch(/^[0-9a-f]{64}$/);
      expect(board.files.has("tsense.key")).toBe(true);
    } finally {
      board.powerOff();
    }
  }, 60_000);
});
