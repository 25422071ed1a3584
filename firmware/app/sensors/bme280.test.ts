// BME280: compensation against the datasheet's worked example and an independent
// integer implementation, calibration parsing (packed H4/H5, signs), and the driver
// against the simulated chip: values, timing, reset/calibration, faults.
import { describe, expect, it } from "vitest";
import { Bytes } from "../../port/bytes";
import { Bme280 } from "./bme280";
import { Bme280Calibration, encodeBme280Calibration, parseBme280Calibration } from "./bme280-calibration";
import { bme280Humidity, bme280Pressure, bme280TFine, bme280Temperature, bme280TemperatureFine } from "./bme280-compensation";
import { BME280_REG_CTRL_MEAS, BME280_REG_PRESS_MSB, bme280MaxMeasurementMs } from "./bme280-registers";
import { SENSOR_BUS_ERROR, SENSOR_MISSING, SENSOR_OK, SENSOR_OUT_OF_RANGE, SENSOR_TIMEOUT, SENSOR_WRONG_CHIP } from "./reading";
import { I2cSimBus } from "./sim/i2c-sim-bus";
import { SIM_BME280_CALIBRATION, SimBme280 } from "./sim/sim-bme280";
import { SimI2cDevice } from "./sim/sim-device";
import { VirtualClock, measure } from "./sim/virtual-clock";

const ADDR = 0x76;

// --- Independent reference: the datasheet's integer formulas (section 4.2.3 / 8.2), in BigInt.
function s32(x: bigint): bigint {
  return BigInt.asIntN(32, x);
}
function intT(c: Bme280Calibration, adcT: number): { t: bigint; tFine: bigint } {
  const a = BigInt(adcT);
  const var1 = s32((((a >> 3n) - (BigInt(c.digT1) << 1n)) * BigInt(c.digT2)) >> 11n);
  const d = (a >> 4n) - BigInt(c.digT1);
  const var2 = s32((((d * d) >> 12n) * BigInt(c.digT3)) >> 14n);
  const tFine = var1 + var2;
  return { t: (tFine * 5n + 128n) >> 8n, tFine };
}
function intP(c: Bme280Calibration, adcP: number, tFine: bigint): bigint {
  let var1 = tFine - 128000n;
  let var2 = var1 * var1 * BigInt(c.digP6);
  var2 = var2 + ((var1 * BigInt(c.digP5)) << 17n);
  var2 = var2 + (BigInt(c.digP4) << 35n);
  var1 = ((var1 * var1 * BigInt(c.digP3)) >> 8n) + ((var1 * BigInt(c.digP2)) << 12n);
  var1 = (((1n << 47n) + var1) * BigInt(c.digP1)) >> 33n;
  if (var1 === 0n) return 0n;
  let p = 1048576n - BigInt(adcP);
  p = (((p << 31n) - var2) * 3125n) / var1;
  var1 = (BigInt(c.digP9) * (p >> 13n) * (p >> 13n)) >> 25n;
  var2 = (BigInt(c.digP8) * p) >> 19n;
  return ((p + var1 + var2) >> 8n) + (BigInt(c.digP7) << 4n); // Q24.8 Pa
}
function intH(c: Bme280Calibration, adcH: number, tFine: bigint): bigint {
  let v = s32(tFine - 76800n);
  v = s32(
    ((((BigInt(adcH) << 14n) - (BigInt(c.digH4) << 20n) - BigInt(c.digH5) * v) + 16384n) >> 15n) *
      ((((((v * BigInt(c.digH6)) >> 10n) * (((v * BigInt(c.digH3)) >> 11n) + 32768n)) >> 10n) + 2097152n) * BigInt(c.digH2) + 8192n >> 14n),
  );
  v = v - ((((v >> 15n) * (v >> 15n)) >> 7n) * BigInt(c.digH1) >> 4n);
  v = v < 0n ? 0n : v;
  v = v > 419430400n ? 419430400n : v;
  return v >> 12n; // Q22.10 %RH
}

const OTHER_CALIBRATION: Bme280Calibration = {
  digT1: 28485, digT2: 26735, digT3: 50,
  digP1: 37614, digP2: -10601, digP3: 3024, digP4: 6963, digP5: -128, digP6: -7, digP7: 9900, digP8: -10230, digP9: 4285,
  digH1: 0, digH2: 359, digH3: 0, digH4: 340, digH5: 0, digH6: 30,
};

describe("BME280 compensation", () => {
  it("matches the BMP280 datasheet's worked example (DS001 3.12: 25.08 degC, 100653.27 Pa)", () => {
    const c = SIM_BME280_CALIBRATION;
    const fine = bme280TemperatureFine(c, 519888);
    expect(bme280TFine(fine)).toBe(128422);
    expect(bme280Temperature(c, 519888)).toBeCloseTo(25.08, 2);
    expect(bme280Pressure(c, 415148, 128422)).toBeCloseTo(100653.27, 1);
  });

  it("truncates t_fine toward zero like the datasheet's C cast", () => {
    expect(bme280TFine(-12.7)).toBe(-12);
    expect(bme280TFine(12.7)).toBe(12);
  });

  it.each([["example", SIM_BME280_CALIBRATION], ["other", OTHER_CALIBRATION]] as const)(
    "agrees with the datasheet's integer formulas over the ADC range (%s calibration)",
    (_name, c) => {
      for (let adcT = 380000; adcT <= 640000; adcT += 9973) {
        const ref = intT(c, adcT);
        const celsius = bme280Temperature(c, adcT);
        expect(Math.abs(celsius - Number(ref.t) / 100)).toBeLessThanOrEqual(0.01);
        const tFine = bme280TFine(bme280TemperatureFine(c, adcT));
        // The integer formula drops low bits in its shifts: t_fine differs by a few units (1/5120 degC each).
        expect(Math.abs(tFine - Number(ref.tFine))).toBeLessThanOrEqual(16);
        for (let adcP = 200000; adcP <= 650000; adcP += 31337) {
          const pa = bme280Pressure(c, adcP, tFine);
          expect(Math.abs(pa - Number(intP(c, adcP, BigInt(tFine))) / 256)).toBeLessThanOrEqual(1);
        }
        for (let adcH = 20000; adcH <= 50000; adcH += 2311) {
          const h = bme280Humidity(c, adcH, tFine);
          expect(Math.abs(h - Number(intH(c, adcH, BigInt(tFine))) / 1024)).toBeLessThanOrEqual(0.05);
        }
      }
    },
  );

  it("clamps humidity to 0..100", () => {
    expect(bme280Humidity(SIM_BME280_CALIBRATION, 65535, 128422)).toBe(100);
    expect(bme280Humidity(SIM_BME280_CALIBRATION, 0, 128422)).toBe(0);
  });

  it("measurement time follows datasheet 9.1 (x1: 9.3 ms max -> 10)", () => {
    expect(bme280MaxMeasurementMs(1, 1, 1)).toBe(10);
    expect(bme280MaxMeasurementMs(5, 5, 5)).toBe(113); // 1.25 + 36.8 + 37.375 + 37.375 = 112.8
    expect(bme280MaxMeasurementMs(1, 0, 0)).toBe(4); // 3.55
  });
});

describe("BME280 calibration registers", () => {
  it("parses the packed H4/H5 nibbles and signed values", () => {
    const c00 = new Uint8Array(26);
    c00[0] = 0x70; c00[1] = 0x6b; // digT1 = 0x6b70 = 27504
    c00[2] = 0x43; c00[3] = 0x67; // digT2 = 26435
    c00[4] = 0x18; c00[5] = 0xfc; // digT3 = -1000
    c00[25] = 0x4b; // digH1 = 75
    const e1 = new Uint8Array([0x6a, 0x01, 0x00, 0x13, 0x2a, 0x03, 0x1e]);
    const c = parseBme280Calibration(c00, e1);
    expect(c.digT1).toBe(27504);
    expect(c.digT2).toBe(26435);
    expect(c.digT3).toBe(-1000);
    expect(c.digH1).toBe(75);
    expect(c.digH2).toBe(362);
    expect(c.digH4).toBe(0x13 * 16 + 0xa); // 314: E4 << 4 | E5[3:0]
    expect(c.digH5).toBe(0x03 * 16 + 0x2); // 50: E6 << 4 | E5[7:4]
    expect(c.digH6).toBe(30);
    // Negative 12-bit values: the sign comes from the whole-byte register.
    const neg = parseBme280Calibration(c00, new Uint8Array([0, 0, 0, 0xec, 0xfa, 0xfe, 0xe2]));
    expect(neg.digH4).toBe(-20 * 16 + 0xa); // -310
    expect(neg.digH5).toBe(-2 * 16 + 0xf); // -17
    expect(neg.digH6).toBe(-30);
  });

  it("encodes and parses back every calibration, including the extremes", () => {
    const extreme: Bme280Calibration = { ...OTHER_CALIBRATION, digT1: 65535, digT2: -32768, digP9: 32767, digH4: -2048, digH5: 2047, digH6: -128, digH1: 255, digH3: 255 };
    for (const c of [SIM_BME280_CALIBRATION, OTHER_CALIBRATION, extreme]) {
      const [a, e] = encodeBme280Calibration(c);
      expect(parseBme280Calibration(a, e)).toEqual(c);
    }
    expect(() => encodeBme280Calibration({ ...OTHER_CALIBRATION, digH4: 2048 })).toThrow(/digH4 = 2048 is not an integer in -2048..2047/);
    expect(() => parseBme280Calibration(new Uint8Array(25), new Uint8Array(7))).toThrow(/need 26 \+ 7 bytes/);
  });
});

interface Env {
  clock: VirtualClock;
  bus: I2cSimBus;
  chip: SimBme280;
  env: { t: number; h: number; p: number };
  log: string[];
}

function setup(options: { calibration?: Bme280Calibration; chipId?: number } = {}): Env {
  const clock = new VirtualClock();
  const env = { t: 21.5, h: 45, p: 1013.25 };
  const chip = new SimBme280({
    temperature: () => env.t,
    humidity: () => env.h,
    pressure: () => env.p,
    clock: clock.source(),
    calibration: options.calibration,
    chipId: options.chipId,
  });
  const bus = new I2cSimBus();
  bus.attach(ADDR, chip);
  const log: string[] = [];
  bus.setTrace((address, isRead, data, acked) => {
    const hex = data === undefined ? "-" : Buffer.from(data as Uint8Array).toString("hex");
    log.push(`${clock.now} ${isRead ? "R" : "W"} ${hex}${acked ? "" : " NACK"}`);
  });
  return { clock, bus, chip, env, log };
}

describe("BME280 driver against the simulated chip", () => {
  it.each([["example", SIM_BME280_CALIBRATION], ["other", OTHER_CALIBRATION]] as const)(
    "reads back the physical values within the sensor's resolution (%s calibration)",
    (_name, calibration) => {
      const s = setup({ calibration });
      const drv = new Bme280(s.bus, ADDR);
      for (const t of [-39.99, -12.3, 0, 21.5, 37.77, 60, 84.99]) {
        for (const h of [0, 3.3, 45.5, 80, 100]) {
          for (const p of [300.05, 650.5, 1013.25, 1099.95]) {
            s.env.t = t;
            s.env.h = h;
            s.env.p = p;
            const m = measure(drv, s.clock);
            const [rt, rh, rp] = m.readings;
            expect([rt.status, rh.status, rp.status]).toEqual([SENSOR_OK, SENSOR_OK, SENSOR_OK]);
            expect(Math.abs(rt.value - t)).toBeLessThanOrEqual(0.005); // 16-bit temperature: 0.0050 degC
            expect(Math.abs(rh.value - h)).toBeLessThanOrEqual(0.01); // 16-bit humidity: 0.008 %RH
            expect(Math.abs(rp.value - p)).toBeLessThanOrEqual(0.03); // 16-bit pressure: 2.62 Pa
          }
        }
      }
    },
  );

  it("probes, resets, waits t_startup and the NVM copy, then reads calibration; later rounds only measure", () => {
    const s = setup({ calibration: OTHER_CALIBRATION });
    const drv = new Bme280(s.bus, ADDR);
    const first = measure(drv, s.clock);
    expect(first.readings.map((r) => r.status)).toEqual([SENSOR_OK, SENSOR_OK, SENSOR_OK]);
    expect(drv.calibrationData()).toEqual(OTHER_CALIBRATION);
    expect(s.log.slice(0, 5)).toEqual(["0 W d0", "0 R 60", "0 W e0b6", "2 W f3", "2 R 00"]);
    expect(s.log).toContain("2 W 88");
    expect(s.log).toContain("2 W e1");
    expect(s.log).toContain("2 W f500");
    expect(s.log).toContain("2 W f201f425"); // ctrl_hum x1, then ctrl_meas T x1, P x1, forced
    expect(s.log.slice(-4)).toEqual(["12 W f3", "12 R 00", "12 W f7", expect.stringMatching(/^12 R [0-9a-f]{16}$/)]);
    expect(first.elapsed).toBe(12); // 2 ms start-up + 10 ms conversion
    s.log.length = 0;
    const second = measure(drv, s.clock);
    expect(second.elapsed).toBe(10);
    expect(s.log.some((l) => l.includes("e0b6"))).toBe(false);
    expect(s.log[0]).toBe("12 W f201f425");
  });

  it("waits for the NVM copy when the status register says it is still running", () => {
    const s = setup();
    const drv = new Bme280(s.bus, ADDR);
    expect(drv.start()).toBe(2);
    s.clock.advance(1); // too early: im_update still set
    expect(drv.step()).toBe(2);
    s.clock.advance(2);
    expect(drv.step()).toBe(10);
    s.clock.advance(10);
    expect(drv.step()).toBe(-1);
    expect(drv.readings()[0].status).toBe(SENSOR_OK);
  });

  it("polls the status bit when the conversion is not finished, and times out on a stuck chip", () => {
    const s = setup();
    const drv = new Bme280(s.bus, ADDR);
    measure(drv, s.clock);
    expect(drv.start()).toBe(10);
    expect(drv.step()).toBe(2); // clock not advanced: measuring bit set
    s.clock.advance(10);
    expect(drv.step()).toBe(-1);
    expect(drv.readings()[0].status).toBe(SENSOR_OK);
    s.chip.setStuck(true);
    const m = measure(drv, s.clock);
    expect(m.readings.map((r) => r.status)).toEqual([SENSOR_TIMEOUT, SENSOR_TIMEOUT, SENSOR_TIMEOUT]);
    s.chip.setStuck(false);
    s.log.length = 0;
    expect(measure(drv, s.clock).readings[0].status).toBe(SENSOR_OK);
    expect(s.log.some((l) => l.includes("e0b6"))).toBe(false); // a timeout keeps the calibration
  });

  it("reports a missing device, and re-probes (reset + calibration) after it comes back", () => {
    const s = setup();
    const empty = new I2cSimBus();
    expect(measure(new Bme280(empty, ADDR), s.clock).readings.map((r) => r.status)).toEqual([SENSOR_MISSING, SENSOR_MISSING, SENSOR_MISSING]);
    const drv = new Bme280(s.bus, ADDR);
    expect(measure(drv, s.clock).readings[0].status).toBe(SENSOR_OK);
    s.bus.setMissing(ADDR, true);
    const m = measure(drv, s.clock);
    expect(m.readings.map((r) => r.status)).toEqual([SENSOR_MISSING, SENSOR_MISSING, SENSOR_MISSING]);
    expect(m.readings.map((r) => r.value)).toEqual([0, 0, 0]);
    s.bus.setMissing(ADDR, false);
    s.log.length = 0;
    expect(measure(drv, s.clock).readings[0].status).toBe(SENSOR_OK);
    expect(s.log.slice(0, 3).map((l) => l.split(" ").slice(1).join(" "))).toEqual(["W d0", "R 60", "W e0b6"]);
  });

  it("rejects a wrong chip id (a BMP280 answers 0x58)", () => {
    const s = setup({ chipId: 0x58 });
    const m = measure(new Bme280(s.bus, ADDR), s.clock);
    expect(m.readings.map((r) => r.status)).toEqual([SENSOR_WRONG_CHIP, SENSOR_WRONG_CHIP, SENSOR_WRONG_CHIP]);
    expect(s.log.some((l) => l.includes("e0b6"))).toBe(false); // never resets someone else's chip
  });

  it("reports a NACK in the middle of a measurement as a bus error", () => {
    // Transfers of an initialised round: W ctrl (1), W f3 (2), R status (3), W f7 (4), R data (5).
    for (const allowed of [1, 2, 3, 4]) {
      const s = setup();
      const drv = new Bme280(s.bus, ADDR);
      measure(drv, s.clock);
      s.bus.nackAfter(ADDR, allowed);
      const statuses = measure(drv, s.clock).readings.map((r) => r.status);
      expect(statuses).toEqual([SENSOR_BUS_ERROR, SENSOR_BUS_ERROR, SENSOR_BUS_ERROR]);
    }
    // During initialisation: after the id read and reset, the calibration read fails.
    const s = setup();
    s.bus.nackAfter(ADDR, 5);
    expect(measure(new Bme280(s.bus, ADDR), s.clock).readings[0].status).toBe(SENSOR_BUS_ERROR);
  });

  it("never reports garbage data as a valid reading outside the operating range", () => {
    let flagged = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const s = setup();
      const drv = new Bme280(s.bus, ADDR);
      measure(drv, s.clock);
      s.bus.setGarbage(ADDR, seed);
      for (const r of measure(drv, s.clock).readings) {
        if (r.status === SENSOR_OK) {
          expect(r.value).toBeGreaterThanOrEqual(-40);
          expect(r.value).toBeLessThanOrEqual(1100);
        } else {
          flagged += 1;
        }
      }
    }
    expect(flagged).toBeGreaterThan(60); // most garbage temperatures fall outside -40..85
    // Garbage from the start: the chip id check catches it (unless the byte happens to be 0x60).
    const s = setup();
    s.bus.setGarbage(ADDR, 7);
    expect(measure(new Bme280(s.bus, ADDR), s.clock).readings[0].status).toBe(SENSOR_WRONG_CHIP);
  });

  it("treats the skipped-measurement value 0x80000 as out of range", () => {
    const s = setup();
    // A device that answers the data burst with the reset values of the data registers.
    const inner = s.chip;
    let lastPointer = 0;
    const skipped: SimI2cDevice = {
      write(data: Bytes) {
        if (data.length > 0) lastPointer = data[0];
        return inner.write(data);
      },
      read(n: number) {
        const out = inner.read(n);
        if (out !== undefined && lastPointer === BME280_REG_PRESS_MSB) {
          out[0] = 0x80; out[1] = 0; out[2] = 0; out[3] = 0x80; out[4] = 0; out[5] = 0; out[6] = 0x80; out[7] = 0;
        }
        return out;
      },
    };
    const bus = new I2cSimBus();
    bus.attach(ADDR, skipped);
    const m = measure(new Bme280(bus, ADDR), s.clock);
    expect(m.readings.map((r) => r.status)).toEqual([SENSOR_OUT_OF_RANGE, SENSOR_OUT_OF_RANGE, SENSOR_OUT_OF_RANGE]);
  });
});

describe("simulated BME280 register interface", () => {
  it("reports skipped measurements as 0x80000/0x8000 and returns to sleep after a forced conversion", () => {
    const clock = new VirtualClock();
    const chip = new SimBme280({ temperature: () => 20, humidity: () => 50, pressure: () => 1000, clock: clock.source() });
    // osrs_h = 0 (skip), then ctrl_meas: osrs_t x1, osrs_p skip, forced.
    expect(chip.write(new Uint8Array([0xf2, 0x00, BME280_REG_CTRL_MEAS, (1 << 5) | 1]))).toBe(true);
    clock.advance(5);
    chip.write(new Uint8Array([0xf4]));
    expect(Array.from(chip.read(1) as Uint8Array)).toEqual([(1 << 5) | 0]); // mode back to sleep
    chip.write(new Uint8Array([BME280_REG_PRESS_MSB]));
    const d = chip.read(8) as Uint8Array;
    expect([d[0], d[1], d[2]]).toEqual([0x80, 0, 0]);
    expect([d[6], d[7]]).toEqual([0x80, 0]);
    const adcT = d[3] * 4096 + d[4] * 16 + (d[5] >> 4);
    expect(adcT % 16).toBe(0); // x1 oversampling: 16-bit resolution
    expect(bme280Temperature(SIM_BME280_CALIBRATION, adcT)).toBeCloseTo(20, 2);
    expect(chip.conversions).toBe(1);
  });
});
