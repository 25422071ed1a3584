// The device app with no relay reachable, on a virtual clock: readings go to the encrypted
// journal; once it exceeds its budget the oldest epochs are dropped, their keys erased,
// and every dropped reading is counted (never a silent loss).
import { describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { Scheduler } from "../../firmware/targets/node/scheduler";
import { createNodeHal } from "../../firmware/targets/node/node-hal";
import { MemoryFs } from "../../firmware/storage/memory-fs";
import { createSimRig } from "../../firmware/app/sensors/sim/sim-rig";
import { createSensors } from "../../firmware/app/sensors/sensor-config";
import { boardSensorConfigs } from "../../boards/board";
import { findBoard } from "../../boards/load";
import { DeviceApp, DeviceConfig, RECORDS_PER_EPOCH } from "../../firmware/app/device-app";

describe("device app offline", () => {
  it("keeps readings in the journal up to its budget and counts what it drops", () => {
    const scheduler = new Scheduler({ mode: "virtual" });
    const configs = boardSensorConfigs(findBoard("seeed-xiao-esp32s3-sense"));
    const rig = createSimRig(configs, { temperature: () => 20, humidity: () => 50, pressure: () => 1000, illuminance: () => 1, battery: () => 3.9 }, () => scheduler.now());
    const sd = new MemoryFs();
    const hal = createNodeHal({ scheduler, sd, flash: new MemoryFs(), i2c: rig.bus });
    hal.adc = rig.adc;
    // A relay address where nothing listens: the device stays offline and keeps retrying.
    const config = new DeviceConfig("offline-1", "grp://AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@127.0.0.1:9", "tsense:1:AAAA", 1);
    config.journalBudget = 8 * 1024;
    const events: string[] = [];
    const app = new DeviceApp(hal, getProvider("noble"), config, createSensors(configs, hal.i2c, hal.adc), (t, d) => events.push(`${t} ${d}`));
    app.start();
    const rounds = 3 * RECORDS_PER_EPOCH;
    scheduler.advance(rounds * 1000 + 500);
    const c = app.counters;
    expect(c.rounds).toBeGreaterThanOrEqual(rounds);
    expect(c.readingsSent).toBe(0);
    expect(c.readingsDropped).toBeGreaterThan(0);
    // Every reading is either still queued or counted as dropped.
    expect(app.queued() + c.readingsDropped).toBe(c.readingsJournaled);
    expect(sd.totalBytes()).toBeLessThan(config.journalBudget + 8 * 1024);
    expect(events.some((e) => e.startsWith("dropped "))).toBe(true);
    app.stop();
    scheduler.close();
  });
});
