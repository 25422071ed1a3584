/**
 * The Lua half of the virtual NodeMCU: the module tables (tmr, net, i2c, adc, gpio,
 * node, file, sdmmc, encoder, crypto.new_hash, uart, wifi, sodium.random), the io/os
 * overrides, dofile, and the console (lua.c's line REPL and the boot that runs init.lua), shaped like
 * NodeMCU-ESP32 dev-esp32 (argument checks and error texts follow components/modules/*.c
 * where the firmware could notice). Everything that touches the outside world is one
 * call to the host function `__vn_host(op, …)`; the host answers asynchronous events
 * through the dispatcher registered with "set_dispatch". Binary strings cross unchanged.
 */
export const NODEMCU_PRELUDE = String.raw`
local H = __vn_host
__vn_host = nil
local handlers = {}
local function dispatch(kind, a, b, c)
  local h = handlers[kind]
  if h then h(a, b, c) end
end
H("set_dispatch", dispatch, debug.traceback)

print = function(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  H("print", table.concat(parts, "\t"))
end
local pending = ""
io.write = function(...)
  for i = 1, select("#", ...) do
    pending = pending .. tostring((select(i, ...)))
  end
  while true do
    local nl = pending:find("\n", 1, true)
    if not nl then break end
    H("print", pending:sub(1, nl - 1))
    pending = pending:sub(nl + 1)
  end
end

-- Things that would reach the shared wasm file system or the host process.
io.popen, io.lines, io.input, io.output, io.tmpfile, io.read = nil, nil, nil, nil, nil, nil
os.execute, os.tmpname, os.getenv, dofile, loadfile = nil, nil, nil, nil, nil
os.exit = function() error("os.exit is not available on NodeMCU") end

local function int(v, what)
  if type(v) ~= "number" or v ~= math.floor(v) then error("bad argument (" .. what .. ": integer expected)", 3) end
  return math.tointeger(v)
end

-- tmr -------------------------------------------------------------------
local timers = {}
local T = {}
T.__index = T
tmr = { ALARM_SINGLE = 0, ALARM_SEMI = 1, ALARM_AUTO = 2 }
local function interval(ms)
  ms = int(ms, "interval")
  if ms < 1 or ms > 6870947 then error("Range: 1-6870947", 3) end
  return ms
end
function tmr.create() return setmetatable({ mode = -1 }, T) end
function T:register(ms, mode, fn)
  ms = interval(ms)
  if mode ~= 0 and mode ~= 1 and mode ~= 2 then error("Invalid mode", 2) end
  if type(fn) ~= "function" then error("bad argument #4 to 'register' (function expected)", 2) end
  self:stop()
  self.ms, self.mode, self.fn = ms, mode, fn
end
function T:start()
  if self.fn == nil then return false end
  if self.hid then H("timer_cancel", self.hid); timers[self.hid] = nil end
  self.hid = H("timer_set", self.ms)
  timers[self.hid] = self
  return true
end
function T:alarm(ms, mode, fn) self:register(ms, mode, fn); return self:start() end
function T:stop()
  if self.fn == nil then return false end
  if self.hid then H("timer_cancel", self.hid); timers[self.hid] = nil; self.hid = nil end
  return true
end
function T:unregister() self:stop(); self.fn = nil; self.mode = -1 end
function T:interval(ms)
  self.ms = interval(ms)
  if self.hid then self:start() end
end
function T:state()
  if self.fn == nil then return nil end
  return self.hid ~= nil, self.mode
end
function tmr.wdclr() end
handlers.timer = function(hid)
  local t = timers[hid]
  if t == nil then return end
  timers[hid] = nil
  t.hid = nil
  local fn = t.fn
  if t.mode == 2 then t:start()
  elseif t.mode == 0 then t.fn = nil; t.mode = -1 end
  if fn then fn(t) end
end

-- net -------------------------------------------------------------------
net = { TCP = 1, UDP = 2 }
local socks = {}
local S = {}
S.__index = S
local EVENTS = { connection = true, reconnection = true, disconnection = true, receive = true, sent = true }
function net.createConnection(kind, secure)
  if kind ~= nil and kind ~= net.TCP then error("only net.TCP is simulated", 2) end
  return setmetatable({ cb = {} }, S)
end
function S:on(ev, fn)
  if not EVENTS[ev] then error("invalid callback name", 2) end
  if fn ~= nil and type(fn) ~= "function" then error("bad argument #2 to 'on' (function expected)", 2) end
  self.cb[ev] = fn
end
function S:connect(port, host)
  port = int(port, "port")
  if type(host) ~= "string" then error("need IP address", 2) end
  if self.hid and not self.dead then error("already connected", 2) end
  self.dead = false
  self.hid = H("tcp_connect", host, port)
  socks[self.hid] = self
end
function S:send(data, fn)
  if type(data) ~= "string" or #data == 0 then error("no data to send", 2) end
  if type(fn) == "function" then self.cb.sent = fn end
  if not self.hid or self.dead then error("not connected", 2) end
  H("tcp_send", self.hid, data)
end
function S:close()
  if not self.hid or self.dead then error("not connected", 2) end
  self.dead = true
  socks[self.hid] = nil
  H("tcp_close", self.hid)
end
function S:getpeer()
  if not self.hid or self.dead then return nil end
  return H("tcp_peer", self.hid)
end
handlers.tcp = function(hid, ev, arg)
  local s = socks[hid]
  if s == nil then return end
  if ev == "disconnection" then
    s.dead = true
    socks[hid] = nil
    local fn = (arg ~= 0 and s.cb.reconnection) or s.cb.disconnection
    if fn then fn(s, arg) end
    return
  end
  local fn = s.cb[ev]
  if fn then
    if ev == "receive" then fn(s, arg) else fn(s) end
  end
end

-- i2c (master; hardware ports queue operations until transfer) ----------
i2c = { SW = 0, HW0 = 1, HW1 = 2, TRANSMITTER = 0, RECEIVER = 1, SLOW = 100000, FAST = 400000, FASTPLUS = 1000000 }
local queues = {}
local function q(id)
  local ops = queues[id]
  if ops == nil then error("i2c interface " .. tostring(id) .. " not set up", 3) end
  return ops
end
function i2c.setup(id, sda, scl, speed)
  id, sda, scl, speed = int(id, "id"), int(sda, "sda"), int(scl, "scl"), int(speed, "speed")
  if id < 0 or id > 2 then error("invalid id", 2) end
  if speed < 1 or speed > (id == 0 and 100000 or 1000000) then error("invalid speed", 2) end
  if queues[id] ~= nil and id ~= 0 then error("i2c interface already set up", 2) end
  queues[id] = {}
  return speed
end
function i2c.start(id) local o = q(id); o[#o + 1] = { "start" } end
function i2c.stop(id) local o = q(id); o[#o + 1] = { "stop" } end
function i2c.address(id, addr, dir)
  local o = q(id)
  addr = int(addr, "device_addr")
  if addr < 0 or addr > 127 then error("wrong 7-bit address", 2) end
  if dir ~= 0 and dir ~= 1 then error("wrong direction", 2) end
  o[#o + 1] = { "addr", addr, dir }
  return true
end
function i2c.write(id, ...)
  local o = q(id)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "number" then
      if v < 0 or v > 255 then error("wrong arg range", 2) end
      parts[#parts + 1] = string.char(v)
    elseif type(v) == "string" then
      parts[#parts + 1] = v
    elseif type(v) == "table" then
      for _, b in ipairs(v) do parts[#parts + 1] = string.char(b) end
    elseif type(v) ~= "boolean" then
      error("wrong arg type", 2)
    end
  end
  local s = table.concat(parts)
  o[#o + 1] = { "write", s }
  return #s
end
function i2c.read(id, len)
  local o = q(id)
  len = int(len, "len")
  if len < 1 then error("invalid length", 2) end
  o[#o + 1] = { "read", len }
end
function i2c.transfer(id, cb, to)
  local ops = q(id)
  if id == 0 then error("transfer is for hardware interfaces only", 2) end
  if cb ~= nil then error("asynchronous i2c.transfer is not simulated", 2) end
  queues[id] = {}
  local data, ack = nil, true
  local addr, buf = nil, nil
  local function flush()
    if addr ~= nil and buf ~= nil then
      if not H("i2c_write", addr, buf) then ack = false end
    end
    addr, buf = nil, nil
  end
  for _, op in ipairs(ops) do
    if not ack then break end
    local k = op[1]
    if k == "start" or k == "stop" then flush()
    elseif k == "addr" then
      flush()
      addr = op[2]
      if op[3] == 0 then buf = "" end
    elseif k == "write" then
      if buf == nil then error("write without a transmitter address", 2) end
      buf = buf .. op[2]
    elseif k == "read" then
      if addr == nil or buf ~= nil then error("read without a receiver address", 2) end
      local d = H("i2c_read", addr, op[2])
      if d == nil then ack = false else data = d end
      addr = nil
    end
  end
  flush()
  if not ack then data = nil end
  return data, ack
end

-- adc / gpio -------------------------------------------------------------
adc = { ADC1 = 1, ATTEN_0db = 0, ATTEN_2_5db = 1, ATTEN_6db = 2, ATTEN_11db = 3 }
local adcWidth = 12
local adcReady = {}
function adc.setwidth(id, bits)
  if id ~= 1 then error("no such ADC", 2) end
  bits = int(bits, "bits")
  if bits < 9 or bits > 12 then error("adc_set_width failed", 2) end
  adcWidth = bits
end
function adc.setup(id, ch, atten)
  if id ~= 1 then error("no such ADC", 2) end
  ch = int(ch, "channel")
  if ch < 0 or ch > 9 then error("channel " .. ch .. " does not exist in ADC1", 2) end
  if atten ~= 3 then error("only ATTEN_11db is simulated", 2) end
  adcReady[ch] = true
end
function adc.read(id, ch)
  if id ~= 1 then error("no such ADC", 2) end
  if not adcReady[ch] then error("adc_read failed", 2) end
  return H("adc_read", ch, adcWidth)
end
gpio = { IN = 1, OUT = 2, IN_OUT = 3, FLOATING = 0, PULL_UP = 1, PULL_DOWN = 2, PULL_UP_DOWN = 3 }
function gpio.config(...)
  for i = 1, select("#", ...) do
    local c = select(i, ...)
    if type(c) ~= "table" or c.gpio == nil then error("bad gpio config", 2) end
  end
end
function gpio.write(pin, level) H("gpio_write", int(pin, "pin"), level ~= 0 and 1 or 0) end
function gpio.read(pin) return H("gpio_read", int(pin, "pin")) end

-- node -------------------------------------------------------------------
node = { egc = { setmode = function() end, ALWAYS = 1, ON_ALLOC_FAILURE = 2, ON_MEM_LIMIT = 3 } }
function node.restart() H("restart") end
function node.heap()
  local free = H("heap_total") - math.floor(collectgarbage("count") * 1024)
  return free > 0 and free or 0
end
function node.uptime() return H("uptime"), 0 end
function node.bootreason() return H("bootreason") end
function node.chipid() return "0x7cdfa1000000" end
function node.info(group)
  if group == "sw_version" then
    return { git_release = H("sw_version"), git_branch = "dev-esp32", node_version_major = 3, node_version_minor = 0, node_version_revision = 0 }
  end
  if group == "hw" then return { chip_model = "esp32s3", chip_cores = 2 } end
  return {}
end
function node.random(l, u)
  local r = string.unpack("<I4", H("random", 4))
  if l == nil then return r / 4294967296 end
  if u == nil then l, u = 1, l end
  l, u = int(l, "l"), int(u, "u")
  if u < l then error("interval is empty", 2) end
  return l + r % (u - l + 1)
end
handlers.query_mem = function(full)
  if full then collectgarbage("collect") end
  H("mem", collectgarbage("count"))
end

-- encoder ------------------------------------------------------------------
encoder = {}
function encoder.toBase64(s) return H("enc", "tob64", s) end
function encoder.fromBase64(s) return H("enc", "fromb64", s) end
function encoder.toHex(s) return H("enc", "tohex", s) end
function encoder.fromHex(s) return H("enc", "fromhex", s) end

-- crypto (SHA-256 is what the flashing protocol hashes files with) -------------
crypto = {}
local Hash = {}
Hash.__index = Hash
function crypto.new_hash(algo)
  if type(algo) ~= "string" or algo:upper() ~= "SHA256" then error("unsupported hash algorithm", 2) end
  return setmetatable({ parts = {} }, Hash)
end
function Hash:update(s)
  if type(s) ~= "string" then error("bad argument #1 to 'update' (string expected)", 2) end
  self.parts[#self.parts + 1] = s
end
function Hash:finalize() return H("sha256", table.concat(self.parts)) end

-- uart: the console UART 0 (uart.setup's last argument switches its echo) -----
uart = { PARITY_NONE = 0, PARITY_ODD = 1, PARITY_EVEN = 2, STOPBITS_1 = 1, STOPBITS_1_5 = 2, STOPBITS_2 = 3 }
function uart.setup(id, baud, databits, parity, stopbits, echo)
  id, baud = int(id, "id"), int(baud, "baud")
  if id ~= 0 then error("only the console UART 0 is simulated", 2) end
  if type(echo) == "number" then H("uart_echo", echo ~= 0) end
  return baud
end
function uart.write(id, ...)
  if id ~= 0 then error("only the console UART 0 is simulated", 2) end
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "number" then v = string.char(v) end
    H("write", v)
  end
end

-- sodium.random (esp_random) ---------------------------------------------
sodium = { random = {} }
function sodium.random.buf(n) return H("random", int(n, "n")) end
function sodium.random.random()
  local b = H("random", 4)
  local v = string.unpack("<i4", b)
  return v
end

-- wifi (station) -----------------------------------------------------------
wifi = { NULLMODE = 0, STATION = 1, SOFTAP = 2, STATIONAP = 3, sta = {}, ap = {} }
local wmode, wstarted, wcfg, wcb = 0, false, nil, {}
function wifi.mode(m) wmode = m; return m end
function wifi.getmode() return wmode end
function wifi.start() wstarted = true; H("wifi_start") end
function wifi.stop() wstarted = false; H("wifi_stop") end
function wifi.sta.config(c)
  if wmode ~= 1 and wmode ~= 3 then error("station mode required", 2) end
  if type(c) ~= "table" or type(c.ssid) ~= "string" or #c.ssid > 32 then error("ssid required", 2) end
  wcfg = c
end
function wifi.sta.on(ev, fn) wcb[ev] = fn end
function wifi.sta.connect()
  if not wstarted then error("wifi not started", 2) end
  if wcfg == nil then error("no station config", 2) end
  H("wifi_connect", wcfg.ssid, wcfg.pwd or "")
end
function wifi.sta.disconnect() H("wifi_disconnect") end
handlers.wifi = function(ev, a, b)
  local fn = wcb[ev]
  if not fn then return end
  if ev == "connected" then fn(ev, { ssid = a, bssid = "02:00:00:00:00:01", channel = 6, auth = 3 })
  elseif ev == "got_ip" then fn(ev, { ip = a, netmask = "255.255.255.0", gw = b })
  elseif ev == "disconnected" then fn(ev, { ssid = a, bssid = "02:00:00:00:00:01", reason = b })
  else fn(ev, {}) end
end

-- sdmmc ----------------------------------------------------------------------
sdmmc = { HS1 = 0, HS2 = 1, SPI2 = 2, SPI3 = 3, HSPI = 2, VSPI = 3, W1BIT = 1, W4BIT = 4 }
local Card = {}
Card.__index = Card
function sdmmc.init(slot, cfg)
  slot = int(slot, "slot")
  if slot < 0 or slot > 3 then error("invalid slot", 2) end
  if slot >= 2 and (type(cfg) ~= "table" or not (cfg.sck_pin and cfg.mosi_pin and cfg.miso_pin and cfg.cs_pin)) then
    error("missing SPI pin configuration", 2)
  end
  H("sd_init")
  return setmetatable({}, Card)
end
function Card:mount(ldrv)
  if type(ldrv) ~= "string" or not ldrv:match("^/SD%d$") then error("invalid logical drive", 2) end
  return H("sd_mount", ldrv)
end
function Card:umount() H("sd_umount") end
function Card:get_info() return { csd = { capacity = 7744512, sector_size = 512 } } end

-- file (metadata) and io/os on the device's VFS ------------------------------
file = {}
function file.list(mp)
  local t = {}
  for name, size in H("fs_list", mp):gmatch("([^\n]*)\t(%d+)\n") do t[name] = tonumber(size) end
  return t
end
function file.exists(p) return H("fs_exists", p) end
function file.remove(p) H("fs_remove", p) end
function file.rename(a, b) return H("fs_rename", a, b) == true end

local F = {}
F.__index = F
F.__gc = function(self)
  if not self.closed then self.closed = true; H("fs_close", self.fd) end
end
F.__name = "FILE*"
io.open = function(path, mode)
  local fd, err = H("fs_open", path, mode or "r")
  if fd == nil then return nil, err end
  return setmetatable({ fd = fd }, F)
end
local function live(f)
  if f.closed then error("attempt to use a closed file", 3) end
end
function F:read(what)
  live(self)
  what = what or "l"
  if type(what) == "number" then return H("fs_read", self.fd, math.tointeger(what) or error("bad read size")) end
  local k = what:gsub("^%*", ""):sub(1, 1)
  if k == "a" then return H("fs_read", self.fd, -1) end
  if k == "l" or k == "L" then return H("fs_readline", self.fd, k == "L") end
  error("bad argument #1 to 'read' (invalid format)", 2)
end
function F:write(...)
  live(self)
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "number" then v = tostring(v) end
    if type(v) ~= "string" then error("bad argument #" .. i .. " to 'write' (string expected)", 2) end
    local ok, err = H("fs_write", self.fd, v)
    if not ok then return nil, err end
  end
  return self
end
function F:seek(whence, off)
  live(self)
  return H("fs_seek", self.fd, whence or "cur", off or 0)
end
function F:flush() live(self); return self end
function F:close()
  live(self)
  self.closed = true
  H("fs_close", self.fd)
  return true
end
os.remove = function(p)
  local ok, err = H("fs_remove", p)
  if ok then return true end
  return nil, err
end
os.rename = function(a, b)
  local ok, err = H("fs_rename", a, b)
  if ok then return true end
  return nil, err
end

-- dofile on the device's VFS ---------------------------------------------------
dofile = function(name)
  local f = io.open(name, "r")
  if not f then error("cannot open " .. tostring(name), 2) end
  local src = f:read("a")
  f:close()
  local chunk, err = load(src, "@" .. name)
  if not chunk then error(err, 2) end
  return chunk()
end

-- console: one line at a time as lua.c runs it; power-on runs init.lua ----------
local partial = nil
handlers.console = function(line)
  local src = partial and (partial .. "\n" .. line) or line
  local chunk, err = load("return " .. src, "=stdin")
  if not chunk then chunk, err = load(src, "=stdin") end
  if not chunk then
    if err:sub(-5) == "<eof>" then
      partial = src
      H("write", ">> ")
      return
    end
    partial = nil
    print(err)
    H("write", "> ")
    return
  end
  partial = nil
  local res = table.pack(pcall(chunk))
  if not res[1] then print(res[2])
  elseif res.n > 1 then print(table.unpack(res, 2, res.n)) end
  H("write", "> ")
end
handlers.boot = function()
  if file.exists("init.lua") then
    local ok, err = pcall(dofile, "init.lua")
    if not ok then print(err) end
  end
  H("write", "> ")
end
`;
