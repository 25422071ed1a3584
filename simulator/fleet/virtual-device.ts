/**
 * One virtual device: the real firmware (DeviceApp) on the Node HAL, with simulated chips
 * behind its I2C bus and ADC (fed by a physical model), an in-memory SD card and flash
 * that can lose power at any byte, with its timers on the simulator's scheduler through
 * its own (possibly skewed) clock.
 *
 * Every round the firmware journals comes out as its "journal" event (the line a board
 * prints); each reading in it is reported through `onReading`, and the fleet matches the
 * station's records to it by (reading time, kind, occurrence).
 */
import type { CryptoProvider } from "../../firmware/crypto/provider";
import { DeviceApp, DeviceConfig } from "../../firmware/app/device-app";
import { parseJournalDetail } from "./journal-event";
import { createSensors } from "../../firmware/app/sensors/sensor-config";
import { parseKinds, selectKinds } from "../../firmware/app/sensors/sensor-subset";
import { createSimRig, type PhysicalSources, type SimRig } from "../../firmware/app/sensors/sim/sim-rig";
import type { SensorConfig } from "../../firmware/app/sensors/sensor-config";
import type { SocketHandler } from "../../firmware/port/hal/net";
import { MemoryFs, POWER_CUT } from "../../firmware/storage/memory-fs";
import { createNodeHal, type HalScheduler, type NodeDeviceHal } from "../../firmware/targets/node/node-hal";
import { SmpTlsLinks } from "../../firmware/app/node/smp-tls-link";
import type { HalTimers } from "../clock/hal-timers";
import type { FleetDevice } from "./fleet-device";

export interface VirtualDeviceOptions {
  index: number;
  name: string;
  relay: string;
  invitation: string;
  intervalS: number;
  sensors: SensorConfig[];
  /** Reading kinds to sample and send (undefined: every kind the sensors measure). */
  kinds?: string[];
  sources: PhysicalSources;
  /** The device's timers (its own clock on the fleet's scheduler). */
  timers: HalTimers;
  provider: CryptoProvider;
  /** Wall-clock ms at the HAL's millis() 0 (readings carry wall-clock times). */
  epochMs: number;
  onEvent?: (device: VirtualDevice, type: string, detail: string) => void;
  /** A journalled reading: its wire time (ms), kind name and value. */
  onReading?: (device: VirtualDevice, timeMs: number, kind: string, value: number) => void;
}

export class VirtualDevice implements FleetDevice {
  readonly sd = new MemoryFs();
  readonly flash = new MemoryFs();
  readonly rig: SimRig;
  readonly hal: NodeDeviceHal;
  app: DeviceApp;
  boots = 0;
  powered = false;
  /** Readings the firmware counted as dropped (journal full), summed over every boot. */
  droppedBefore = 0;

  constructor(readonly o: VirtualDeviceOptions) {
    this.rig = createSimRig(o.sensors, o.sources, () => o.timers.now());
    const timers = o.timers;
    const scheduler: HalScheduler = {
      now: () => timers.now(),
      setTimer: (ms, fn) => timers.setTimer(ms, () => this.guard(fn)),
      cancel: (id) => timers.cancel(id),
      activity: () => timers.activity(),
      hold: () => timers.hold(),
    };
    this.hal = createNodeHal({ scheduler, sd: this.sd, flash: this.flash, i2c: this.rig.bus, onRestart: () => this.reboot() });
    this.hal.adc = this.rig.adc;
    const net = this.hal.net;
    const guarded = (handler: SocketHandler): SocketHandler => ({
      onConnect: () => this.guard(() => handler.onConnect()),
      onData: (d) => this.guard(() => handler.onData(d)),
      onClose: (r) => this.guard(() => handler.onClose(r)),
    });
    this.hal.net = { connect: (host, port, handler) => net.connect(host, port, guarded(handler)) };
    const tls = this.hal.tls;
    this.hal.tls = { connect: (host, port, alpn, handler) => tls.connect(host, port, alpn, guarded(handler)) };
    this.app = this.makeApp();
  }

  private makeApp(): DeviceApp {
    const c = new DeviceConfig(this.o.name, this.o.relay, this.o.invitation, this.o.intervalS);
    c.timeOffsetMs = this.o.epochMs;
    // The template's subset, as the firmware applies tsense.cfg's "kinds".
    const sensors = selectKinds(createSensors(this.o.sensors, this.hal.i2c, this.hal.adc), this.o.kinds === undefined ? undefined : parseKinds(this.o.kinds.join(",")));
    const app = new DeviceApp(this.hal, this.o.provider, c, sensors, (type, detail) => {
      if (type === "error" && detail.indexOf(POWER_CUT) >= 0) this.powerOff();
      if (type === "journal" && this.o.onReading !== undefined) {
        const j = parseJournalDetail(detail);
        for (const r of j.readings) this.o.onReading(this, j.timeMs, r.kind, r.value);
      }
      this.o.onEvent?.(this, type, detail);
    });
    // SMP over TLS for an smp:// relay (the boards' builds talk GRP only).
    app.smpLinks = new SmpTlsLinks(this.hal.tls, this.o.provider, this.hal.system);
    return app;
  }

  /**
   * Runs firmware code; a write past the SD card's power budget throws POWER_CUT out of
   * it: nothing after that write runs, and the device is off (its socket callbacks and
   * timers are where that throw lands).
   */
  private guard(fn: () => void): void {
    if (!this.powered) return;
    try {
      fn();
    } catch (e) {
      if (e instanceof Error && e.message === POWER_CUT) this.powerOff();
      else throw e;
    }
  }

  start(): void {
    this.boots++;
    this.powered = true;
    this.app.start();
  }

  /** Power goes: the app stops mid-whatever, every timer of the device is gone. */
  powerOff(): void {
    if (!this.powered) return;
    this.powered = false;
    this.droppedBefore = Math.max(this.droppedBefore, this.app.counters.readingsDropped);
    this.app.stop();
    this.o.timers.cancelAll();
  }

  /** Power returns: a fresh app boots from what the SD card and flash kept. */
  powerOn(): void {
    this.sd.budget = -1;
    this.flash.budget = -1;
    this.app = this.makeApp();
    this.start();
  }

  /** A software reboot: the app stops, storage stays, a new app instance boots from it. */
  reboot(): void {
    this.powerOff();
    this.powerOn();
  }

  /** Readings dropped for a full journal (the app restores its counter from storage after a boot). */
  dropped(): number {
    return Math.max(this.droppedBefore, this.app.counters.readingsDropped);
  }

  stop(): void {
    this.powerOff();
  }

  isReady(): boolean {
    return this.app.isReady();
  }

  cutPowerAfter(units: number): void {
    this.sd.budget = units;
  }
}
