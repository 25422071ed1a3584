/**
 * Lua entry of the vector runner (bundle build/lua/vectors.lua). Standalone:
 * `lua5.3 build/lua/vectors.lua <wire-file>`; embedded (wasmoon): the host sets
 * TSENSE_INPUT and TSENSE_EMIT before running the chunk. Prints one line per case, then
 * `done <passed> <failed>` so the host can tell a complete run from a crash.
 */
import { runVectorText } from "../../../test-vectors/runner/run";
import { createPortableProvider } from "../../crypto/portable/provider";
import { emitLine, hostInput } from "./host";
import { randomBytes } from "./random";

const totals = runVectorText(hostInput(), createPortableProvider(randomBytes), emitLine);
emitLine("done " + totals.passed + " " + totals.failed);
