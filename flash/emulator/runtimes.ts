// The interpreter emulators a board can boot, by the project name in the app descriptor.
import type { RuntimeFactory } from "./board.js";
import { espruinoRuntime } from "./espruino/repl.js";
import { nodemcuRuntime } from "./nodemcu/repl.js";

export const RUNTIMES: RuntimeFactory[] = [espruinoRuntime, nodemcuRuntime];
