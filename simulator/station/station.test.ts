// The station end to end through its CLI: invite, a device joins over the relay, `run`
// writes JSON lines with physical units, `list` shows the device, commands reach it.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { startRelay, type RunningRelay } from "../../relay-conformance/relay-cli";
import { NodeAgent } from "../../firmware/agent/node/node-agent";
import { MemoryAgentStore } from "../../firmware/agent/node/stores";
import type { AgentClientEvent } from "../../firmware/agent/agent-client";
import {
  DeviceStatus, KIND_BATTERY, KIND_TEMPERATURE, OP_SET_INTERVAL, Reading, STATUS_OK, decodeAppMessage, encodeReadings, encodeStatus,
} from "../../firmware/app/app-protocol";
import { main } from "./cli";

const provider = getProvider("native");

async function capture(f: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    return { code: await f(), out: lines.join("\n") };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

describe("tsense station", () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay(["--port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "tsense-st-relay-")), "--provider", "native"], () => {});
  });
  afterAll(async () => relay.close());

  it("rejects bad usage with a clear message", async () => {
    expect((await capture(() => main(["run"]))).code).toBe(2);
    expect((await capture(() => main(["frobnicate", "--relay", relay.address]))).code).toBe(2);
  });

  it("invites a device, receives its readings as JSON lines and sends it a command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsense-station-"));
    const inv = await capture(() => main(["invite", "--relay", relay.address, "--data-dir", dir, "--json"]));
    expect(inv.code).toBe(0);
    const { invitation, connection } = JSON.parse(inv.out);
    expect(invitation).toMatch(/^tsense:1:/);

    const deviceEvents: AgentClientEvent[] = [];
    const device = await NodeAgent.start({ provider, relay: relay.address, store: new MemoryAgentStore(), onEvent: (e) => deviceEvents.push(e), pumpMs: 50 });
    const out = join(dir, "out.jsonl");
    const run = main(["run", "--relay", relay.address, "--data-dir", dir, "--out", out, "--duration", "8"]);
    const conn = await device.join(invitation, "greenhouse-1", new Uint8Array(0));
    const until = async (p: () => boolean) => {
      for (let i = 0; i < 300 && !p(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(p()).toBe(true);
    };
    await until(() => deviceEvents.some((e) => e.type === "ready"));
    const t = Date.UTC(2026, 10, 22, 12, 0, 0);
    expect(device.send(conn, encodeReadings([new Reading(t, KIND_TEMPERATURE, STATUS_OK, 2153), new Reading(t, KIND_BATTERY, STATUS_OK, 3712)]))).toBe("");
    expect(device.send(conn, encodeStatus(new DeviceStatus(t, 60, 123456, 30, 0, 0, "tsense-0.1.0", "power-on")))).toBe("");
    await run;

    const records = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(records.find((r) => r.type === "connected")).toMatchObject({ device: "greenhouse-1", connection });
    expect(records.filter((r) => r.type === "reading")).toEqual([
      expect.objectContaining({ kind: "temperature", value: 21.53, unit: "°C", status: "ok", device: "greenhouse-1", time: "2026-11-22T12:00:00.000Z" }),
      expect.objectContaining({ kind: "battery", value: 3.712, unit: "V" }),
    ]);
    expect(records.find((r) => r.type === "status")).toMatchObject({ version: "tsense-0.1.0", freeHeap: 123456 });
    // The data directory keeps them too.
    expect(readFileSync(join(dir, "readings.jsonl"), "utf8")).toContain('"value":21.53');

    const list = await capture(() => main(["list", "--relay", relay.address, "--data-dir", dir, "--json"]));
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ connection, device: "greenhouse-1", status: "ready" })]);

    // A command from the station reaches the device.
    const cmd = await capture(() => main(["command", connection, "set-interval", "45", "--relay", relay.address, "--data-dir", dir]));
    expect(cmd.code).toBe(0);
    await until(() => deviceEvents.some((e) => e.type === "message"));
    const got = decodeAppMessage(deviceEvents.find((e) => e.type === "message")!.payload);
    expect(typeof got === "object" && got.command).toMatchObject({ op: OP_SET_INTERVAL, arg: 45 });
    device.close();
  }, 60_000);

  it("decodes commands the way the device will", () => {
    const m = decodeAppMessage(Uint8Array.from([0x43, 0, 0, 0, 7, OP_SET_INTERVAL, 0, 0, 0, 45]));
    expect(typeof m).toBe("object");
    expect((m as { command: { id: number; op: number; arg: number } }).command).toEqual({ id: 7, op: OP_SET_INTERVAL, arg: 45 });
  });
});
