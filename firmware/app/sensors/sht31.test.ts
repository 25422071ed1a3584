// SHT31: CRC-8 against the datasheet's check value, conversions, and the driver against
// the simulated chip (values over the range, timing, CRC errors, missing device, NACKs).
import { describe, expect, it } from "vitest";
import { sensirionCrc8 } from "./crc8";
import { SENSOR_BUS_ERROR, SENSOR_CRC_ERROR, SENSOR_MISSING, SENSOR_OK, SENSOR_OUT_OF_RANGE } from "./reading";
import { Sht31 } from "./sht31";
import { SHT31_DURATION_HIGH_MS, sht31Celsius, sht31Humidity, sht31RawCelsius, sht31RawHumidity } from "./sht31-commands";
import { I2cSimBus } from "./sim/i2c-sim-bus";
import { SHT31_STATUS_HEATER, SimSht31 } from "./sim/sim-sht31";
import { VirtualClock, measure } from "./sim/virtual-clock";

const ADDR = 0x44;

/** Bit-serial reference: CRC-8/NRSC-5 parameters as Sensirion specifies them. */
function refCrc(bytes: number[]): number {
  let crc = 0xff;
  for (const b of bytes) {
    for (let i = 7; i >= 0; i--) {
      const top = ((crc >> 7) ^ (b >> i)) & 1;
      crc = ((crc << 1) & 0xff) ^ (top ? 0x31 : 0);
    }
  }
  return crc;
}

describe("Sensirion CRC-8", () => {
  it("gives the datasheet's check value CRC(0xBEEF) = 0x92", () => {
    expect(sensirionCrc8(new Uint8Array([0xbe, 0xef]), 0, 2)).toBe(0x92);
  });
  it("matches a bit-serial reference for every 16-bit word sampled", () => {
    for (let w = 0; w < 65536; w += 257) {
      const b = [w >> 8, w & 0xff];
      expect(sensirionCrc8(new Uint8Array(b), 0, 2)).toBe(refCrc(b));
    }
    expect(sensirionCrc8(new Uint8Array([0, 0, 0xbe, 0xef]), 2, 2)).toBe(0x92);
  });
});

describe("SHT31 conversions", () => {
  it("follows T = -45 + 175 raw/65535 and RH = 100 raw/65535", () => {
    expect(sht31Celsius(0)).toBe(-45);
    expect(sht31Celsius(65535)).toBe(130);
    expect(sht31Humidity(65535)).toBe(100);
    expect(sht31Humidity(0x8000)).toBeCloseTo(50.0008, 4);
    expect(sht31RawCelsius(-100)).toBe(0);
    expect(sht31RawHumidity(150)).toBe(65535);
  });
});

function setup() {
  const clock = new VirtualClock();
  const env = { t: 22.5, h: 40 };
  const chip = new SimSht31({ temperature: () => env.t, humidity: () => env.h, clock: clock.source() });
  const bus = new I2cSimBus();
  bus.attach(ADDR, chip);
  const log: string[] = [];
  bus.setTrace((_a, isRead, data, acked) => log.push(`${clock.now} ${isRead ? "R" : "W"} ${data ? Buffer.from(data as Uint8Array).toString("hex") : "-"}${acked ? "" : " NACK"}`));
  return { clock, env, chip, bus, log, drv: new Sht31(bus, ADDR) };
}

describe("SHT31 driver against the simulated chip", () => {
  it("reads back temperature and humidity within one raw step over the range", () => {
    const s = setup();
    for (let t = -39.99; t <= 125; t += 7.3) {
      for (const h of [0, 12.5, 50, 87.1, 100]) {
        s.env.t = t;
        s.env.h = h;
        const [rt, rh] = measure(s.drv, s.clock).readings;
        expect([rt.status, rh.status]).toEqual([SENSOR_OK, SENSOR_OK]);
        expect(Math.abs(rt.value - t)).toBeLessThanOrEqual(175 / 65535 / 2 + 1e-9);
        expect(Math.abs(rh.value - h)).toBeLessThanOrEqual(100 / 65535 / 2 + 1e-9);
      }
    }
  });

  it("sends 0x2400, waits the maximum measurement time, reads 6 bytes", () => {
    const s = setup();
    const m = measure(s.drv, s.clock);
    expect(m.elapsed).toBe(SHT31_DURATION_HIGH_MS);
    expect(s.log[0]).toBe("0 W 2400");
    expect(s.log[1]).toMatch(/^15 R [0-9a-f]{12}$/);
    expect(s.log).toHaveLength(2);
  });

  it("retries a read the chip NACKs because it is still measuring", () => {
    const s = setup();
    expect(s.drv.start()).toBe(15);
    s.clock.advance(10); // too early: typical duration is 12.5 ms
    expect(s.drv.step()).toBe(5);
    s.clock.advance(5);
    expect(s.drv.step()).toBe(-1);
    expect(s.drv.readings()[0].status).toBe(SENSOR_OK);
    expect(s.log.filter((l) => l.endsWith("NACK"))).toEqual(["10 R - NACK"]);
  });

  it("detects a CRC error in each word separately", () => {
    const s = setup();
    s.chip.setCrcFault(1);
    const [rt, rh] = measure(s.drv, s.clock).readings;
    expect(rt.status).toBe(SENSOR_CRC_ERROR);
    expect(rt.value).toBe(0);
    expect(rh.status).toBe(SENSOR_OK);
    // The fault was for one result only.
    expect(measure(s.drv, s.clock).readings.map((r) => r.status)).toEqual([SENSOR_OK, SENSOR_OK]);
    // Garbled bytes fail the checks too (both words, for this seed).
    s.bus.setGarbage(ADDR, 99);
    expect(measure(s.drv, s.clock).readings.map((r) => r.status)).toEqual([SENSOR_CRC_ERROR, SENSOR_CRC_ERROR]);
  });

  it("garbage never passes as a valid reading unless its CRC happens to match", () => {
    let ok = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const s = setup();
      s.bus.setGarbage(ADDR, seed);
      for (const r of measure(s.drv, s.clock).readings) if (r.status === SENSOR_OK) ok += 1;
    }
    expect(ok).toBeLessThan(10); // about 1 in 256 words matches by chance
  });

  it("reports a missing device and a device that stops answering after the command", () => {
    const s = setup();
    s.bus.setMissing(ADDR, true);
    expect(measure(s.drv, s.clock).readings.map((r) => r.status)).toEqual([SENSOR_MISSING, SENSOR_MISSING]);
    s.bus.clearFaults(ADDR);
    s.bus.nackAfter(ADDR, 1);
    const m = measure(s.drv, s.clock);
    expect(m.readings.map((r) => r.status)).toEqual([SENSOR_BUS_ERROR, SENSOR_BUS_ERROR]);
    expect(m.elapsed).toBe(15 + 5 + 5); // two retries, then the error
  });

  it("flags temperatures outside the specified -40..125 range", () => {
    const s = setup();
    s.env.t = 128;
    const [rt, rh] = measure(s.drv, s.clock).readings;
    expect(rt.status).toBe(SENSOR_OUT_OF_RANGE);
    expect(rh.status).toBe(SENSOR_OK);
  });

  it("simulated chip: status register, heater bit, stuck values, result read once", () => {
    const s = setup();
    s.chip.write(new Uint8Array([0x30, 0x6d])); // heater on
    s.chip.write(new Uint8Array([0xf3, 0x2d]));
    const st = s.chip.read(3) as Uint8Array;
    expect(((st[0] << 8) | st[1]) & SHT31_STATUS_HEATER).toBe(SHT31_STATUS_HEATER);
    expect(sensirionCrc8(st, 0, 2)).toBe(st[2]);
    expect(s.chip.read(6)).toBeUndefined(); // nothing waiting
    s.chip.setStuck(true);
    const first = measure(s.drv, s.clock).readings[0].value;
    s.env.t = 30;
    expect(measure(s.drv, s.clock).readings[0].value).toBe(first);
    s.chip.setStuck(false);
    expect(measure(s.drv, s.clock).readings[0].value).toBeCloseTo(30, 2);
  });
});
