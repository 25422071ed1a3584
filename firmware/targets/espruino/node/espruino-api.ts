/**
 * The built-in API of Espruino 2v29 that our bundles may rely on, as allowlists. Source:
 * the JSON wrapper declarations in Espruino's src/jswrap_*.c (the interpreter's own list
 * of what exists). Used twice: vm-context.ts removes everything else from a Node `vm`
 * context, and syntax-check.ts rejects static references to anything else
 * (e.g. `Math.imul`, `Array.from`, `Number.isInteger`).
 */

/** Global names Espruino defines that a portable bundle may meet (hardware globals left out). */
export const ESPRUINO_GLOBALS = [
  // values and functions
  "NaN", "Infinity", "undefined", "global", "globalThis", "eval", "parseInt", "parseFloat", "isNaN", "isFinite",
  "atob", "btoa", "encodeURIComponent", "decodeURIComponent", "print", "console",
  // classes and namespaces
  "Object", "Function", "Array", "String", "Number", "Boolean", "Math", "JSON", "Date", "RegExp", "Promise",
  "Error", "TypeError", "SyntaxError", "ReferenceError", "RangeError", "InternalError",
  "ArrayBuffer", "DataView", "Uint8Array", "Uint8ClampedArray", "Int8Array", "Uint16Array", "Int16Array",
  "Uint24Array", "Uint32Array", "Int32Array", "Float32Array", "Float64Array",
  "E",
] as const;

/**
 * Globals Node/V8 has and Espruino lacks; a bundle that names one fails on the device.
 * (Timers exist on Espruino but belong to the HAL, so the vm context gets them only when
 * the host passes them in.)
 */
export const MISSING_GLOBALS = [
  "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Symbol", "Proxy", "Reflect", "BigInt",
  "BigInt64Array", "BigUint64Array", "Intl", "SharedArrayBuffer", "Atomics", "AggregateError", "EvalError",
  "URIError", "escape", "unescape", "WebAssembly", "Iterator", "encodeURI", "decodeURI",
] as const;

/** Static members per built-in (everything else on these objects is missing on Espruino). */
export const ESPRUINO_STATICS: Record<string, readonly string[]> = {
  Math: ["E", "LN10", "LN2", "LOG10E", "LOG2E", "PI", "SQRT1_2", "SQRT2", "abs", "acos", "asin", "atan", "atan2",
    "ceil", "clip", "cos", "exp", "floor", "log", "max", "min", "pow", "randInt", "random", "round", "sign", "sin",
    "sqrt", "tan", "wrap"],
  Object: ["assign", "create", "defineProperties", "defineProperty", "entries", "fromEntries",
    "getOwnPropertyDescriptor", "getOwnPropertyDescriptors", "getOwnPropertyNames", "getPrototypeOf", "keys",
    "setPrototypeOf", "values"],
  Array: ["isArray"],
  String: ["fromCharCode"],
  Number: ["MAX_VALUE", "MIN_VALUE", "NEGATIVE_INFINITY", "NaN", "POSITIVE_INFINITY"],
  JSON: ["parse", "stringify"],
};

/** Prototype methods per built-in; other string-keyed prototype members are removed in the vm. */
export const ESPRUINO_PROTOTYPES: Record<string, readonly string[]> = {
  Object: ["hasOwnProperty", "toString", "valueOf"],
  Function: ["apply", "bind", "call", "toString"],
  Array: ["concat", "every", "fill", "filter", "find", "findIndex", "forEach", "includes", "indexOf", "join", "map", "pop", "push", "reduce", "reverse", "shift", "slice", "some", "sort", "splice", "toString",
    "unshift"],
  String: ["charAt", "charCodeAt", "concat", "endsWith", "includes", "indexOf", "lastIndexOf", "match", "padEnd",
    "padStart", "repeat", "replace", "replaceAll", "slice", "split", "startsWith", "substr", "substring",
    "toLowerCase", "toString", "toUpperCase", "trim", "valueOf"],
  Number: ["toFixed", "toString", "valueOf"],
  // %TypedArray%.prototype, shared by every typed array class.
  TypedArray: ["every", "fill", "filter", "find", "findIndex", "forEach", "includes", "indexOf", "join", "map",
    "reduce", "reverse", "set", "slice", "some", "sort", "subarray"],
};

/**
 * Words Espruino's lexer reserves that JavaScript does not (src/jslex.c: LEX_R_OF), so a
 * minifier may pick them as short names: Espruino then fails to load the code with
 * "Got of expected ID".
 */
export const ESPRUINO_ONLY_KEYWORDS: readonly string[] = ["of"];
