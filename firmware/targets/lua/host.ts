/**
 * The Lua host seam: the standard-library globals the Lua target reads (io, os, arg) and
 * the values an embedding host (wasmoon in tests) may set instead. Everything else in
 * the Lua build is portable code.
 */
declare const io: LuaIoLib;
declare const os: LuaOsLib;
declare const arg: LuaArgTable | undefined;
/** Set by an embedding host: the input text, instead of a file named on the command line. */
declare const TSENSE_INPUT: string | undefined;
/** Set by an embedding host: receives each output line, instead of stdout. */
declare const TSENSE_EMIT: ((this: void, line: string) => void) | undefined;
/** Set by an embedding host: the arguments, instead of the command line. */
declare const TSENSE_ARGS: LuaArgTable | undefined;

/** The n-th (1-based) argument: from the host's TSENSE_ARGS, else the command line. */
export function hostArg(n: number): string | undefined {
  if (typeof TSENSE_ARGS !== "undefined") {
    return TSENSE_ARGS[n];
  }
  if (typeof arg !== "undefined") {
    return arg[n];
  }
  return undefined;
}

/** The whole content of a file, or an Error naming the file. */
export function readFileText(path: string): string {
  const f = io.open(path, "rb");
  if (f === undefined) {
    throw new Error("cannot open " + path);
  }
  const s = f.read("a");
  f.close();
  if (s === undefined) {
    throw new Error("cannot read " + path);
  }
  return s;
}

/** The input text: TSENSE_INPUT when a host set it, else the file named by argument 1. */
export function hostInput(): string {
  if (typeof TSENSE_INPUT === "string") {
    return TSENSE_INPUT;
  }
  const path = hostArg(1);
  if (path === undefined) {
    throw new Error("usage: lua <bundle>.lua <input-file>");
  }
  return readFileText(path);
}

/** Writes one output line to the host's TSENSE_EMIT, else stdout. */
export function emitLine(line: string): void {
  if (typeof TSENSE_EMIT !== "undefined") {
    TSENSE_EMIT(line);
  } else {
    io.write(line + "\n");
  }
}

/** CPU seconds (os.clock), for benchmarks. */
export function cpuSeconds(): number {
  return os.clock();
}

/** Opens a file for reading, or undefined when it does not exist. */
export function openForRead(path: string): LuaFileHandle | undefined {
  return io.open(path, "rb");
}
