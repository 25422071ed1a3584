/**
 * BH1750 ambient light driver (ROHM BH1750FVI): power on, one-time H-resolution
 * measurement (the chip powers down afterwards, so it draws nothing between samples),
 * wait the maximum measurement time, read 2 bytes, lux = count / 1.2.
 * The chip has no id register and no checksum: a missing device is the only error it
 * can report itself.
 */
import { Bytes, alloc } from "../../port/bytes";
import { I2cBus } from "../../port/hal/i2c";
import { BH1750_H_RES_MAX_MS, BH1750_ONE_TIME_H, BH1750_POWER_ON, bh1750Lux } from "./bh1750-commands";
import { QUANTITY_ILLUMINANCE, Reading, SENSOR_BUS_ERROR, SENSOR_MISSING, SENSOR_OK, failedReadings, reading } from "./reading";
import { STEP_DONE, Sensor } from "./sensor";

export class Bh1750 implements Sensor {
  readonly type: string;
  readonly quantities: number[];
  private bus: I2cBus;
  private address: number;
  private measuring: boolean;
  private result: Reading[];
  private command: Bytes;

  constructor(bus: I2cBus, address: number) {
    this.type = "bh1750";
    this.quantities = [QUANTITY_ILLUMINANCE];
    this.bus = bus;
    this.address = address;
    this.measuring = false;
    this.result = failedReadings(this.quantities, SENSOR_MISSING);
    this.command = alloc(1);
  }

  private send(opcode: number): boolean {
    this.command[0] = opcode & 0xff;
    return this.bus.write(this.address, this.command);
  }

  start(): number {
    this.measuring = false;
    if (!this.send(BH1750_POWER_ON)) {
      this.result = failedReadings(this.quantities, SENSOR_MISSING);
      return STEP_DONE;
    }
    if (!this.send(BH1750_ONE_TIME_H)) {
      this.result = failedReadings(this.quantities, SENSOR_BUS_ERROR);
      return STEP_DONE;
    }
    this.measuring = true;
    return BH1750_H_RES_MAX_MS;
  }

  step(): number {
    if (!this.measuring) {
      return STEP_DONE;
    }
    this.measuring = false;
    const d = this.bus.read(this.address, 2);
    if (d === undefined || d.length < 2) {
      this.result = failedReadings(this.quantities, SENSOR_BUS_ERROR);
      return STEP_DONE;
    }
    this.result = [reading(QUANTITY_ILLUMINANCE, bh1750Lux(d[0] * 256 + d[1]), SENSOR_OK)];
    return STEP_DONE;
  }

  readings(): Reading[] {
    return this.result;
  }
}
