/**
 * A simulated I2C bus implementing the I2cBus HAL: devices attached by 7-bit address,
 * NACK for addresses nobody answers, and fault injection per address:
 *   setMissing   - the device stops acknowledging anything (unplugged, unpowered)
 *   nackAfter(n) - the next n transfers are acknowledged, every later one NACKed
 *                  (a device that drops out in the middle of a measurement)
 *   setGarbage   - reads return pseudo-random bytes (a corrupted bus)
 */
import { Bytes, alloc } from "../../../port/bytes";
import { I2cBus } from "../../../port/hal/i2c";
import { SimI2cDevice } from "./sim-device";

/** Observer of every transfer; `data` is undefined for a NACKed read. */
export type I2cTrace = (this: void, address: number, isRead: boolean, data: Bytes | undefined, acked: boolean) => void;

interface Attached {
  address: number;
  device: SimI2cDevice;
  missing: boolean;
  /** Transfers still acknowledged before NACKs start; -1 when no such fault is set. */
  nackAfter: number;
  /** xorshift32 state of the garbage generator; 0 when reads are not garbled. */
  garbage: number;
}

function checkAddress(address: number): void {
  if (address !== Math.floor(address) || address < 0 || address > 0x7f) {
    throw new Error("I2C address must be a 7-bit integer, got " + address);
  }
}

export class I2cSimBus implements I2cBus {
  private devices: Attached[];
  private trace: I2cTrace | undefined;

  constructor() {
    this.devices = [];
    this.trace = undefined;
  }

  attach(address: number, device: SimI2cDevice): void {
    checkAddress(address);
    if (this.find(address) !== undefined) {
      throw new Error("I2C address 0x" + address.toString(16) + " already has a device");
    }
    this.devices.push({ address: address, device: device, missing: false, nackAfter: -1, garbage: 0 });
  }

  detach(address: number): void {
    const kept: Attached[] = [];
    for (const d of this.devices) {
      if (d.address !== address) kept.push(d);
    }
    this.devices = kept;
  }

  /** Addresses with a device attached (present or not), ascending. */
  addresses(): number[] {
    const out: number[] = [];
    for (const d of this.devices) out.push(d.address);
    out.sort((a, b) => a - b);
    return out;
  }

  setTrace(trace: I2cTrace | undefined): void {
    this.trace = trace;
  }

  setMissing(address: number, missing: boolean): void {
    this.attached(address).missing = missing;
  }

  nackAfter(address: number, transfers: number): void {
    this.attached(address).nackAfter = transfers;
  }

  /** Garbles reads with a generator seeded by `seed` (non-zero); 0 turns it off. */
  setGarbage(address: number, seed: number): void {
    this.attached(address).garbage = seed >>> 0;
  }

  /** Clears every fault on the address. */
  clearFaults(address: number): void {
    const d = this.attached(address);
    d.missing = false;
    d.nackAfter = -1;
    d.garbage = 0;
  }

  write(address: number, data: Bytes): boolean {
    const d = this.find(address);
    const acked = d !== undefined && this.admit(d) && d.device.write(data);
    if (this.trace !== undefined) this.trace(address, false, data, acked);
    return acked;
  }

  read(address: number, length: number): Bytes | undefined {
    const d = this.find(address);
    let out: Bytes | undefined = undefined;
    if (d !== undefined && this.admit(d)) {
      out = d.device.read(length);
      if (out !== undefined && d.garbage !== 0) {
        out = this.garble(d, out.length);
      }
    }
    if (this.trace !== undefined) this.trace(address, true, out, out !== undefined);
    return out;
  }

  private find(address: number): Attached | undefined {
    for (const d of this.devices) {
      if (d.address === address) return d;
    }
    return undefined;
  }

  private attached(address: number): Attached {
    const d = this.find(address);
    if (d === undefined) {
      throw new Error("no simulated device at I2C address 0x" + address.toString(16));
    }
    return d;
  }

  /** Whether the faults let this transfer through (counting it against nackAfter). */
  private admit(d: Attached): boolean {
    if (d.missing) return false;
    if (d.nackAfter === 0) return false;
    if (d.nackAfter > 0) d.nackAfter -= 1;
    return true;
  }

  private garble(d: Attached, n: number): Bytes {
    const out = alloc(n);
    let x = d.garbage;
    for (let i = 0; i < n; i++) {
      x = (x ^ (x << 13)) >>> 0;
      x = (x ^ (x >>> 17)) >>> 0;
      x = (x ^ (x << 5)) >>> 0;
      out[i] = x & 0xff;
    }
    d.garbage = x;
    return out;
  }
}
