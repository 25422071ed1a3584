/**
 * The virtual NodeMCU on Debian's `lua5.3` (the reference interpreter: Lua 5.3 with
 * 64-bit integers and doubles, like NodeMCU's INT64 + DOUBLE build), one child process
 * per device. Same modules (virtual-nodemcu-prelude.ts) and same host (NodeMcuHost) as
 * the wasmoon VM; only the transport differs: a small Lua driver speaks length-prefixed
 * frames over stdin/stdout.
 *
 *   Lua → host: "R"+values (a host call; the reply is "O"+values or "X"+error text),
 *               "D" (the chunk or event finished), "E"+text (it raised an error).
 *   host → Lua: "L"+(name, code) run a chunk, "V"+(kind, args…) deliver an event, "Q" quit.
 *   values: "z" nil, "t"/"f" booleans, "i<int>;", "d<float>;", "s<len>:<bytes>".
 *
 * Events wait while Lua is busy, so the order is the one NodeMCU's single task queue gives;
 * each queued job holds the scheduler, so virtual time stands still while Lua works.
 * boot() and luaMemory() are asynchronous here (the VM is another process).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { lua53Available } from "./lua-runner";
import { type HostValue, LuaFloat, NodeMcuHost, type VirtualNodeMcuOptions } from "./virtual-nodemcu";
import { NODEMCU_PRELUDE } from "./virtual-nodemcu-prelude";

const DRIVER = String.raw`
local stdin, stdout, exit = io.stdin, io.stdout, os.exit
local mtype, tostring, tonumber, format = math.type, tostring, tonumber, string.format
local function send(s) stdout:write(#s, "\n", s) stdout:flush() end
local function recv()
  local l = stdin:read("l")
  if l == nil then exit(0) end
  local n = tonumber(l)
  return n > 0 and stdin:read(n) or ""
end
local function enc(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    local t = type(v)
    if t == "string" then out[#out + 1] = "s" .. #v .. ":" .. v
    elseif t == "boolean" then out[#out + 1] = v and "t" or "f"
    elseif t == "number" then
      if mtype(v) == "integer" then out[#out + 1] = "i" .. v .. ";" else out[#out + 1] = "d" .. format("%.17g", v) .. ";" end
    else out[#out + 1] = "z" end
  end
  return table.concat(out)
end
local function dec(s, pos)
  local vals, n = {}, 0
  while pos <= #s do
    local k = s:sub(pos, pos)
    n = n + 1
    if k == "z" then pos = pos + 1
    elseif k == "t" then vals[n] = true pos = pos + 1
    elseif k == "f" then vals[n] = false pos = pos + 1
    elseif k == "i" or k == "d" then
      local e = s:find(";", pos, true)
      vals[n] = k == "i" and math.tointeger(tonumber(s:sub(pos + 1, e - 1))) or tonumber(s:sub(pos + 1, e - 1)) + 0.0
      pos = e + 1
    elseif k == "s" then
      local c = s:find(":", pos, true)
      local len = tonumber(s:sub(pos + 1, c - 1))
      vals[n] = s:sub(c + 1, c + len)
      pos = c + 1 + len
    else error("bad frame at " .. pos) end
  end
  return table.unpack(vals, 1, n)
end
local dispatch, traceback = nil, debug.traceback
function __vn_host(op, ...)
  if op == "set_dispatch" then
    local d, tb = ...
    dispatch, traceback = d, tb
    return
  end
  send("R" .. enc(op, ...))
  local r = recv()
  if r:sub(1, 1) == "X" then error(r:sub(2), 0) end
  return dec(r, 2)
end
while true do
  local m = recv()
  local k = m:sub(1, 1)
  if k == "L" then
    local name, code = dec(m, 2)
    local f, err = load(code, name, "t")
    if not f then send("E" .. err) else
      local ok, e = xpcall(f, traceback)
      send(ok and "D" or ("E" .. tostring(e)))
    end
  elseif k == "V" then
    local ok, e = xpcall(dispatch, traceback, dec(m, 2))
    send(ok and "D" or ("E" .. tostring(e)))
  elseif k == "Q" then exit(0) end
end
`;

function encode(values: HostValue[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    if (v === undefined || v === null) parts.push(Buffer.from("z"));
    else if (typeof v === "boolean") parts.push(Buffer.from(v ? "t" : "f"));
    else if (v instanceof LuaFloat) parts.push(Buffer.from(`d${v.v};`));
    else if (typeof v === "number") parts.push(Buffer.from(Number.isSafeInteger(v) ? `i${v};` : `d${v};`));
    else {
      const b = typeof v === "string" ? Buffer.from(v, "latin1") : v;
      parts.push(Buffer.from(`s${b.length}:`), b);
    }
  }
  return Buffer.concat(parts);
}

function decode(buf: Buffer, pos: number): HostValue[] {
  const out: HostValue[] = [];
  while (pos < buf.length) {
    const k = String.fromCharCode(buf[pos]);
    if (k === "z") {
      out.push(undefined);
      pos++;
    } else if (k === "t" || k === "f") {
      out.push(k === "t");
      pos++;
    } else if (k === "i" || k === "d") {
      const e = buf.indexOf(0x3b, pos);
      out.push(Number(buf.subarray(pos + 1, e).toString("latin1")));
      pos = e + 1;
    } else if (k === "s") {
      const c = buf.indexOf(0x3a, pos);
      const len = Number(buf.subarray(pos + 1, c).toString("latin1"));
      out.push(Buffer.from(buf.subarray(c + 1, c + 1 + len)));
      pos = c + 1 + len;
    } else {
      throw new Error(`lua5.3 driver: bad value tag '${k}' at ${pos}`);
    }
  }
  return out;
}

function frame(tag: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const payload = Buffer.concat([Buffer.from(tag, "latin1"), body]);
  return Buffer.concat([Buffer.from(`${payload.length}\n`), payload]);
}

interface Job {
  msg: Buffer;
  /** Called with undefined on "D", with the error text on "E". */
  done: (err: string | undefined) => void;
}

let nextId = 1;

export class VirtualNodeMcuLua53 extends NodeMcuHost {
  private readonly proc: ChildProcessWithoutNullStreams;
  private input: Buffer = Buffer.alloc(0);
  private readonly queue: Job[] = [];
  private current: Job | undefined;
  private exited = false;
  private stderr = "";

  private constructor(options: VirtualNodeMcuOptions) {
    super(nextId++, options);
    this.proc = spawn("lua5.3", ["-e", DRIVER], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.on("data", (d: Buffer) => this.onData(d));
    this.proc.stderr.setEncoding("utf8");
    this.proc.stderr.on("data", (d: string) => (this.stderr += d));
    this.proc.on("exit", () => {
      this.exited = true;
      const err = `lua5.3 exited${this.stderr !== "" ? `: ${this.stderr.trim()}` : ""}`;
      for (const j of [this.current, ...this.queue.splice(0)]) j?.done(err);
      this.current = undefined;
    });
    this.proc.stdin.on("error", () => {});
  }

  /** Whether Debian's lua5.3 is on PATH. */
  static available(): boolean {
    return lua53Available() !== null;
  }

  static async create(options: VirtualNodeMcuOptions): Promise<VirtualNodeMcuLua53> {
    const dev = new VirtualNodeMcuLua53(options);
    if (options.preamble !== undefined) await dev.boot(options.preamble, "=preamble");
    await dev.boot(NODEMCU_PRELUDE, "=nodemcu");
    return dev;
  }

  /** Runs a compiled Lua bundle as init.lua would; rejects with the Lua error (and traceback). */
  boot(code: string, name = "=init.lua"): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueue(frame("L", encode([name, code])), (err) => (err === undefined ? resolve() : reject(new Error(err))));
    });
  }

  /** Lua heap in use (collectgarbage("count")), in bytes; after a full collection when `full`. */
  async luaMemory(full = false): Promise<number> {
    await new Promise<void>((resolve) => this.enqueue(frame("V", encode(["query_mem", full])), () => resolve()));
    return Math.round(this.memKb * 1024);
  }

  stop(): void {
    if (this.exited) return;
    this.releaseHost();
    this.proc.stdin.end(frame("Q"));
    this.proc.kill();
  }

  protected event(kind: string, ...args: HostValue[]): void {
    if (this.halted || this.exited) return;
    this.enqueue(frame("V", encode([kind, ...args])), (err) => {
      if (err !== undefined && !this.halted) {
        this.errors.push(err);
        this.print(`PANIC: ${err}`);
      }
    });
  }

  private enqueue(msg: Buffer, done: (err: string | undefined) => void): void {
    if (this.exited) {
      done("lua5.3 has exited");
      return;
    }
    // The VM is another process: while it works on a job the virtual clock must not move.
    const release = this.options.scheduler.hold();
    this.queue.push({
      msg,
      done: (err) => {
        release();
        done(err);
      },
    });
    this.pump();
  }

  private pump(): void {
    if (this.current !== undefined || this.exited) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    this.current = job;
    this.proc.stdin.write(job.msg);
  }

  private onData(d: Buffer): void {
    this.input = this.input.length === 0 ? d : Buffer.concat([this.input, d]);
    for (;;) {
      const nl = this.input.indexOf(10);
      if (nl < 0) return;
      const len = Number(this.input.subarray(0, nl).toString("latin1"));
      if (this.input.length < nl + 1 + len) return;
      const msg = this.input.subarray(nl + 1, nl + 1 + len);
      this.input = this.input.subarray(nl + 1 + len);
      this.onMessage(Buffer.from(msg));
    }
  }

  private onMessage(msg: Buffer): void {
    const tag = String.fromCharCode(msg[0]);
    if (tag === "R") {
      const values = decode(msg, 1);
      let reply: Buffer;
      try {
        const op = values[0];
        if (!Buffer.isBuffer(op)) throw new Error("host call without an op name");
        reply = frame("O", encode(this.host(op.toString("latin1"), values.slice(1))));
      } catch (e) {
        reply = frame("X", Buffer.from(e instanceof Error ? e.message : String(e), "latin1"));
      }
      if (!this.exited) this.proc.stdin.write(reply);
      return;
    }
    const job = this.current;
    this.current = undefined;
    job?.done(tag === "E" ? msg.subarray(1).toString("latin1") : undefined);
    this.pump();
  }
}
