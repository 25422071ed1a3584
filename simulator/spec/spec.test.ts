import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBoards } from "../../boards/load";
import {
  DEFAULT_BOARD,
  SpecError,
  applyOverrides,
  defaultSpec,
  expandDevices,
  formatDuration,
  loadSpecFile,
  parseDuration,
  parseMix,
  parseSimulateArgs,
  parseSpecText,
  resolveSpec,
  scaleDevices,
  totalDevices,
} from "./index";

function problems(text: string, boards?: string[]): string[] {
  try {
    parseSpecText(text, "t.yaml", { boards });
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).problems;
  }
  throw new Error("expected a SpecError");
}

describe("durations and mix", () => {
  it("parses and formats durations", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("1.5m")).toBe(90_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("-2s")).toBe(-2000);
    expect(parseDuration("fast")).toBeUndefined();
    expect(parseDuration("10")).toBeUndefined();
    expect(formatDuration(950)).toBe("950ms");
    expect(formatDuration(12_500)).toBe("12.5s");
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(5_400_000)).toBe("1h30m");
  });

  it("parses an artifact mix", () => {
    expect(parseMix("lua=5%,espruino=2%")).toEqual({ lua: 0.05, espruino: 0.02 });
    expect(parseMix("")).toEqual({ lua: 0, espruino: 0 });
    expect(() => parseMix("lua=5")).toThrow(/expected an artifact mix/);
    expect(() => parseMix("lua=60%,espruino=50%")).toThrow(/more than 100%/);
    expect(() => parseMix("lua=1%,lua=2%")).toThrow(/twice/);
  });
});

describe("fleet spec", () => {
  it("an empty spec is the default run", () => {
    const s = parseSpecText("", "empty.yaml");
    expect(s).toEqual(defaultSpec());
    expect(totalDevices(s)).toBe(100);
    expect(s.durationMs).toBe(60_000);
    expect(s.relay).toEqual({ kind: "embedded" });
    expect(s.mqtt).toEqual({ kind: "embedded" });
    expect(s.clock).toEqual({ mode: "realtime" });
  });

  it("reads the example device-fidelity spec: its mix lands on templates an artifact can run", () => {
    const s = loadSpecFile(join(import.meta.dirname, "examples/device-fidelity.yaml"));
    expect(totalDevices(s)).toBe(20);
    const mixed = expandDevices(s).filter((p) => p.artifact !== "node");
    expect(mixed.map((p) => p.artifact).sort()).toEqual(["espruino", "lua"]);
    for (const p of mixed) expect(p.protocol).toBe("grp");
  });

  it("reads the example fault-injection spec", () => {
    const s = loadSpecFile(join(import.meta.dirname, "examples/fault-injection.yaml"), { boards: ["esp32-s3-devkitc-1-n8"] });
    expect(totalDevices(s)).toBe(25);
    expect(s.clock).toEqual({ mode: "stepped" });
    expect(s.mqtt).toEqual({ kind: "off" });
    expect(s.timeOfDayMs).toBe(6 * 3_600_000);
    expect(s.devices[1]).toMatchObject({ name: "cellar-{n:2}", intervalMs: 30_000, protocol: "smp", crypto: "noble", sensors: ["temperature", "humidity", "pressure"] });
    expect(s.faults[0]).toMatchObject({ kind: "link-loss", atMs: undefined, count: 3, forMs: 20_000, devices: { share: 0.1 } });
    expect(s.faults[1]).toMatchObject({ kind: "latency", atMs: 120_000, latencyMs: 80, jitterMs: 40, devices: { all: true } });
    expect(s.faults[4]).toMatchObject({ kind: "clock-skew", devices: { names: ["cellar-01"] }, ppm: 150, offsetMs: 2000 });
    const devices = expandDevices(s);
    expect(devices.map((d) => d.name).slice(0, 2)).toEqual(["kitchen-01", "kitchen-02"]);
    expect(devices[20].name).toBe("cellar-01");
  });

  it("JSON works too, and accelerated clocks need a speed", () => {
    const s = parseSpecText(JSON.stringify({ clock: { mode: "accelerated", speed: 60 }, seed: 7 }), "x.json");
    expect(s.clock).toEqual({ mode: "accelerated", speed: 60 });
    expect(s.seed).toBe("7");
    expect(problems(JSON.stringify({ clock: { mode: "accelerated" } }))).toEqual([`clock.speed: is required`]);
    expect(problems(JSON.stringify({ clock: "fast" }))).toEqual([`clock: expected "realtime", "stepped", or {"mode": "accelerated", "speed": 60}, got "fast"`]);
  });

  it("names the field and what was expected", () => {
    const p = problems(`
devices:
  - { name: "a-{n}", count: 2 }
  - { name: "b-{n}", interval: fast, protocol: tcp, count: -1, colour: red }
duration: soon
relay: http://x
mix: lua=five
faults:
  - { kind: latency, for: 10s }
  - { kind: meteor }
  - { kind: link-loss, for: 1s, devices: lots }
`);
    expect(p).toContain(`devices[1].interval: expected a duration longer than 0 like "10s" or "5m", got "fast"`);
    expect(p).toContain(`devices[1].protocol: expected one of "grp", "smp", got "tcp"`);
    expect(p).toContain(`devices[1].count: expected a whole number of devices (0 to 1000000), got -1`);
    expect(p.some((l) => l.startsWith("devices[1].colour: unknown field (known: name, board,"))).toBe(true);
    expect(p).toContain(`duration: expected a duration longer than 0 like "10s" or "5m", got "soon"`);
    expect(p.some((l) => l.startsWith(`relay: expected "embedded" or a relay address`))).toBe(true);
    expect(p).toContain(`mix: expected an artifact mix like "lua=5%,espruino=2%", got "lua=five"`);
    expect(p).toContain(`faults[0].latency: is required for a latency fault`);
    expect(p.some((l) => l.startsWith(`faults[1].kind: expected one of "link-loss"`))).toBe(true);
    expect(p.some((l) => l.startsWith(`faults[2].devices: expected "all", a share like "10%"`))).toBe(true);
  });

  it("semantic checks: names, boards, fault times", () => {
    expect(problems(`devices: [{ name: same, count: 2 }]`)).toEqual([`devices[0].name: "same" names 2 devices; add {n} for their number`]);
    expect(problems(`devices: [{ name: "d{n}" }, { name: "d{n}", count: 3 }]`)).toEqual([`devices[1].name: device name "d1" also comes from devices[0]`]);
    expect(problems(`devices: [{ name: "d{n}", board: nope }]`, ["esp32-s3-devkitc-1-n8"])[0]).toMatch(/devices\[0\]\.board: unknown board "nope" \(known: esp32-s3-devkitc-1-n8\)/);
    expect(problems(`duration: 1m\nfaults: [{ kind: relay-restart, at: 2m }]`)).toEqual([`faults[0].at: 120000 ms is not before the end of the run (60000 ms)`]);
    expect(problems(`faults: [{ kind: link-loss, at: 1s }]`)).toEqual([`faults[0].for: is required for a link-loss fault (how long it lasts)`]);
    expect(problems(`faults: [{ kind: reboot-device, devices: [ghost] }]`).length).toBeGreaterThan(0);
    expect(problems(`devices: [{ count: 0 }]`)).toEqual([`devices: the fleet has no devices (every count is 0)`]);
    expect(problems(`mix: lua=60%,espruino=50%`)).toEqual([`mix: shares add up to more than 100% in "lua=60%,espruino=50%"`]);
    expect(problems(`duration: 0s`)).toEqual([`duration: must be longer than 0, got 0 ms`]);
    expect(problems(`{ bad yaml`)[0]).toMatch(/^not valid YAML\/JSON/);
  });

  it("expands devices with a seeded artifact mix and phases", () => {
    // A board whose definition lists both runtimes (the mix is drawn only from those).
    const s = parseSpecText(`seed: m\nmix: lua=10%,espruino=5%\ndevices: [{ name: "d{n:4}", count: 200, board: seeed-xiao-esp32s3-sense }]`, "m.yaml");
    const a = expandDevices(s);
    expect(a.length).toBe(200);
    expect(a[0].name).toBe("d0001");
    expect(a.filter((d) => d.artifact === "lua").length).toBe(20);
    expect(a.filter((d) => d.artifact === "espruino").length).toBe(10);
    expect(expandDevices(s)).toEqual(a);
    s.seed = "other";
    expect(expandDevices(s).map((d) => d.artifact)).not.toEqual(a.map((d) => d.artifact));
    // Only devices an artifact can run on are drawn: here the GRP template, not the SMP one.
    const m = expandDevices(
      parseSpecText(`mix: lua=20%\ndevices: [{ name: "g{n}", count: 3, board: seeed-xiao-esp32s3-sense }, { name: "s{n}", count: 7, protocol: smp }]`, "m.yaml"),
    );
    expect(m.filter((d) => d.artifact === "lua").every((d) => d.name.startsWith("g"))).toBe(true);
    expect(m.filter((d) => d.artifact === "lua").length).toBe(2);
    for (const d of a) {
      expect(d.phaseMs).toBeGreaterThanOrEqual(0);
      expect(d.phaseMs).toBeLessThan(d.intervalMs);
    }
  });
});

describe("boards", () => {
  it("the default board and the example's boards exist", () => {
    const boards = loadBoards().boards.map((b) => b.id);
    expect(boards).toContain(DEFAULT_BOARD);
    expect(() => resolveSpec({ spec: join(import.meta.dirname, "examples/fault-injection.yaml") }, { boards })).not.toThrow();
  });
});

describe("CLI flags", () => {
  it("parses flags in both forms", () => {
    expect(parseSimulateArgs(["--devices", "500", "--duration=2m", "--speed", "60", "--seed", "x", "--relay", "grp://127.0.0.1:5224", "--mqtt", "off", "--mix", "lua=5%", "--assert", "delivery>=0.999,p99<250ms", "--report", "out/"])).toEqual({
      devices: 500,
      durationMs: 120_000,
      speed: 60,
      seed: "x",
      relay: "grp://127.0.0.1:5224",
      mqtt: "off",
      mix: "lua=5%",
      assert: "delivery>=0.999,p99<250ms",
      report: "out/",
    });
    expect(parseSimulateArgs(["--speed", "max"]).speed).toBe("stepped");
    expect(parseSimulateArgs(["--help"]).help).toBe(true);
  });

  it("reports every bad flag", () => {
    expect(() => parseSimulateArgs(["--devices", "many", "--duration", "fast", "--speed", "-1", "--relay", "tcp://x", "--frobnicate", "--seed"])).toThrow(
      [
        `--devices: expected a whole number of devices >= 1, got "many"`,
        `--duration: expected a duration like "60s" or "10m", got "fast"`,
        `--speed: expected a speed factor like 60, or "max", got "-1"`,
        `--relay: expected "embedded" or an address like "grp://127.0.0.1:5224", got "tcp://x"`,
        `unknown flag --frobnicate`,
        `--seed: needs a value`,
      ].join("\n"),
    );
  });

  it("flags override the spec", () => {
    const spec = resolveSpec({ spec: join(import.meta.dirname, "examples/fault-injection.yaml"), devices: 50, speed: 60, mqtt: "embedded" });
    expect(totalDevices(spec)).toBe(50);
    expect(spec.devices.map((t) => t.count)).toEqual([40, 10]);
    expect(spec.clock).toEqual({ mode: "accelerated", speed: 60 });
    expect(spec.mqtt).toEqual({ kind: "embedded" });
    expect(resolveSpec({ speed: 1 }).clock).toEqual({ mode: "realtime" });
    expect(resolveSpec({ clock: "stepped", durationMs: 5000 })).toMatchObject({ clock: { mode: "stepped" }, durationMs: 5000 });
    expect(() => applyOverrides(defaultSpec(), { clock: "accelerated" })).toThrow(/--speed/);
  });

  it("takes a worker count from the spec or --workers", () => {
    expect(parseSpecText("workers: 2", "t.yaml").workers).toBe(2);
    expect(parseSpecText("workers: auto", "t.yaml").workers).toBe("auto");
    expect(defaultSpec().workers).toBeUndefined();
    expect(problems("workers: -1").join("\n")).toMatch(/workers.*whole number of worker threads/);
    expect(problems("workers: many").join("\n")).toMatch(/workers/);
    expect(parseSimulateArgs(["--workers", "3"]).workers).toBe(3);
    expect(parseSimulateArgs(["--workers=auto"]).workers).toBe("auto");
    expect(() => parseSimulateArgs(["--workers", "two"])).toThrow(/--workers.*whole number/);
    expect(resolveSpec({ workers: 0 }).workers).toBe(0);
  });

  it("scales several templates by largest remainder", () => {
    const s = defaultSpec();
    s.devices = [
      { ...s.devices[0], name: "a{n}", count: 1 },
      { ...s.devices[0], name: "b{n}", count: 1 },
      { ...s.devices[0], name: "c{n}", count: 1 },
    ];
    scaleDevices(s, 10);
    expect(s.devices.map((t) => t.count)).toEqual([4, 3, 3]);
  });
});
