/**
 * One virtual device: the real firmware (DeviceApp) on the Node HAL, with simulated chips
 * behind its I2C bus and ADC (fed by a physical model), an in-memory SD card and flash
 * that can lose power at any byte, on the fleet's shared scheduler.
 */
import { getProvider } from "../../firmware/crypto/node/providers";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import { DeviceApp, DeviceConfig } from "../../firmware/app/device-app";
import { createSensors } from "../../firmware/app/sensors/sensor-config";
import { createSimRig, type PhysicalSources, type SimRig } from "../../firmware/app/sensors/sim/sim-rig";
import type { SensorConfig } from "../../firmware/app/sensors/sensor-config";
import { MemoryFs } from "../../firmware/storage/memory-fs";
import { createNodeHal } from "../../firmware/targets/node/node-hal";
import type { Scheduler } from "../../firmware/targets/node/scheduler";
import type { DeviceHal } from "../../firmware/app/device-hal";

export interface VirtualDeviceOptions {
  name: string;
  relay: string;
  invitation: string;
  intervalS: number;
  sensors: SensorConfig[];
  sources: PhysicalSources;
  scheduler: Scheduler;
  provider?: CryptoProvider;
  /** Wall-clock ms at scheduler time 0 (readings carry wall-clock times). */
  epochMs: number;
  onEvent?: (device: VirtualDevice, type: string, detail: string) => void;
}

export class VirtualDevice {
  readonly sd = new MemoryFs();
  readonly flash = new MemoryFs();
  readonly rig: SimRig;
  readonly hal: DeviceHal;
  app: DeviceApp;
  boots = 0;
  private readonly provider: CryptoProvider;

  constructor(readonly o: VirtualDeviceOptions) {
    this.provider = o.provider ?? getProvider("native");
    this.rig = createSimRig(o.sensors, o.sources, () => o.scheduler.now());
    this.hal = createNodeHal({ scheduler: o.scheduler, sd: this.sd, flash: this.flash, i2c: this.rig.bus, onRestart: () => this.reboot() });
    this.hal.adc = this.rig.adc;
    this.app = this.makeApp();
  }

  private makeApp(): DeviceApp {
    const c = new DeviceConfig(this.o.name, this.o.relay, this.o.invitation, this.o.intervalS);
    c.timeOffsetMs = this.o.epochMs;
    return new DeviceApp(this.hal, this.provider, c, createSensors(this.o.sensors, this.hal.i2c, this.hal.adc), (type, detail) => this.o.onEvent?.(this, type, detail));
  }

  start(): void {
    this.boots++;
    this.app.start();
  }

  /** A software reboot: the app stops, storage stays, a new app instance boots from it. */
  reboot(): void {
    this.app.stop();
    this.app = this.makeApp();
    this.start();
  }

  stop(): void {
    this.app.stop();
  }
}
