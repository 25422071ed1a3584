/**
 * The message of a caught error. Portable code throws only `new Error(msg)`, but a Lua
 * runtime error arrives as a plain string and an Espruino one as an object; this reads
 * all of them without itself failing.
 */
export function errorMessage(e: unknown): string {
  if (typeof e === "string") {
    return e;
  }
  if (typeof e === "object" && e !== null) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === "string") {
      return m;
    }
  }
  return "unknown error";
}
