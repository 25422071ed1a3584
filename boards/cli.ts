/**
 * `tsense boards`: lists the board definitions; `--json` prints them as JSON;
 * `--validate FILE…` validates definition files (anywhere) and prints one line per problem.
 * Exit codes: 0 all valid, 1 a definition is invalid, 2 usage error.
 */
import type { Board } from "./board";
import { loadBoardFile, loadBoards } from "./load";

const USAGE = `usage: tsense boards [--json] [--dir DIR]   list the board definitions (default boards/definitions)
       tsense boards --validate FILE…         validate definition files

exit codes: 0 valid, 1 invalid definition(s), 2 usage error`;

function mib(bytes: number): string {
  return bytes === 0 ? "-" : `${bytes / 1048576} MB`;
}

function row(b: Board): string[] {
  const sd = b.sd === null ? "-" : `${b.sd.interface}${b.sd.external ? " (ext)" : ""}`;
  const led = b.statusLed === null ? "-" : b.statusLed.kind === "gpio" ? `GPIO${b.statusLed.pin}${b.statusLed.activeLevel === 0 ? " (low)" : ""}` : `ws2812 GPIO${b.statusLed.pin}`;
  const sensors = b.sensors.map((s) => (s.type === "battery" ? `battery GPIO${s.pin}` : `${s.type}@0x${s.address.toString(16)}`)).join(", ");
  return [b.id, mib(b.flash.sizeBytes), mib(b.psram.sizeBytes), `${b.i2c.sda}/${b.i2c.scl}`, sd, led, b.runtimes.map((r) => r.runtime).join(", "), sensors || "-"];
}

function table(boards: Board[]): string {
  const rows = [["board", "flash", "psram", "i2c sda/scl", "sd", "status led", "runtimes", "sensors"], ...boards.map(row)];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).join("\n");
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  if (argv[0] === "--validate") {
    const files = argv.slice(1);
    if (files.length === 0 || files.some((f) => f.startsWith("-"))) {
      console.error(`tsense boards: --validate needs one or more FILE arguments\n\n${USAGE}`);
      return 2;
    }
    let bad = 0;
    for (const f of files) {
      const r = loadBoardFile(f);
      if (r.board !== undefined) {
        console.log(`${r.file}: ok (${r.board.id})`);
      } else {
        bad += 1;
        for (const e of r.errors) console.error(e);
      }
    }
    return bad === 0 ? 0 : 1;
  }
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--json") continue;
    if (argv[i] === "--dir" && i + 1 < argv.length) {
      dir = argv[++i];
      continue;
    }
    console.error(`tsense boards: ${argv[i] === "--dir" ? "--dir needs a DIR" : `unknown argument '${argv[i]}'`}\n\n${USAGE}`);
    return 2;
  }
  let set;
  try {
    set = loadBoards(dir);
  } catch (e) {
    console.error(`tsense boards: cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return 2;
  }
  for (const e of set.errors) console.error(e);
  if (argv.includes("--json")) {
    console.log(JSON.stringify(set.boards, null, 2));
  } else {
    console.log(table(set.boards));
  }
  return set.errors.length === 0 ? 0 : 1;
}
