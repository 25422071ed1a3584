/**
 * Everything a target gives the firmware: one object per device, built by the target's
 * boot code (firmware/targets/*) or by the simulator. The portable app only sees this.
 */
import { RandomSource } from "../crypto/provider";
import { StorageFs } from "../storage/storage-fs";
import { Adc } from "../port/hal/adc";
import { Gpio } from "../port/hal/gpio";
import { I2cBus } from "../port/hal/i2c";
import { Net } from "../port/hal/net";
import { System } from "../port/hal/system";

export interface DeviceHal {
  i2c: I2cBus;
  adc: Adc;
  gpio: Gpio;
  net: Net;
  system: System;
  /** The SD card (journal, state store). */
  sd: StorageFs;
  /** Internal flash (key store, configuration). */
  flash: StorageFs;
  /** Hardware randomness (E.hwRand, NodeMCU node.random / esp_random). */
  random: RandomSource;
}
