// tsense provision: write a device's configuration (relay, station invitation, Wi-Fi, name)
// with the verified upload protocol, then have the app on the device generate its identity
// keys itself. Only the public identity and the config hash come back; no secret crosses
// the wire towards the host. An already provisioned device is refused without --force.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ExitCode, ToolError } from "../errors.js";
import { CONFIG_FILE, dialectFor } from "../upload/dialects.js";
import { finish, prepare, sendFile } from "../upload/transfer.js";
import type { ReplWire } from "../repl/wire.js";
import { makeOutput, parse, parseBaud, printJson, runCommand } from "./common.js";
import { openRepl } from "./upload.js";

const HELP = `usage: tsense provision --name NAME --relay URI --invitation INV [--wifi-ssid S --wifi-password P] [options]
  --config FILE        take the configuration from a JSON file instead (same fields)
  --force              re-provision a device that already has an identity (it makes new keys)
  -p, --port PATH, --baud N, --json, -q/--quiet, -h/--help
The device generates its own keys; tsense reads back its public identity and the config hash.`;

export const CONFIG_VERSION = 1;
const HOOK_TIMEOUT_MS = 20_000;

export interface DeviceConfig {
  v: number;
  name: string;
  relay: string;
  invitation: string;
  wifi: { ssid: string; password: string } | null;
}

export interface DeviceInfo {
  runtime: string;
  version: string;
  app: string | null;
  appVersion: string | null;
  provisioned: boolean;
  configHash: string | null;
}

export async function deviceInfo(wire: ReplWire): Promise<DeviceInfo> {
  const r = await wire.ask("U.i()", ["INFO"], 5000);
  try {
    return JSON.parse(r.rest) as DeviceInfo;
  } catch {
    throw new ToolError(ExitCode.FAILED, `the device sent an unreadable INFO line (${r.rest.slice(0, 80)}); retry`);
  }
}

function buildConfig(o: Record<string, string | boolean | undefined>): DeviceConfig {
  let raw: Partial<DeviceConfig> & { wifiSsid?: string; wifiPassword?: string } = {};
  if (typeof o.config === "string") {
    try { raw = JSON.parse(readFileSync(o.config, "utf8")); } catch (e) {
      throw new ToolError(ExitCode.USAGE, `cannot read ${o.config} as JSON (${e instanceof Error ? e.message : e})`);
    }
  }
  const name = (o.name as string | undefined) ?? raw.name;
  const relay = (o.relay as string | undefined) ?? raw.relay;
  const invitation = (o.invitation as string | undefined) ?? raw.invitation;
  const ssid = (o["wifi-ssid"] as string | undefined) ?? raw.wifi?.ssid;
  const password = (o["wifi-password"] as string | undefined) ?? raw.wifi?.password ?? "";
  if (!name || !/^[A-Za-z0-9._-]{1,32}$/.test(name)) throw new ToolError(ExitCode.USAGE, "--name is required: 1-32 characters of A-Z a-z 0-9 . _ -");
  if (!relay || !/^(grp|smp):\/\/\S+$/.test(relay)) throw new ToolError(ExitCode.USAGE, "--relay is required: a grp://… or smp://… address");
  if (!invitation) throw new ToolError(ExitCode.USAGE, "--invitation is required: the station's invitation (tsense station prints it)");
  return { v: CONFIG_VERSION, name, relay, invitation, wifi: ssid ? { ssid, password } : null };
}

export async function main(argv: string[]): Promise<number> {
  return runCommand("provision", argv, async (json) => {
    const { values: o } = parse(argv, {
      name: { type: "string" }, relay: { type: "string" }, invitation: { type: "string" }, "wifi-ssid": { type: "string" },
      "wifi-password": { type: "string" }, config: { type: "string" }, force: { type: "boolean" }, baud: { type: "string" },
    });
    if (o.help) { console.log(HELP); return ExitCode.OK; }
    const config = buildConfig(o);
    const bytes = new TextEncoder().encode(JSON.stringify(config));
    const configHash = createHash("sha256").update(bytes).digest("hex");
    const out = makeOutput(json, o.quiet ?? false);
    const { link, runtime, path } = await openRepl(o.port, parseBaud(o.baud, 115200));
    const dialect = dialectFor(runtime);
    let wire: ReplWire | null = null;
    try {
      wire = await prepare(link, dialect);
      const before = await deviceInfo(wire);
      if (!before.app) throw new ToolError(ExitCode.REFUSED, `${path} has no tsense app yet: run tsense upload first`);
      if (before.provisioned && !o.force) {
        throw new ToolError(ExitCode.REFUSED, `${path} is already provisioned; pass --force to replace its configuration and identity keys`);
      }
      out.info(`${path}: ${runtime} ${before.version}, app ${before.app} ${before.appVersion}; writing configuration (${bytes.length} bytes)`);
      await sendFile(wire, dialect, CONFIG_FILE, bytes);
      out.info("configuration verified; the device is generating its keys…");
      const reply = await wire.ask("U.p()", ["IDENTITY", "NOHOOK"], HOOK_TIMEOUT_MS);
      if (reply.tag === "NOHOOK") throw new ToolError(ExitCode.REFUSED, `the app on ${path} has no tsense_provision hook: upload the tsense app (not a test script) and retry`);
      let identity: { identity?: string; configHash?: string };
      try { identity = JSON.parse(reply.rest); } catch {
        throw new ToolError(ExitCode.FAILED, `the device's provisioning hook answered something unreadable (${reply.rest.slice(0, 80)}); check the app`);
      }
      if (identity.configHash !== configHash) {
        throw new ToolError(ExitCode.VERIFY_FAILED, `the device read a different configuration (hash ${String(identity.configHash).slice(0, 16)}…, sent ${configHash.slice(0, 16)}…); run provision again with --force`);
      }
      const after = await deviceInfo(wire);
      if (!after.provisioned || after.configHash !== configHash) {
        throw new ToolError(ExitCode.VERIFY_FAILED, "the device did not keep its identity or configuration; run provision again with --force");
      }
      const result = { ok: true, port: path, runtime, name: config.name, identity: identity.identity, configHash, reprovisioned: before.provisioned };
      if (json) printJson(result);
      else if (!o.quiet) console.log(`provisioned ${config.name} on ${path}: identity ${identity.identity}, config ${configHash.slice(0, 16)}…`);
      return ExitCode.OK;
    } finally {
      if (wire && !link.closed) await finish(wire, dialect).catch(() => {});
      await link.close();
    }
  });
}
