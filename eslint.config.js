// Lint: the TypeScript recommended rules everywhere, plus the PORTABLE.md syntax rules on
// portable code (firmware/ and the vector runner, minus node/ folders, targets and tests).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const PORTABLE = ["firmware/**/*.ts", "test-vectors/runner/*.ts"];
const NOT_PORTABLE = ["firmware/targets/**", "firmware/**/node/**", "**/*.test.ts"];

const banned = (selector, message) => ({ selector, message: `${message} (not portable: see docs/portable.md)` });

export default tseslint.config(
  { ignores: ["node_modules/**", "build/**", "out/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", setImmediate: "readonly", URL: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", performance: "readonly", queueMicrotask: "readonly", structuredClone: "readonly", globalThis: "readonly", AbortController: "readonly", fetch: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: PORTABLE,
    ignores: NOT_PORTABLE,
    rules: {
      "no-restricted-syntax": [
        "error",
        banned("ObjectPattern", "destructuring"),
        banned("ArrayPattern", "destructuring"),
        banned("SpreadElement", "spread"),
        banned("RestElement", "rest parameters"),
        banned("AssignmentPattern", "default parameters"),
        banned("ChainExpression", "optional chaining"),
        banned("BinaryExpression[operator='**']", "**"),
        banned("AssignmentExpression[operator='**=']", "**="),
        banned("BinaryExpression[operator='>>']", ">> (use >>> on u32 values)"),
        banned("AssignmentExpression[operator='>>=']", ">>="),
        banned("BinaryExpression[operator='|'][right.type='Literal'][right.value=0]", "|0 (normalise with >>> 0)"),
        banned("Property[computed=true]", "computed keys"),
        banned("MethodDefinition[computed=true]", "computed keys"),
        banned("MethodDefinition[kind='get'], MethodDefinition[kind='set'], Property[kind='get'], Property[kind='set']", "getters/setters"),
        banned("PropertyDefinition[value!=null]", "class fields with initialisers"),
        banned("LabeledStatement", "labels"),
        banned(":function[generator=true]", "generators"),
        banned(":function[async=true]", "async functions"),
        banned("AwaitExpression", "await"),
        banned("Literal[bigint]", "BigInt"),
        banned("Literal[regex]", "RegExp"),
        banned("ForInStatement", "for…in (key order differs between targets)"),
        banned("UnaryExpression[operator='delete']", "delete"),
        banned("ArrayExpression > Literal[raw='null']", "null inside arrays"),
        banned("ArrayExpression > Identifier[name='undefined']", "undefined inside arrays"),
        banned("MemberExpression[object.name='Math'][property.name='imul']", "Math.imul (use mul32)"),
        banned("MemberExpression[object.name='Array'][property.name='from']", "Array.from"),
        banned("MemberExpression[object.name='Object'][property.name=/^(keys|values|entries|assign)$/]", "Object.keys/values/entries/assign"),
        banned("NewExpression[callee.name='Uint8Array']", "typed arrays outside port/bytes.ts"),
        banned("TSEnumDeclaration", "enums (use consts)"),
      ],
      "no-restricted-globals": [
        "error",
        ...["Map", "Set", "WeakMap", "WeakSet", "Symbol", "BigInt", "JSON", "Date", "RegExp", "Promise", "Proxy", "Reflect",
          "globalThis", "Buffer", "process", "console", "setTimeout", "setInterval", "Int8Array", "Int16Array", "Int32Array",
          "Uint16Array", "Uint32Array", "Float32Array", "Float64Array", "ArrayBuffer", "DataView", "TextEncoder", "TextDecoder"]
          .map((name) => ({ name, message: `${name} is not portable (see docs/portable.md)` })),
      ],
      // Espruino does not hoist functions: everything must be declared before use.
      "no-use-before-define": "off",
      "@typescript-eslint/no-use-before-define": ["error", { functions: true, classes: true, variables: true, typedefs: false, ignoreTypeReferences: true }],
      // Error's `cause` option is ES2022: not available on Espruino or in TSTL's Error.
      "preserve-caught-error": "off",
      "no-var": "error",
      "prefer-const": "error",
    },
  },
);
