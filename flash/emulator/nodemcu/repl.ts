// NodeMCU-ESP32 REPL emulator: the Lua console of NodeMCU on an ESP32-S3, running uploaded
// Lua for real in wasmoon. It provides the NodeMCU-ESP32 APIs tsense's upload/provision
// protocol and a small app use: io.open (read/write/seek/close, the only file I/O on ESP32,
// which has no file.open), dofile, file.list/remove/rename/exists/fsinfo, os.remove/rename,
// encoder.fromBase64/toBase64/toHex/fromHex, crypto.new_hash("SHA256"), node.restart/heap/
// random/info, uart.setup (console echo on/off), and init.lua at boot.
//
// wasmoon embeds Lua 5.4 (NodeMCU builds 5.1 or 5.3); code sent to it sticks to the common
// subset. Lua strings are byte strings but wasmoon converts them as UTF-8 at the JS border,
// so every byte string crosses that border hex-encoded.
import { createHash, randomBytes } from "node:crypto";
import { LuaFactory, type LuaEngine } from "wasmoon";
import type { DeviceRuntime, RuntimeContext, RuntimeFactory } from "../board.js";

export const NODEMCU_PROJECT = "nodemcu";
/** Line buffer of the NodeMCU console (LUA_MAXINPUT): longer lines are cut. */
export const NODEMCU_MAX_LINE = 256;
const CTRL_C = 0x03;
const FS_TOTAL = 0x100000;

export function nodemcuBanner(version: string, idf: string): string {
  return `\nNodeMCU ESP32 build ${version} powered by Lua 5.3.6 [5.3-int32-singlefp] on IDF ${idf}\n`;
}

let factory: LuaFactory | null = null;

const PRELUDE = String.raw`
local H = __host
__host = nil
local function tohex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function fromhex(h) return (h:gsub("..", function(x) return string.char(tonumber(x, 16)) end)) end
print = function(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  H.out(tohex(table.concat(t, "\t") .. "\n"))
end
local File = {}
File.__index = File
function File:read(fmt)
  if self.closed then return nil, "file closed" end
  local size = H.size(self.name)
  fmt = fmt or "l"
  if type(fmt) == "string" then fmt = fmt:gsub("^%*", "") end
  local n
  if fmt == "a" then n = size - self.pos
  elseif type(fmt) == "number" then n = math.min(fmt, size - self.pos)
  else
    local rest = fromhex(H.read_at(self.name, self.pos, size - self.pos))
    if #rest == 0 then return nil end
    local line = rest:match("^[^\n]*")
    self.pos = self.pos + #line + ((#line < #rest) and 1 or 0)
    return line
  end
  if n <= 0 and fmt ~= "a" then return nil end
  local s = fromhex(H.read_at(self.name, self.pos, n))
  self.pos = self.pos + #s
  return s
end
function File:write(...)
  if not self.writable then return nil, "file not writable" end
  for _, v in ipairs({...}) do
    local s = tostring(v)
    if self.append then self.pos = H.size(self.name) end
    H.write_at(self.name, self.pos, tohex(s))
    self.pos = self.pos + #s
  end
  return self
end
function File:seek(whence, off)
  whence = whence or "cur"
  off = off or 0
  if whence == "set" then self.pos = off
  elseif whence == "end" then self.pos = H.size(self.name) + off
  else self.pos = self.pos + off end
  return self.pos
end
function File:flush() return true end
function File:close() self.closed = true return true end
function File:lines() return function() return self:read("l") end end
io = io or {}
io.open = function(name, mode)
  mode = mode or "r"
  local exists = H.exists(name)
  local m = mode:sub(1, 1)
  if m == "r" and not exists then return nil, name .. ": No such file or directory" end
  if m == "w" then H.truncate(name) elseif m == "a" and not exists then H.truncate(name) end
  local f = setmetatable({ name = name, pos = 0, writable = (m ~= "r") or mode:find("+", 1, true) ~= nil, append = (m == "a") }, File)
  return f
end
dofile = function(name)
  local f, err = io.open(name, "r")
  if not f then error("cannot open " .. name) end
  local src = f:read("a")
  f:close()
  local chunk, cerr = load(src, "@" .. name)
  if not chunk then error(cerr) end
  return chunk()
end
file = {
  list = function() local t = {} for entry in H.list():gmatch("[^\n]+") do local n, s = entry:match("^(.*) (%d+)$") t[n] = tonumber(s) end return t end,
  remove = function(n) H.remove(n) end,
  rename = function(a, b) return H.rename(a, b) end,
  exists = function(n) return H.exists(n) end,
  fsinfo = function() local used = H.used() return ${FS_TOTAL} - used, used, ${FS_TOTAL} end,
}
os.remove = function(n) if not H.exists(n) then return nil, n .. ": No such file or directory" end H.remove(n) return true end
os.rename = function(a, b) if H.rename(a, b) then return true end return nil, a .. ": No such file or directory" end
encoder = {
  toHex = tohex,
  fromHex = fromhex,
  fromBase64 = function(s) local h = H.b64_hex(s) if not h then error("invalid base64") end return fromhex(h) end,
  toBase64 = function(s) return H.hex_b64(tohex(s)) end,
}
crypto = {
  new_hash = function(algo)
    if algo:upper() ~= "SHA256" then error("unsupported hash " .. algo) end
    local parts = {}
    return { update = function(self, s) parts[#parts + 1] = s end, finalize = function(self) return fromhex(H.sha256_hex(tohex(table.concat(parts)))) end }
  end,
}
node = {
  restart = function() H.restart() end,
  heap = function() return 180000 end,
  random = function(a, b) local r = H.random() if a == nil then return r / 4294967296 end if b == nil then return 1 + r % a end return a + r % (b - a + 1) end,
  info = function(group) if group == "sw_version" then return { git_release = H.version(), node_version_major = 3, node_version_minor = 0 } end return {} end,
  chipid = function() return H.chipid() end,
}
uart = {
  setup = function(id, baud, databits, parity, stopbits, echo)
    if id == 0 and type(echo) == "number" then H.echo(echo ~= 0) end
    return baud
  end,
  PARITY_NONE = 0, STOPBITS_1 = 1,
}
local pending = nil
function __repl(line)
  local src = pending and (pending .. "\n" .. line) or line
  local chunk, err = load("return " .. src, "=stdin")
  if not chunk then chunk, err = load(src, "=stdin") end
  if not chunk then
    if err:find("<eof>", 1, true) then pending = src H.out(tohex(">> ")) return end
    pending = nil
    print(err)
    H.out(tohex("> "))
    return
  end
  pending = nil
  local res = table.pack(pcall(chunk))
  if not res[1] then print(res[2]) elseif res.n > 1 then print(table.unpack(res, 2, res.n)) end
  H.out(tohex("> "))
end
function __boot()
  if H.exists("init.lua") then
    local ok, err = pcall(dofile, "init.lua")
    if not ok then print(err) end
  end
  H.out(tohex("> "))
end
`;

class NodemcuRepl implements DeviceRuntime {
  private engine: LuaEngine | null = null;
  private pendingInput: number[] = [];
  private line: number[] = [];
  private stopped = false;
  /** Console echo: on at boot, switched by uart.setup(0, …, echo). */
  private echo = true;

  constructor(private readonly ctx: RuntimeContext) {
    void this.init();
  }

  private async init(): Promise<void> {
    factory ??= new LuaFactory();
    const engine = await factory.createEngine();
    if (this.stopped) { engine.global.close(); return; }
    const files = this.ctx.files;
    const ctx = this.ctx;
    const get = (n: string) => files.get(n) ?? new Uint8Array(0);
    engine.global.set("__host", {
      out: (hex: string) => { if (!this.stopped) ctx.print(new Uint8Array(Buffer.from(hex, "hex"))); },
      size: (n: string) => get(n).length,
      exists: (n: string) => files.has(n),
      truncate: (n: string) => { files.set(n, new Uint8Array(0)); },
      read_at: (n: string, at: number, len: number) => Buffer.from(get(n).subarray(at, at + Math.max(0, len))).toString("hex"),
      write_at: (n: string, at: number, hex: string) => {
        const data = Buffer.from(hex, "hex");
        const old = get(n);
        const next = new Uint8Array(Math.max(old.length, at + data.length));
        next.set(old);
        next.set(data, at);
        files.set(n, next);
      },
      list: () => [...files.entries()].map(([n, f]) => `${n} ${f.length}`).join("\n"),
      remove: (n: string) => { files.delete(n); },
      rename: (a: string, b: string) => { const f = files.get(a); if (!f) return false; files.delete(a); files.set(b, f); return true; },
      used: () => [...files.values()].reduce((s, f) => s + f.length, 0),
      b64_hex: (s: string) => (/^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 ? Buffer.from(s, "base64").toString("hex") : null),
      hex_b64: (hex: string) => Buffer.from(hex, "hex").toString("base64"),
      sha256_hex: (hex: string) => createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex"),
      restart: () => ctx.restart(),
      random: () => randomBytes(4).readUInt32LE(0),
      version: () => ctx.app.version,
      chipid: () => Buffer.from(ctx.board.mac).toString("hex"),
      echo: (on: boolean) => { this.echo = on; },
    });
    engine.doStringSync(PRELUDE);
    this.engine = engine;
    ctx.print(nodemcuBanner(ctx.app.version, ctx.app.idfVersion));
    this.call("__boot");
    const queued = this.pendingInput;
    this.pendingInput = [];
    if (queued.length) this.receive(Uint8Array.from(queued));
  }

  private call(fn: string, arg?: string): void {
    if (!this.engine || this.stopped) return;
    try {
      const f = this.engine.global.get(fn) as (a?: string) => void;
      f(arg);
    } catch (e) {
      this.ctx.print(`${e instanceof Error ? e.message : String(e)}\n> `);
    }
  }

  receive(bytes: Uint8Array): void {
    if (this.stopped) return;
    if (!this.engine) { this.pendingInput.push(...bytes); return; }
    for (const b of bytes) {
      if (this.stopped) return;
      if (b === CTRL_C) { this.line = []; this.ctx.print("\n> "); continue; }
      if (b === 0x0a || b === 0x0d) {
        if (b === 0x0d) continue;
        const text = Buffer.from(Uint8Array.from(this.line)).toString("latin1").slice(0, NODEMCU_MAX_LINE - 1);
        this.line = [];
        if (this.echo) this.ctx.print(`${text}\n`); // console echo
        this.call("__repl", text);
        continue;
      }
      this.line.push(b);
    }
  }

  stop(): void {
    this.stopped = true;
    const e = this.engine;
    this.engine = null;
    if (e) setImmediate(() => { try { e.global.close(); } catch { /* already closed */ } });
  }
}

export const nodemcuRuntime: RuntimeFactory = {
  projectName: NODEMCU_PROJECT,
  start: (ctx) => new NodemcuRepl(ctx),
};
