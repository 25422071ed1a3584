/**
 * Types for the few Lua standard-library objects the Lua target uses (io, os, arg).
 * Types only: the values are declared module-locally in host.ts, so no Lua global leaks
 * into the Node type-check of the rest of the project. Methods that Lua calls with `:`
 * take an explicit `this` (the build sets noImplicitSelf).
 */
interface LuaFileHandle {
  read(this: LuaFileHandle, what: string | number): string | undefined;
  write(this: LuaFileHandle, s: string): LuaFileHandle;
  close(this: LuaFileHandle): void;
}

interface LuaIoLib {
  open(this: void, path: string, mode: string): LuaFileHandle | undefined;
  write(this: void, s: string): void;
  stdout: LuaFileHandle;
}

interface LuaOsLib {
  /** CPU seconds as a float. */
  clock(this: void): number;
  exit(this: void, code: number): void;
}

/** The command-line table of the standalone interpreter: arg[0] the script, arg[1…] the arguments. */
interface LuaArgTable {
  [i: number]: string | undefined;
}
