// The device side of the upload and provision protocol, per interpreter: a small helper `U`
// sent to the REPL before a transfer, and the boot loader that starts the current app.
// Protocol (host -> device line, device answer):
//   U.b(name, size)          @T OPEN <bytes already in the file>
//   U.q(chunk)               @T CRCS <crc32 hex of each existing chunk, concatenated>   (resume)
//   U.w(off, "b64", "crc")   @T ACK <off+len> | @T NAK <off> CRC|RANGE                  (one chunk)
//   U.h()                    @T SHA <sha-256 hex of the whole file>
//   U.s(version)             @T SWITCHED   (boot pointer now names this file: atomic switch)
//   U.i()                    @T INFO <json: runtime version, current app, provisioned, config hash>
//   U.e()                    @T ERASED     (app files and boot pointer removed; config and identity kept)
//   U.p()                    @T IDENTITY <json from the app's provisioning hook> | @T NOHOOK
// At boot the loader reads the pointer, runs the app and prints "TSENSE READY <version> <file>"
// (or "TSENSE BOOTFAIL <file> <error>", or "TSENSE NOAPP").
import type { Runtime } from "../repl/banner.js";

export const APP_POINTER = "tsense.ptr";
export const CONFIG_FILE = "tsense.cfg";
/** Public identity written by the app's provisioning hook. The secret never leaves the device. */
export const IDENTITY_FILE = "tsense.id";
// Only the loader's lines (they name an app file): the tsense app prints "TSENSE READY <firmware
// version> <device name>" itself once provisioned, possibly before the loader's line.
export const READY_LINE = /^TSENSE (?=READY \S+ a_[0-9a-f]{16}\.(?:js|lua)$|BOOTFAIL a_|NOAPP$)(READY|BOOTFAIL|NOAPP)(?: (\S+))?(?: (.*))?$/;

export interface Dialect {
  runtime: Runtime;
  /** Prefix of every line sent (Espruino: \x10 = do not echo). */
  linePrefix: string;
  /** Raw bytes of a chunk per line (the line must fit the REPL's input buffer). */
  chunkSize: number;
  /** Lines that define the helper `U`. */
  helper: string[];
  loaderFile: string;
  loader: string;
  appName(hashHex: string): string;
  /** Line that restarts the board. */
  reboot: string;
  /** Lines that turn the console echo off for a session / back on after it (none: \x10 does it per line). */
  echoOff?: (baud: number) => string;
  echoOn?: (baud: number) => string;
}

const ESPRUINO_HELPER = [
  'var U={S:require("Storage"),n:"",z:0,' +
  'x:function(a){var s="";a=new Uint8Array(a);for(var i=0;i<a.length;i++)s+=(a[i]+256).toString(16).substr(-2);return s;},' +
  'c:function(s){return ("0000000"+(E.CRC32(s)>>>0).toString(16)).substr(-8);},' +
  'b:function(n,z){this.n=n;this.z=z;var f=this.S.read(n);if(f!==undefined&&f.length!==z){this.S.erase(n);f=undefined;}print("@T OPEN "+(f===undefined?0:f.length));},' +
  'q:function(k){var f=this.S.read(this.n)||"",o="";for(var i=0;i<f.length;i+=k)o+=this.c(f.substr(i,k));print("@T CRCS "+o);},' +
  'w:function(o,d,c){var b;try{b=atob(d);}catch(e){b="";}if(this.c(b)!==c){print("@T NAK "+o+" CRC");return;}if(o+b.length>this.z){print("@T NAK "+o+" RANGE");return;}' +
  'this.S.write(this.n,b,o,this.z);print("@T ACK "+(o+b.length));},' +
  'h:function(){print("@T SHA "+this.x(require("crypto").SHA256(this.S.read(this.n)||"")));},' +
  's:function(v){var p=this.S.readJSON("tsense.ptr",1),n=this.n;this.S.write("tsense.ptr",JSON.stringify({app:n,v:v}));' +
  'this.S.list(/^a_/).forEach(function(f){if(f!==n&&!(p&&f===p.app))U.S.erase(f);});print("@T SWITCHED");},' +
  'i:function(){var p=this.S.readJSON("tsense.ptr",1),c=this.S.read("tsense.cfg");print("@T INFO "+JSON.stringify({runtime:"espruino",version:process.env.VERSION,' +
  'serial:getSerial(),app:p?p.app:null,appVersion:p?p.v:null,provisioned:this.S.read("tsense.id")!==undefined,' +
  'configHash:c===undefined?null:this.x(require("crypto").SHA256(c))}));},' +
  'e:function(){var S=this.S;S.list(/^a_/).forEach(function(f){S.erase(f);});S.erase("tsense.ptr");print("@T ERASED");},' +
  'p:function(){if(typeof tsense_provision!=="function"){print("@T NOHOOK");return;}print("@T IDENTITY "+JSON.stringify(tsense_provision()));}};',
];

const ESPRUINO_LOADER =
  'var __p=require("Storage").readJSON("tsense.ptr",1);if(!__p){print("TSENSE NOAPP");}else{try{eval(require("Storage").read(__p.app));' +
  'print("TSENSE READY "+__p.v+" "+__p.app);}catch(e){print("TSENSE BOOTFAIL "+__p.app+" "+e);}}';

// Each line is a complete statement under NodeMCU's 256-byte console line limit.
const NODEMCU_HELPER = [
  "U={n='',z=0}",
  "function U.crc(s) local c=0xffffffff for i=1,#s do c=c~s:byte(i) for _=1,8 do if c&1==1 then c=(c>>1)~0xedb88320 else c=c>>1 end end end return string.format('%08x',(c~0xffffffff)&0xffffffff) end",
  "function U.b(n,z) U.n=n U.z=z local f=io.open(n,'rb') local l=0 if f then l=f:seek('end') f:close() end if l>z then os.remove(n) l=0 end print('@T OPEN '..l) end",
  "function U.q(k) local f=io.open(U.n,'rb') local o={} if f then while true do local s=f:read(k) if not s then break end o[#o+1]=U.crc(s) end f:close() end print('@T CRCS '..table.concat(o)) end",
  "function U.w(o,d,c) local ok,b=pcall(encoder.fromBase64,d) if not ok or U.crc(b)~=c then print('@T NAK '..o..' CRC') return end if o+#b>U.z then print('@T NAK '..o..' RANGE') return end U.put(o,b) print('@T ACK '..(o+#b)) end",
  "function U.put(o,b) local f=io.open(U.n,'r+b') or io.open(U.n,'wb') f:seek('set',o) f:write(b) f:close() end",
  "function U.sha(n) local f=io.open(n,'rb') if not f then return nil end local h=crypto.new_hash('SHA256') while true do local s=f:read(1024) if not s then break end h:update(s) end f:close() return encoder.toHex(h:finalize()) end",
  "function U.h() print('@T SHA '..(U.sha(U.n) or '')) end",
  "function U.ptr() local f=io.open('tsense.ptr','r') if not f then return nil end local p=f:read('a') f:close() return p:match('^(%S+) (%S+)') end",
  "function U.s(v) local old=U.ptr() local f=io.open('tsense.ptr.new','w') f:write(U.n..' '..v) f:close() U.mv() U.gc(old) print('@T SWITCHED') end",
  "function U.mv() if not os.rename('tsense.ptr.new','tsense.ptr') then os.remove('tsense.ptr') os.rename('tsense.ptr.new','tsense.ptr') end end",
  "function U.gc(old) for k in pairs(file.list()) do if k:match('^a_') and k~=U.n and k~=old then os.remove(k) end end end",
  "function U.j(v) if v==nil then return 'null' end if type(v)=='boolean' then return tostring(v) end return '\"'..v..'\"' end",
  "function U.i1() local a,v=U.ptr() return '{\"runtime\":\"nodemcu\",\"version\":'..U.j(node.info('sw_version').git_release)..',\"app\":'..U.j(a)..',\"appVersion\":'..U.j(v) end",
  "function U.i() print('@T INFO '..U.i1()..',\"provisioned\":'..U.j(file.exists('tsense.id'))..',\"configHash\":'..U.j(U.sha('tsense.cfg'))..'}') end",
  "function U.e() for k in pairs(file.list()) do if k:match('^a_') then os.remove(k) end end os.remove('tsense.ptr') print('@T ERASED') end",
  "function U.p() if type(tsense_provision)~='function' then print('@T NOHOOK') return end print('@T IDENTITY '..tsense_provision()) end",
];

const NODEMCU_LOADER =
  "local f=io.open('tsense.ptr','r') if not f then print('TSENSE NOAPP') return end local p=f:read('a') f:close() local a,v=p:match('^(%S+) (%S+)')\n" +
  "local ok,e=pcall(dofile,a) if ok then print('TSENSE READY '..v..' '..a) else print('TSENSE BOOTFAIL '..a..' '..tostring(e)) end\n";

export const ESPRUINO: Dialect = {
  runtime: "espruino", linePrefix: "\x10", chunkSize: 768, helper: ESPRUINO_HELPER,
  loaderFile: ".boot0", loader: ESPRUINO_LOADER, appName: (h) => `a_${h.slice(0, 16)}.js`, reboot: "E.reboot()",
};

export const NODEMCU: Dialect = {
  runtime: "nodemcu", linePrefix: "", chunkSize: 160, helper: NODEMCU_HELPER,
  loaderFile: "init.lua", loader: NODEMCU_LOADER, appName: (h) => `a_${h.slice(0, 16)}.lua`, reboot: "node.restart()",
  // NodeMCU-ESP32's console UART: the last argument of uart.setup switches its echo.
  echoOff: (baud) => `uart.setup(0,${baud},8,uart.PARITY_NONE,uart.STOPBITS_1,0)`,
  echoOn: (baud) => `uart.setup(0,${baud},8,uart.PARITY_NONE,uart.STOPBITS_1,1)`,
};

export function dialectFor(runtime: Runtime): Dialect {
  return runtime === "espruino" ? ESPRUINO : NODEMCU;
}
