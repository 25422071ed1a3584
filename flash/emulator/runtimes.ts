// The interpreter emulators a board can boot, by the project name in the app descriptor.
// TSENSE_EMU_LUA=lua5.3 runs NodeMCU's Lua on Debian's lua5.3 instead of wasmoon.
import type { RuntimeFactory } from "./board.js";
import { espruinoRuntime } from "./espruino/repl.js";
import { nodemcuLua53Runtime, nodemcuRuntime } from "./nodemcu/repl.js";

export const RUNTIMES: RuntimeFactory[] = [espruinoRuntime, process.env.TSENSE_EMU_LUA === "lua5.3" ? nodemcuLua53Runtime : nodemcuRuntime];
