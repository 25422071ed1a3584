/**
 * A device shard's thread: builds its devices (the same factory as the main thread, each a
 * small state object on this thread's scheduler), keeps virtual time in step with the
 * fleet's (one wall-clock anchor), runs the devices' timers and sockets, obeys power,
 * skew and power-cut commands, and reports readings and firmware events back in batches.
 */
import { parentPort, workerData } from "node:worker_threads";
import { getProvider } from "../../firmware/crypto/node/providers";
import type { CryptoProvider } from "../../firmware/crypto/provider";
import { DeviceClock, HalTimers, Scheduler, sharedWallClock } from "../clock/index";
import { DeviceModels } from "../models/device-models";
import { FaultPlan } from "../faults/index";
import { expandDevices } from "../spec/index";
import { createFleetDevice, type FleetDevice } from "./fleet-device";
import type { FromShard, ShardEvent, ShardInit, ShardReading, ToShard } from "./shard-protocol";

/** How often the shard reports its heap (wall ms). */
const STATUS_WALL_MS = 1000;
/** Longest a shard runs without being told to stop (virtual ms): far beyond any run. */
const FOREVER_MS = 1e15;

function runShard(init: ShardInit, port: NonNullable<typeof parentPort>): void {
  const send = (m: FromShard): void => port.postMessage(m);
  const spec = init.spec;
  const plans = expandDevices(spec);
  const faults = FaultPlan.fromSpec(spec, plans);
  let taskErrors = 0;
  const firstErrors: string[] = [];
  const scheduler = new Scheduler({
    mode: spec.clock,
    wallClock: sharedWallClock,
    onTaskError: (e) => {
      taskErrors++;
      if (firstErrors.length < 5) firstErrors.push((e as Error).message);
    },
  });

  // Batched reports: one message per event-loop turn.
  let items: (ShardReading | ShardEvent)[] = [];
  let flushQueued = false;
  const flush = (): void => {
    flushQueued = false;
    if (items.length === 0) return;
    send({ type: "batch", items });
    items = [];
  };
  const queue = (item: ShardReading | ShardEvent): void => {
    items.push(item);
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(flush);
    }
  };

  const heapBefore = process.memoryUsage().heapUsed;
  const providers = new Map<string, CryptoProvider>();
  const devices = new Map<number, { device: FleetDevice; clock: DeviceClock }>();
  const order: number[] = [];
  for (const d of init.devices) {
    const p = plans[d.index];
    const clock = new DeviceClock(scheduler, faults.skewAt(p.index, 0));
    const timers = new HalTimers(scheduler, clock);
    const models = new DeviceModels(spec.seed, p.name, spec.timeOfDayMs);
    for (const f of faults.sensorFaults(p.index)) models.addFault(f.kind, f.fault);
    let provider = providers.get(p.crypto);
    if (provider === undefined) providers.set(p.crypto, (provider = getProvider(p.crypto)));
    const device: FleetDevice = createFleetDevice({
      plan: p,
      relay: d.relay,
      invitation: d.invitation,
      timers,
      models,
      now: () => clock.now(),
      provider,
      epochMs: init.epochMs,
      onReading: (timeMs, kind, value) => queue({ t: "r", index: p.index, at: scheduler.now(), timeMs, kind, value }),
      onEvent: (type, detail) => queue({ t: "e", index: p.index, at: scheduler.now(), type, detail, ready: device.isReady(), dropped: device.dropped() }),
    });
    devices.set(p.index, { device, clock });
    order.push(p.index);
  }
  const heapGrowth = (): number => Math.max(0, process.memoryUsage().heapUsed - heapBefore);
  const status = setInterval(() => send({ type: "status", heapBytes: heapGrowth(), taskErrors, firstErrors }), STATUS_WALL_MS);

  const at = (index: number): { device: FleetDevice; clock: DeviceClock } => {
    const d = devices.get(index);
    if (d === undefined) throw new Error(`shard: device ${index} is not in this shard`);
    return d;
  };
  port.on("message", (m: ToShard) => {
    switch (m.type) {
      case "go":
        scheduler.anchorAt(m.wallMs, m.virtualMs);
        void scheduler.run(FOREVER_MS).catch((e: unknown) => {
          taskErrors++;
          if (firstErrors.length < 5) firstErrors.push(`scheduler: ${(e as Error).message}`);
        });
        break;
      case "device": {
        const d = at(m.index).device;
        if (m.op === "start") d.start();
        else if (m.op === "powerOff") d.powerOff();
        else if (m.op === "powerOn") d.powerOn();
        else d.stop();
        break;
      }
      case "cut-power-after":
        at(m.index).device.cutPowerAfter(m.units);
        break;
      case "skew": {
        const c = at(m.index).clock;
        c.setPpm(m.ppm);
        c.step(m.offsetMs);
        break;
      }
      case "sync":
        flush();
        send({
          type: "synced",
          id: m.id,
          dropped: order.map((i) => at(i).device.dropped()),
          ready: order.map((i) => at(i).device.isReady()),
          heapBytes: heapGrowth(),
        });
        break;
      case "stop":
        for (const i of order) at(i).device.stop();
        scheduler.stop();
        clearInterval(status);
        flush();
        send({ type: "status", heapBytes: heapGrowth(), taskErrors, firstErrors });
        send({ type: "stopped" });
        break;
    }
  });
  send({ type: "ready" });
}

if (parentPort === null) throw new Error("shard-worker.ts runs in a worker thread (see shards.ts)");
runShard(workerData as ShardInit, parentPort);
