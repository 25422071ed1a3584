/**
 * A `--mix` device: the compiled firmware (the Lua bundle in the virtual NodeMCU, or the
 * Espruino bundle in the virtual Espruino) booted from a flash directory holding its
 * tsense.cfg, with the simulated chips of its board behind I2C and the ADC, on the device's
 * own timers. The host sees only what a board shows on its serial port: the printed lines.
 * "tsense journal …" lines account for readings (journal-event.ts), the other
 * "tsense <type> <detail>" lines are the firmware's events.
 *
 * Differences from an in-process device: the SD card is a directory, so a power cut is a
 * clean power-off (no torn write); crypto is the artifact's own (portable) provider; the
 * reading times are the device's uptime (a board sets its clock from SNTP, which the
 * virtual runtimes do not have).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Board } from "../../boards/board";
import type { SensorConfig } from "../../firmware/app/sensors/sensor-config";
import { createSimRig, type PhysicalSources, type SimRig } from "../../firmware/app/sensors/sim/sim-rig";
import type { HalScheduler } from "../../firmware/targets/node/node-hal";
import { SettableAdc } from "../../firmware/targets/node/settable-io";
import { VirtualNodeMcu } from "../../firmware/targets/lua/node/virtual-nodemcu";
import { VirtualEspruino } from "../../firmware/targets/espruino/node/virtual-espruino";
import type { HalTimers } from "../clock/hal-timers";
import { artifactCode, type ArtifactTarget } from "./artifact-device-build";
import type { FleetDevice } from "./fleet-device";
import { JOURNAL_LINE_PREFIX, parseJournalDetail } from "./journal-event";

/** The access point the virtual runtimes let the boot code join (any credentials work). */
const SIM_WIFI = { ssid: "tsense-sim", password: "simulated" };
const EVENT_PREFIX = "tsense ";

export interface ArtifactDeviceOptions {
  target: ArtifactTarget;
  name: string;
  board: Board;
  sensors: SensorConfig[];
  /** Reading kinds to report (tsense.cfg "kinds"); undefined: all the board measures. */
  kinds?: string[];
  sources: PhysicalSources;
  relay: string;
  invitation: string;
  /** Whole seconds: tsense.cfg holds an integer interval. */
  intervalS: number;
  timers: HalTimers;
  onReading: (timeMs: number, kind: string, value: number) => void;
  onEvent: (type: string, detail: string) => void;
}

/** The rig's ADC behind the runtimes' settable one: reads come from the battery model. */
class ModelAdc extends SettableAdc {
  constructor(private readonly rig: SimRig) {
    super();
  }
  override readMillivolts(channel: number): number {
    return this.rig.adc.readMillivolts(channel);
  }
}

type Runtime = VirtualNodeMcu | VirtualEspruino;

export class ArtifactDevice implements FleetDevice {
  private readonly dir: string;
  private readonly rig: SimRig;
  private readonly adc: ModelAdc;
  private readonly code: Promise<string>;
  private runtime: Runtime | undefined;
  /** Bumped by every power change: a boot still waiting for its runtime checks it. */
  private generation = 0;
  private powered = false;
  private ready = false;
  private droppedReadings = 0;
  /** Printed lines, newest last (the device's serial log, for errors). */
  readonly lines: string[] = [];
  boots = 0;

  constructor(private readonly o: ArtifactDeviceOptions) {
    if (!Number.isInteger(o.intervalS) || o.intervalS < 1) throw new Error(`device ${o.name}: a ${o.target} artifact takes a whole number of seconds as its interval, got ${o.intervalS} s`);
    this.code = artifactCode(o.board.id, o.target);
    // Unhandled until start() awaits it; a failed build is reported there.
    this.code.catch(() => undefined);
    this.rig = createSimRig(o.sensors, o.sources, () => o.timers.now());
    this.adc = new ModelAdc(this.rig);
    this.dir = mkdtempSync(join(tmpdir(), `tsense-sim-${o.target}-`));
    mkdirSync(join(this.dir, "flash"));
    mkdirSync(join(this.dir, "sd"));
    // What `tsense provision` writes to flash.
    const cfg = {
      name: o.name,
      relay: o.relay,
      invitation: o.invitation,
      interval: o.intervalS,
      ...(o.kinds === undefined ? {} : { kinds: o.kinds.join(",") }),
      wifi: { ssid: SIM_WIFI.ssid, password: SIM_WIFI.password },
    };
    writeFileSync(join(this.dir, "flash", "tsense.cfg"), JSON.stringify(cfg));
  }

  start(): void {
    this.powerOn();
  }

  powerOn(): void {
    if (this.powered) return;
    this.powered = true;
    const generation = ++this.generation;
    // Stepped time waits for the build and the boot (the build happens once per board and target).
    const release = this.o.timers.hold();
    void this.boot(generation).finally(release);
  }

  private async boot(generation: number): Promise<void> {
    let runtime: Runtime | undefined;
    try {
      const code = await this.code;
      runtime = await this.makeRuntime();
      if (generation !== this.generation) {
        runtime.stop();
        return;
      }
      this.runtime = runtime;
      this.boots++;
      runtime.boot(code);
    } catch (e) {
      if (generation !== this.generation && runtime !== undefined) return;
      const message = `device ${this.o.name}: ${runtime === undefined ? `${this.o.target} artifact` : "boot"}: ${(e as Error).message.split("\n")[0]}`;
      this.o.onEvent("error", message);
      // A task that throws reaches the run's log (the scheduler's task-error hook): a device
      // that cannot boot is the run's problem, not a silent gap.
      this.o.timers.setTimer(0, () => {
        throw new Error(message);
      });
    }
  }

  private async makeRuntime(): Promise<Runtime> {
    const t = this.o.timers;
    const scheduler: HalScheduler = {
      now: () => t.now(),
      setTimer: (ms, fn) => t.setTimer(ms, fn),
      cancel: (id) => t.cancel(id),
      activity: () => t.activity(),
      hold: () => t.hold(),
    };
    const common = {
      scheduler,
      sdDir: join(this.dir, "sd"),
      flashDir: join(this.dir, "flash"),
      i2c: this.rig.bus,
      adc: this.adc,
      print: (line: string) => this.onLine(line),
      onRestart: () => this.restarted(),
    };
    if (this.o.target === "lua") return VirtualNodeMcu.create({ ...common, accessPoint: { ssid: SIM_WIFI.ssid, pwd: SIM_WIFI.password } });
    const channelOfPin = new Map<number, number>();
    for (const s of this.o.board.sensors) if (s.type === "battery") channelOfPin.set(s.pin, s.channel);
    return new VirtualEspruino({ ...common, accessPoint: SIM_WIFI, adcChannelOfPin: (pin) => channelOfPin.get(pin) ?? -1 });
  }

  private onLine(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
    if (line.startsWith(JOURNAL_LINE_PREFIX)) {
      const round = parseJournalDetail(line.slice(JOURNAL_LINE_PREFIX.length));
      for (const r of round.readings) this.o.onReading(round.timeMs, r.kind, r.value);
      return;
    }
    if (!line.startsWith(EVENT_PREFIX)) {
      // Banners and runtime errors ("TSENSE ERROR …", "Uncaught …") are worth seeing as errors.
      if (/^(TSENSE (ERROR|UNPROVISIONED)|Uncaught)/.test(line)) this.o.onEvent("error", line);
      return;
    }
    const rest = line.slice(EVENT_PREFIX.length);
    const space = rest.indexOf(" ");
    const type = space < 0 ? rest : rest.slice(0, space);
    const detail = space < 0 ? "" : rest.slice(space + 1);
    if (type === "ready") this.ready = true;
    if (type === "dropped") this.droppedReadings += Number(/^[0-9]+/.exec(detail)?.[0] ?? 0);
    this.o.onEvent(type, detail);
  }

  /** node.restart() / E.reboot(): the runtime halted itself; boot a fresh one from the same storage. */
  private restarted(): void {
    if (!this.powered) return;
    this.powerOff();
    this.powerOn();
  }

  powerOff(): void {
    if (!this.powered) return;
    this.powered = false;
    this.generation++;
    const r = this.runtime;
    this.runtime = undefined;
    if (r !== undefined && !r.halted) r.stop();
    this.o.timers.cancelAll();
  }

  stop(): void {
    this.powerOff();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The station connection was established once; the artifact keeps it on its SD card across boots. */
  isReady(): boolean {
    return this.ready;
  }

  dropped(): number {
    return this.droppedReadings;
  }

  /** The SD card is a host directory here: a power cut is a clean power-off, which the fleet does next. */
  cutPowerAfter(_units: number): void {}
}
