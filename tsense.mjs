#!/usr/bin/env node
// The one `tsense` command. Each subcommand lives in the folder it fronts and exports
// `main(argv): Promise<number>` (the exit code); this file only routes. TypeScript is
// loaded through tsx, so nothing has to be built before a command runs.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

const ROOT = dirname(fileURLToPath(import.meta.url));

const COMMANDS = [
  ["simulate", "simulator/cli.ts", "run a fleet of virtual sensors against a relay, station and MQTT bridge"],
  ["relay", "relay-conformance/relay-cli.ts", "run the reference relay (SMP over TLS, GRP over TCP)"],
  ["conformance", "relay-conformance/conformance-cli.ts", "run the conformance suite against any relay"],
  ["station", "simulator/station/cli.ts", "receive, decrypt and store readings from devices"],
  ["build", "firmware/node/build-cli.ts", "build the firmware artifacts for a board and target"],
  ["boards", "boards/cli.ts", "list and validate board definitions"],
  ["vectors", "test-vectors/cli.ts", "run known-answer vector files on a target"],
  ["detect", "flash/cli/detect.ts", "list serial ports and identify the boards on them"],
  ["flash-firmware", "flash/cli/flash-firmware.ts", "write interpreter firmware through the ROM bootloader"],
  ["upload", "flash/cli/upload.ts", "upload the app through the interpreter REPL"],
  ["provision", "flash/cli/provision.ts", "write a device's configuration and have it make its keys"],
  ["monitor", "flash/cli/monitor.ts", "show a board's serial output with timestamps"],
  ["erase", "flash/cli/erase.ts", "erase the app or the whole flash"],
];

// `tsense bench <name>` (also `npm run bench -- <name>`): each benchmark lives with its part.
const BENCHES = [
  ["crypto", "firmware/crypto/node/bench.ts"],
  ["agent", "firmware/agent/node/bench.ts"],
  ["firmware", "simulator/firmware-bench.ts"],
  ["relay", "relay-conformance/bench/relay.ts"],
  ["grp", "relay-conformance/bench/grp.ts"],
  ["fleet", "simulator/bench.ts"],
  ["flash", "flash/bench.ts"],
];

function available() {
  return COMMANDS.filter(([, path]) => existsSync(join(ROOT, path)));
}

function usage() {
  const rows = available().map(([name, , what]) => `  ${name.padEnd(16)}${what}`);
  return `usage: tsense <command> [options]   (tsense <command> --help for its options)\n\n${rows.join("\n")}`;
}

let [cmd, ...rest] = process.argv.slice(2);
if (cmd === "bench") {
  const benches = BENCHES.filter(([, path]) => existsSync(join(ROOT, path)));
  const chosen = benches.find(([name]) => name === rest[0]);
  if (!chosen) {
    const names = benches.map(([name]) => name).join(", ");
    console.error(`usage: tsense bench <name> [options]   (npm run bench -- <name>)\nbenchmarks: ${names}`);
    process.exit(2);
  }
  COMMANDS.push(["bench", chosen[1], ""]);
  rest = rest.slice(1);
}
if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
  console.log(usage());
  process.exit(cmd === undefined ? 2 : 0);
}
const entry = available().find(([name]) => name === cmd);
if (!entry) {
  console.error(`tsense: unknown command '${cmd}'\n\n${usage()}`);
  process.exit(2);
}
register();
const mod = await import(pathToFileURL(join(ROOT, entry[1])).href);
const code = await mod.main(rest);
process.exitCode = typeof code === "number" ? code : 0;
