// BH1750: the driver against the simulated chip (values, power-on + one-time command,
// waiting the maximum measurement time, missing device, NACK mid-measurement) and the
// simulated chip's instruction set.
import { describe, expect, it } from "vitest";
import { Bh1750 } from "./bh1750";
import { BH1750_H_RES_MAX_MS, bh1750Lux } from "./bh1750-commands";
import { SENSOR_BUS_ERROR, SENSOR_MISSING, SENSOR_OK } from "./reading";
import { I2cSimBus } from "./sim/i2c-sim-bus";
import { SimBh1750 } from "./sim/sim-bh1750";
import { VirtualClock, measure } from "./sim/virtual-clock";

const ADDR = 0x23;

function setup() {
  const clock = new VirtualClock();
  const env = { lux: 250 };
  const chip = new SimBh1750({ illuminance: () => env.lux, clock: clock.source() });
  const bus = new I2cSimBus();
  bus.attach(ADDR, chip);
  const log: string[] = [];
  bus.setTrace((_a, isRead, data, acked) => log.push(`${clock.now} ${isRead ? "R" : "W"} ${data ? Buffer.from(data as Uint8Array).toString("hex") : "-"}${acked ? "" : " NACK"}`));
  return { clock, env, chip, bus, log, drv: new Bh1750(bus, ADDR) };
}

describe("BH1750 driver against the simulated chip", () => {
  it("reads lux = count / 1.2 within one count over the range", () => {
    const s = setup();
    for (const lux of [0, 0.5, 1, 17.3, 250, 1000, 12345.6, 54612]) {
      s.env.lux = lux;
      const [r] = measure(s.drv, s.clock).readings;
      expect(r.status).toBe(SENSOR_OK);
      expect(Math.abs(r.value - lux)).toBeLessThanOrEqual(1 / 1.2 / 2 + 1e-9);
    }
    s.env.lux = 100000; // beyond the 16-bit counter: saturates at 65535 counts
    expect(measure(s.drv, s.clock).readings[0].value).toBeCloseTo(bh1750Lux(65535), 6);
  });

  it("powers on, starts a one-time H-resolution measurement, waits 180 ms, reads 2 bytes; the chip powers down", () => {
    const s = setup();
    const m = measure(s.drv, s.clock);
    expect(m.elapsed).toBe(BH1750_H_RES_MAX_MS);
    expect(s.log).toEqual(["0 W 01", "0 W 20", "180 R 012c"]); // 250 lx * 1.2 = 300 counts
    expect(s.chip.isPowered()).toBe(false);
  });

  it("a read before the conversion ends returns the previous result (why the driver waits)", () => {
    const s = setup();
    measure(s.drv, s.clock);
    s.env.lux = 500;
    s.drv.start();
    s.clock.advance(50);
    expect(s.drv.step()).toBe(-1);
    expect(s.drv.readings()[0].value).toBeCloseTo(250, 6);
  });

  it("reports a missing device and a NACK mid-measurement", () => {
    const s = setup();
    s.bus.setMissing(ADDR, true);
    expect(measure(s.drv, s.clock).readings[0].status).toBe(SENSOR_MISSING);
    s.bus.clearFaults(ADDR);
    s.bus.nackAfter(ADDR, 1);
    expect(measure(s.drv, s.clock).readings[0].status).toBe(SENSOR_BUS_ERROR);
    s.bus.clearFaults(ADDR);
    s.bus.nackAfter(ADDR, 2);
    expect(measure(s.drv, s.clock).readings[0].status).toBe(SENSOR_BUS_ERROR);
  });

  it("simulated chip: continuous and H2/L modes, MTreg, reset, stuck", () => {
    const s = setup();
    s.env.lux = 100;
    s.chip.write(new Uint8Array([0x01, 0x11])); // continuous H2: 2.4 counts/lx
    s.clock.advance(120);
    expect(Array.from(s.chip.read(2) as Uint8Array)).toEqual([0, 240]);
    s.env.lux = 200;
    s.clock.advance(120);
    expect(Array.from(s.chip.read(2) as Uint8Array)).toEqual([1, 224]); // 480: still measuring continuously
    s.chip.write(new Uint8Array([0x07])); // reset clears the data register
    expect(Array.from(s.chip.read(2) as Uint8Array)).toEqual([0, 0]);
    s.chip.write(new Uint8Array([0x00, 0x42, 0x7a, 0x01, 0x20])); // MTreg = 0b010_11010 = 90
    s.clock.advance(120 * 90 / 69);
    const d = s.chip.read(2) as Uint8Array;
    expect(d[0] * 256 + d[1]).toBe(Math.round((200 * 1.2 * 90) / 69));
    s.chip.write(new Uint8Array([0x23])); // one-time L: 4-count steps
    s.clock.advance(30);
    const l = s.chip.read(2) as Uint8Array;
    expect((l[0] * 256 + l[1]) % 4).toBe(0);
    s.chip.setStuck(true);
    s.env.lux = 5;
    const stuck = measure(new Bh1750(s.bus, ADDR), s.clock).readings[0].value;
    expect(stuck).toBeGreaterThan(100);
  });
});
