// Device fidelity in the fleet: compiled artifacts (--mix lua + espruino) in their virtual
// runtimes, SMP-over-TLS devices, and a template's sensor subset, all in one small fleet
// against the embedded relay and station, with a reboot of each artifact device and link
// losses on an SMP device and an artifact, and a relay restart; every reading accounted for.
import { describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { boardSensorConfigs } from "../../boards/board";
import { findBoard } from "../../boards/load";
import { HalTimers, Scheduler } from "../clock/index";
import { runFleet } from "../fleet/fleet";
import { ArtifactDevice } from "../fleet/artifact-device";
import { VirtualDevice } from "../fleet/virtual-device";
import { expandDevices, parseSpecText, SpecError } from "../spec/index";

const spec = (text: string) => parseSpecText(text, "fidelity.yaml");

describe("fleet device fidelity", () => {
  it("runs Lua and Espruino artifacts, SMP devices and a sensor subset side by side, every reading accounted for", async () => {
    const base = `
duration: 24s
clock: stepped
seed: fidelity
mqtt: "off"
mix: "lua=20%,espruino=20%"
devices:
  - { name: "g{n}", count: 2, interval: 2s, board: seeed-xiao-esp32s3-sense, sensors: [temperature, battery] }
  - { name: "s{n}", count: 2, interval: 2s, protocol: smp }
  - { name: "t{n}", count: 1, interval: 2500ms, sensors: [temperature, humidity] }
`;
    // The mix falls on the g devices: SMP devices cannot run an artifact, nor can t1 (its
    // interval is not whole seconds, which tsense.cfg cannot hold).
    const plans = expandDevices(spec(base));
    const lua = plans.filter((p) => p.artifact === "lua").map((p) => p.name);
    const espruino = plans.filter((p) => p.artifact === "espruino").map((p) => p.name);
    expect([...lua, ...espruino].sort()).toEqual(["g1", "g2"]);
    expect(lua.length).toBe(1);
    const log: string[] = [];
    const r = await runFleet({
      spec: spec(`${base}
faults:
  - { kind: device-reboot, at: 9s, for: 2s, devices: [g1, g2] }
  - { kind: link-loss, at: 8s, for: 4s, devices: [s1] }
  - { kind: link-loss, at: 15s, for: 3s, devices: [g2] }
  - { kind: relay-restart, at: 19s, for: 2s }
`),
      drainMs: 30_000,
      log: (l) => log.push(l),
    });
    const s = r.summary;
    expect(s.devices).toBe(5);
    expect(r.faults).toMatchObject({ "device-reboot": 2, "link-loss": 2, "relay-restart": 1 });
    expect(r.relayRestarts).toBe(1);
    expect(s.connects, log.join("\n")).toBeGreaterThanOrEqual(5);
    // Every device sent: 5 devices, a round every 2 s, for most of 24 s.
    expect(s.sent).toBeGreaterThan(5 * 6 * 2);
    expect(s.accounted).toBe(true);
    expect(s.delivered + s.lost).toBe(s.sent);
    expect(s.unknown).toBe(0);
    expect(s.duplicates).toBe(0);
    // Reboots of artifacts are clean power-offs (their SD is a directory): nothing lost.
    expect(s.delivered).toBe(s.sent);
    // Each device sent and had delivered readings, the artifacts also after their reboot.
    const series = r.series;
    const bins = series.heatSent.length / series.deviceNames.length;
    series.deviceNames.forEach((name, i) => {
      const sent = Array.from(series.heatSent.subarray(i * bins, (i + 1) * bins));
      const delivered = Array.from(series.heatDelivered.subarray(i * bins, (i + 1) * bins));
      expect(sent.reduce((a, b) => a + b, 0), name).toBeGreaterThan(4);
      expect(delivered).toEqual(sent);
      const afterReboot = sent.slice(Math.ceil(12_000 / series.binMs)).reduce((a, b) => a + b, 0);
      expect(afterReboot, name).toBeGreaterThan(0);
    });
  }, 150_000);

  it("samples and journals only a template's sensor subset", async () => {
    const scheduler = new Scheduler({ mode: { mode: "stepped" } });
    const timers = new HalTimers(scheduler);
    const kinds: string[] = [];
    const board = findBoard("esp32-s3-devkitc-1-n8");
    const key = "A".repeat(43);
    const d = new VirtualDevice({
      index: 0,
      name: "subset",
      // Nothing listens there: the device journals offline, which is all this test needs.
      relay: `grp://${key}:${key}@127.0.0.1:9`,
      invitation: "unused",
      intervalS: 1,
      sensors: boardSensorConfigs(board),
      kinds: ["humidity", "illuminance"],
      sources: { temperature: () => 21, humidity: () => 40, pressure: () => 1000, illuminance: () => 300, battery: () => 3.9 },
      timers,
      provider: getProvider("native"),
      epochMs: 0,
      onReading: (_d, _t, kind) => kinds.push(kind),
    });
    d.start();
    await scheduler.run(5_500);
    d.stop();
    expect(kinds.length).toBeGreaterThanOrEqual(8);
    expect(new Set(kinds)).toEqual(new Set(["humidity", "illuminance"]));
    expect(kinds.filter((k) => k === "humidity").length).toBe(kinds.filter((k) => k === "illuminance").length);
  }, 30_000);

  it.each(["lua", "espruino"] as const)("boots the %s artifact with a sensor subset from tsense.cfg", async (target) => {
    const scheduler = new Scheduler({ mode: { mode: "stepped" } });
    const timers = new HalTimers(scheduler);
    const board = findBoard("seeed-xiao-esp32s3-sense");
    const kinds: string[] = [];
    const key = "A".repeat(43);
    const d = new ArtifactDevice({
      target,
      name: `subset-${target}`,
      board,
      sensors: boardSensorConfigs(board),
      kinds: ["humidity", "battery"],
      sources: { temperature: () => 21, humidity: () => 40, pressure: () => 1000, illuminance: () => 300, battery: () => 3.9 },
      // Nothing listens there: the device journals offline, which is all this test needs.
      relay: `grp://${key}:${key}@127.0.0.1:9`,
      invitation: "unused",
      intervalS: 1,
      timers,
      onReading: (_t, kind) => kinds.push(kind),
      onEvent: () => undefined,
    });
    try {
      d.start();
      // The build (cached after the fleet test above) holds virtual time until the boot.
      await scheduler.run(4_500, { maxHoldWallMs: 120_000 });
    } finally {
      d.stop();
    }
    expect(kinds.length, d.lines.join("\n")).toBeGreaterThanOrEqual(4);
    expect(new Set(kinds)).toEqual(new Set(["humidity", "battery"]));
  }, 150_000);

  it("rejects a sensor the board cannot measure, and a mix no template can run, at load time", () => {
    expect(() => spec(`devices: [{ board: seeed-xiao-esp32s3-sense, sensors: [temperature, illuminance] }]`)).toThrow(
      /devices\[0\]\.sensors: board "seeed-xiao-esp32s3-sense" cannot measure illuminance \(it measures temperature, humidity, battery\)/,
    );
    expect(() => spec(`mix: "lua=50%"\ndevices: [{ name: "s{n}", count: 4, protocol: smp }]`)).toThrow(SpecError);
    expect(() => spec(`mix: "lua=50%"\ndevices: [{ name: "s{n}", count: 4, protocol: smp }]`)).toThrow(/mix: lua=50% asks for 2 Lua devices, but only 0 Lua can be placed: .* \(no template qualifies\)/);
  });
});
