/**
 * A deterministic run of every driver against its simulated chip (value grids, timing,
 * faults) that prints one line per reading with values as integers (millionths), so the
 * Node, Lua and Espruino builds can be compared line for line (sweep tests in
 * firmware/app/sensors/). Printing integers avoids the targets' different float formats.
 */
import { Bh1750 } from "../bh1750";
import { BatteryVoltage } from "../battery";
import { Bme280 } from "../bme280";
import { Reading } from "../reading";
import { Sensor } from "../sensor";
import { MeasurementRound, ROUND_DONE } from "../measurement-round";
import { createSensors } from "../sensor-config";
import { Sht31 } from "../sht31";
import { I2cSimBus } from "./i2c-sim-bus";
import { SimAdc } from "./sim-adc";
import { SimBh1750 } from "./sim-bh1750";
import { SimBme280 } from "./sim-bme280";
import { createSimRig } from "./sim-rig";
import { SimSht31 } from "./sim-sht31";
import { VirtualClock, measure } from "./virtual-clock";

export type LineSink = (this: void, line: string) => void;

interface Environment {
  t: number;
  h: number;
  p: number;
  lux: number;
  volts: number;
}

function line(emit: LineSink, label: string, sensor: Sensor, clock: VirtualClock): void {
  const m = measure(sensor, clock);
  let s = label + " " + sensor.type + " t=" + clock.now + " calls=" + m.calls;
  const rs: Reading[] = m.readings;
  for (const r of rs) {
    s += " " + r.quantity + ":" + r.status + ":" + Math.round(r.value * 1000000);
  }
  emit(s);
}

/** A whole board's sensors through createSimRig and one MeasurementRound per sample. */
function roundSweep(emit: LineSink, env: Environment, clock: VirtualClock): number {
  const configs = [
    { type: "bme280", address: 0x77 },
    { type: "sht31", address: 0x45 },
    { type: "bh1750", address: 0x5c },
    { type: "battery", channel: 0, divider: 3 },
  ];
  const rig = createSimRig(
    configs,
    { temperature: () => env.t, humidity: () => env.h, pressure: () => env.p, illuminance: () => env.lux, battery: () => env.volts },
    clock.source(),
  );
  const round = new MeasurementRound(createSensors(configs, rig.bus, rig.adc));
  for (let i = 0; i < 8; i++) {
    env.t = 5 + i * 3.3;
    env.h = 20 + i * 7.7;
    env.p = 950 + i * 11.1;
    env.lux = i * 1234.5;
    env.volts = 3.3 + i * 0.11;
    let s = "round" + i;
    let next = round.begin(clock.now);
    while (next !== ROUND_DONE) {
      s += " @" + next;
      clock.now = next;
      next = round.poll(clock.now);
    }
    for (const r of round.readings()) {
      s += " " + r.quantity + ":" + r.status + ":" + Math.round(r.value * 1000000);
    }
    emit(s);
  }
  return 8;
}

/** Runs the sweep; returns the number of lines emitted. */
export function sensorSweep(emit: LineSink): number {
  const env: Environment = { t: 0, h: 0, p: 0, lux: 0, volts: 0 };
  const clock = new VirtualClock();
  const c = clock.source();
  const bus = new I2cSimBus();
  const bme = new SimBme280({ temperature: () => env.t, humidity: () => env.h, pressure: () => env.p, clock: c });
  const sht = new SimSht31({ temperature: () => env.t, humidity: () => env.h, clock: c });
  const bh = new SimBh1750({ illuminance: () => env.lux, clock: c });
  bus.attach(0x76, bme);
  bus.attach(0x44, sht);
  bus.attach(0x23, bh);
  const adc = new SimAdc();
  adc.setBattery(4, () => env.volts, 2);
  const drivers: Sensor[] = [new Bme280(bus, 0x76), new Sht31(bus, 0x44), new Bh1750(bus, 0x23), new BatteryVoltage(adc, 4, 2)];
  let n = 0;
  for (let i = 0; i < 24; i++) {
    // Walk the ranges with steps that are not round numbers.
    env.t = -39.5 + ((i * 5.37) % 124);
    env.h = (i * 13.1) % 100;
    env.p = 301 + ((i * 41.3) % 798);
    env.lux = (i * i * 97.7) % 54000;
    env.volts = 3.0 + (i % 12) * 0.1;
    for (const d of drivers) {
      line(emit, "grid" + i, d, clock);
      n += 1;
    }
  }
  sht.setCrcFault(1);
  line(emit, "crc", drivers[1], clock);
  bus.setGarbage(0x76, 12345);
  line(emit, "garbage", drivers[0], clock);
  bus.clearFaults(0x76);
  bus.nackAfter(0x23, 2);
  line(emit, "nack", drivers[2], clock);
  bus.setMissing(0x76, true);
  line(emit, "missing", drivers[0], clock);
  bus.setMissing(0x76, false);
  line(emit, "back", drivers[0], clock);
  bme.setStuck(true);
  line(emit, "stuck", drivers[0], clock);
  return n + 6 + roundSweep(emit, env, clock);
}
