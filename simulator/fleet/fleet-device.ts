/**
 * What the fleet needs from one device, whatever runs it: the firmware in this process
 * (VirtualDevice) or, with `--mix`, a compiled artifact in its virtual runtime. The fleet
 * only drives power and reads counters through this; readings and link events come back
 * through the callbacks given at creation.
 */
import type { CryptoProvider } from "../../firmware/crypto/provider";
import { boardSensorConfigs } from "../../boards/board";
import { findBoard } from "../../boards/load";
import type { HalTimers } from "../clock/index";
import type { DeviceModels } from "../models/device-models";
import type { DevicePlan } from "../spec/index";
import { VirtualDevice } from "./virtual-device";

/**
 * The artifact runtimes (TypeScript + typescript-to-lua for the build, wasmoon, the
 * Espruino syntax check) are loaded only for a fleet that mixes them in: in every fleet
 * process they were ~40 MB of heap that each mark-compact walked again.
 */
let artifactModule: typeof import("./artifact-device") | undefined;

/** Loads what `--mix` devices need; call (and await) before creating one. */
export async function loadArtifactSupport(): Promise<void> {
  artifactModule ??= await import("./artifact-device");
}

export interface FleetDevice {
  /** Boots the device (first power-on). */
  start(): void;
  /** Power goes: the firmware stops mid-whatever; storage keeps what was written. */
  powerOff(): void;
  /** Power returns: the firmware boots again from what storage kept. */
  powerOn(): void;
  stop(): void;
  /** The station connection is established (handshake done). */
  isReady(): boolean;
  /** Readings the firmware dropped for a full journal, over every boot. */
  dropped(): number;
  /** The SD card takes this many more write units before the power fails (-1: no limit). */
  cutPowerAfter(units: number): void;
}

export interface FleetDeviceContext {
  plan: DevicePlan;
  /** Address the device connects to (the relay, or its fault proxy): grp://, or smp:// for a template with protocol smp. */
  relay: string;
  invitation: string;
  timers: HalTimers;
  models: DeviceModels;
  /** The device's own clock (virtual ms), for the physical models. */
  now: () => number;
  provider: CryptoProvider;
  /** Wall-clock ms at the device's millis() 0. */
  epochMs: number;
  /** A journalled reading: its wire time (ms), kind name and value. */
  onReading: (timeMs: number, kind: string, value: number) => void;
  /** Firmware events ("link" up/down, "ready", "error", …). */
  onEvent: (type: string, detail: string) => void;
}

/** Creates the device a plan asks for. */
export function createFleetDevice(c: FleetDeviceContext): FleetDevice {
  const p = c.plan;
  const board = findBoard(p.board);
  if (p.artifact !== "node") {
    if (artifactModule === undefined) throw new Error(`device ${p.name} runs the ${p.artifact} artifact: call loadArtifactSupport() first`);
    return new artifactModule.ArtifactDevice({
      target: p.artifact,
      name: p.name,
      board,
      sensors: boardSensorConfigs(board),
      kinds: p.sensors,
      sources: c.models.physicalSources(c.now),
      relay: c.relay,
      invitation: c.invitation,
      intervalS: p.intervalMs / 1000,
      timers: c.timers,
      onReading: c.onReading,
      onEvent: c.onEvent,
    });
  }
  const scheme = c.relay.slice(0, c.relay.indexOf(":"));
  if (scheme !== p.protocol) throw new Error(`device ${p.name} talks ${p.protocol}, but the fleet gave it the relay address ${c.relay}`);
  const d = new VirtualDevice({
    index: p.index,
    name: p.name,
    relay: c.relay,
    invitation: c.invitation,
    intervalS: p.intervalMs / 1000,
    sensors: boardSensorConfigs(board),
    kinds: p.sensors,
    sources: c.models.physicalSources(c.now),
    timers: c.timers,
    provider: c.provider,
    epochMs: c.epochMs,
    onReading: (_d, timeMs, kind, value) => c.onReading(timeMs, kind, value),
    onEvent: (_d, type, detail) => c.onEvent(type, detail),
  });
  return d;
}
