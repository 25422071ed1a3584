/**
 * The Lua number model check. TSTL output needs 64-bit integers (every `>>>` masks with
 * 4294967295) and double floats; NodeMCU's default build has 32-bit integers and float32
 * numbers, where the firmware would fail or compute wrong values deep inside crypto.
 * So the boot code refuses to start on anything else, with a message that says what to flash.
 */
import type { LuaMathLimits } from "./nodemcu";
declare const math: LuaMathLimits;

export const NUMBER_MODEL_HINT = "flash a NodeMCU build with LUA_NUMBER_INT64 and LUA_NUMBER_DOUBLE (Lua 5.3)";

/** undefined when integers are 64-bit and floats are doubles, else what is wrong. */
export function numberModelProblem(): string | undefined {
  const maxInt = math.maxinteger;
  if (!(maxInt > 4294967296)) {
    return "integers are " + (maxInt === 2147483647 ? "32-bit" : "too small") + " (math.maxinteger = " + maxInt + ")";
  }
  // 2^40 as a float (`/` always gives a float): float32 cannot hold 2^40 + 1, a double can.
  const big = 1099511627776 / 1;
  if (big + 1 - big !== 1) {
    return "floats are not doubles (2^40 + 1 rounds to 2^40)";
  }
  return undefined;
}
