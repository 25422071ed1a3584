// The NodeMCU device helper under a real Lua 5.3 (Debian's lua5.3), not only under the
// wasmoon (Lua 5.4) emulator: CRC-32, open/resume/write with the real io library. NodeMCU's
// own modules (encoder, file, crypto, node) are stubbed in plain Lua; U.h (SHA-256) is left out.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crc32 } from "../upload/crc32.js";
import { NODEMCU } from "../upload/dialects.js";
import { tempDir } from "./helpers.js";

const hasLua = spawnSync("lua5.3", ["-v"]).status === 0;

const STUBS = String.raw`
local B='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
encoder = { fromBase64 = function(s)
  if #s % 4 ~= 0 or s:find('[^%w%+/=]') then error('invalid base64') end
  s = s:gsub('=', '')
  local bits = s:gsub('.', function(c) local v = B:find(c, 1, true) - 1 local r = '' for i = 5, 0, -1 do r = r .. ((v >> i) & 1) end return r end)
  return (bits:gsub('%d%d%d?%d?%d?%d?%d?%d?', function(b) if #b ~= 8 then return '' end return string.char(tonumber(b, 2)) end))
end }
file = { list = function() return {} end, exists = function(n) local f = io.open(n) if f then f:close() return true end return false end }
`;

describe.skipIf(!hasLua)("NodeMCU helper on real Lua 5.3", () => {
  it("CRC-32 matches, chunks are written at their offsets, CRCS reports what is there, bad chunks are NAKed", () => {
    const dir = tempDir();
    const data = new Uint8Array(500).map((_, i) => (i * 37 + 11) & 0xff);
    const line = (off: number, end: number, crc?: string) => {
      const chunk = data.subarray(off, end);
      return `U.w(${off},"${Buffer.from(chunk).toString("base64")}","${crc ?? crc32(chunk).toString(16).padStart(8, "0")}")`;
    };
    const script = [
      STUBS, ...NODEMCU.helper,
      `print(U.crc("123456789"))`,
      `U.b("f.bin",${data.length})`,
      line(0, 160), line(320, 480), line(160, 320, "00000000"), line(160, 320), line(480, 500),
      `U.q(160)`,
      `U.b("f.bin",${data.length})`,
    ].join("\n");
    writeFileSync(join(dir, "t.lua"), script);
    const r = spawnSync("lua5.3", ["t.lua"], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const out = r.stdout.trim().split("\n");
    expect(out[0]).toBe("cbf43926");
    expect(out.slice(1, 7)).toEqual(["@T OPEN 0", "@T ACK 160", "@T ACK 480", "@T NAK 160 CRC", "@T ACK 320", "@T ACK 500"]);
    const crcs = [0, 160, 320, 480].map((o) => crc32(data.subarray(o, o + 160)).toString(16).padStart(8, "0")).join("");
    expect(out[7]).toBe(`@T CRCS ${crcs}`);
    expect(out[8]).toBe("@T OPEN 500");
    expect(Buffer.from(readFileSync(join(dir, "f.bin"))).equals(Buffer.from(data))).toBe(true);
  });
});
