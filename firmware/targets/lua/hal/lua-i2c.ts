/**
 * I2C HAL on NodeMCU-ESP32 `i2c`, hardware port in synchronous mode: each HAL call
 * queues start/address/data/stop and runs it with i2c.transfer(), whose ACK flag tells
 * a missing device apart.
 */
import type { NodeMcuI2c } from "./nodemcu";
import { Bytes, fromBinaryString, toBinaryString } from "../../../port/bytes";
import { I2cBus } from "../../../port/hal/i2c";

declare const i2c: NodeMcuI2c;

export class LuaI2c implements I2cBus {
  private readonly id: number;

  constructor(id: number, sda: number, scl: number, speed: number) {
    this.id = id;
    i2c.setup(id, sda, scl, speed);
  }

  write(address: number, data: Bytes): boolean {
    const id = this.id;
    i2c.start(id);
    i2c.address(id, address, i2c.TRANSMITTER);
    if (data.length > 0) {
      i2c.write(id, toBinaryString(data));
    }
    i2c.stop(id);
    const [, ack] = i2c.transfer(id);
    return ack;
  }

  read(address: number, length: number): Bytes | undefined {
    const id = this.id;
    i2c.start(id);
    i2c.address(id, address, i2c.RECEIVER);
    i2c.read(id, length);
    i2c.stop(id);
    const [data, ack] = i2c.transfer(id);
    if (!ack || data === undefined || data.length !== length) {
      return undefined;
    }
    return fromBinaryString(data);
  }
}
