/**
 * `tsense station`: run the station, create invitations, list connections, send commands.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getProvider, PROVIDER_NAMES } from "../../firmware/crypto/node/providers";
import { COMMAND_NAMES, OP_REBOOT, OP_READ_NOW, OP_ROTATE_KEYS, OP_SET_GPIO, OP_SET_INTERVAL, OP_STATUS } from "../../firmware/app/app-protocol";
import { Station } from "./station";

const USAGE = `usage: tsense station [run] --relay <smp://…|grp://…> [--data-dir DIR] [--out FILE] [--duration S] [--provider P]
       tsense station invite --relay <address> [--data-dir DIR] [--json]
       tsense station list --relay <address> [--data-dir DIR] [--json]
       tsense station command <connection> <set-interval S|read-now|reboot|rotate-keys|gpio PIN=LEVEL|status> --relay <address> [--data-dir DIR]

run      receives from every connected device; prints one JSON line per reading/status/event
         (to --out FILE, else stdout) and keeps them in DIR/readings.jsonl; picks up new invitations.
invite   creates a queue on the relay and prints the invitation to give a device (text, QR-printable).
list     shows the connections kept in the data directory.
Default data directory: .tsense/station.`;

const OPS: Record<string, number> = {
  "set-interval": OP_SET_INTERVAL, "read-now": OP_READ_NOW, reboot: OP_REBOOT, "rotate-keys": OP_ROTATE_KEYS, gpio: OP_SET_GPIO, status: OP_STATUS,
};

function fail(msg: string): number {
  console.error(`tsense station: ${msg}`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        relay: { type: "string" }, "data-dir": { type: "string", default: join(".tsense", "station") }, out: { type: "string" },
        duration: { type: "string" }, provider: { type: "string", default: "native" }, json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    return fail(`${(e as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sub = positionals[0] ?? "run";
  if (!["run", "invite", "list", "command"].includes(sub)) return fail(`unknown subcommand '${sub}'\n${USAGE}`);
  if (!values.relay) return fail("needs --relay: the smp:// or grp:// address that `tsense relay` printed");
  if (!(PROVIDER_NAMES as readonly string[]).includes(values.provider)) return fail(`unknown provider '${values.provider}'`);
  let duration: number | undefined;
  if (values.duration !== undefined) {
    duration = Number(values.duration);
    if (!Number.isFinite(duration) || duration <= 0) return fail(`--duration must be a positive number of seconds`);
  }
  let station: Station;
  try {
    station = await Station.start({ relay: values.relay, provider: getProvider(values.provider), dataDir: values["data-dir"], watchMs: sub === "run" ? 1000 : undefined });
  } catch (e) {
    return fail(`cannot reach the relay at ${values.relay}: ${(e as Error).message}`);
  }
  try {
    if (sub === "invite") {
      const { connId, invitation } = await station.invite();
      if (values.json) console.log(JSON.stringify({ connection: connId, invitation }));
      else {
        console.log(invitation);
        console.error(`connection ${connId} waits for the device; keep \`tsense station run\` running to complete it.`);
      }
      return 0;
    }
    if (sub === "list") {
      const list = station.connections();
      if (values.json) console.log(JSON.stringify(list, null, 2));
      else if (list.length === 0) console.log("no connections yet (tsense station invite creates one)");
      else for (const c of list) console.log(`${c.connection.padEnd(18)} ${c.status.padEnd(8)} ${c.device || "(waiting for device)"}${c.pending ? `  ${c.pending} to send` : ""}`);
      return 0;
    }
    if (sub === "command") {
      const [, conn, name, arg] = positionals;
      if (!conn || !name || !(name in OPS)) return fail(`command needs <connection> and one of: ${COMMAND_NAMES.filter(Boolean).join(", ")}`);
      let n = 0;
      if (name === "set-interval") n = Number(arg);
      if (name === "gpio") {
        const m = /^(\d+)=([01])$/.exec(arg ?? "");
        if (!m) return fail("gpio needs PIN=LEVEL, e.g. gpio 21=1");
        n = Number(m[1]) * 2 + Number(m[2]);
      }
      if (name === "set-interval" && !(Number.isInteger(n) && n > 0)) return fail("set-interval needs a whole number of seconds");
      const id = station.command(conn, OPS[name], n);
      // Give the relay a moment to take it before closing.
      for (let i = 0; i < 100 && station.connections().find((c) => c.connection === conn)?.pending; i++) await new Promise((r) => setTimeout(r, 50));
      console.log(`command ${id} (${name}) queued for ${conn}`);
      return 0;
    }
    const out = values.out;
    station.onRecord((r) => {
      const line = JSON.stringify(r);
      if (out) appendFileSync(out, line + "\n");
      else console.log(line);
    });
    console.error(`station: ${station.connections().length} connection(s), data in ${values["data-dir"]}; Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      if (duration !== undefined) setTimeout(stop, duration * 1000).unref();
    });
    return 0;
  } finally {
    station.close();
  }
}
