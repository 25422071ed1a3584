/**
 * Everything a device persists, opened together at boot:
 * - the key store (epoch keys, state key) in internal flash, plain but checksummed,
 *   updated with erasure of the previous copy;
 * - the journal of outgoing records on the SD card, encrypted per epoch;
 * - the write-ahead state store (ratchet and queue state) on the SD card, encrypted.
 * Opening recovers from any power cut and says what it found.
 */
import { CryptoProvider, RandomSource } from "../crypto/provider";
import { EpochKeys, deserializeEpochKeys, newEpochKeys } from "./key-epochs";
import { Journal, RecoveryReport } from "./journal";
import { SlotStore } from "./slot-store";
import { StorageFs } from "./storage-fs";

export const KEY_STORE_NAME = "keys";
export const STATE_STORE_NAME = "state";

export class DeviceStorage {
  journal: Journal;
  state: SlotStore;
  report: RecoveryReport;
  /** True when no key store existed and new keys were made. */
  fresh: boolean;
  constructor(journal: Journal, state: SlotStore, report: RecoveryReport, fresh: boolean) {
    this.journal = journal;
    this.state = state;
    this.report = report;
    this.fresh = fresh;
  }
}

export function openDeviceStorage(flash: StorageFs, sd: StorageFs, p: CryptoProvider, random: RandomSource): DeviceStorage {
  const keyStore = new SlotStore(flash, p, KEY_STORE_NAME, undefined, 0);
  const blob = keyStore.load();
  let keys: EpochKeys;
  let fresh = false;
  if (blob === undefined) {
    keys = newEpochKeys(p, random);
    fresh = true;
  } else {
    const k = deserializeEpochKeys(p, blob);
    if (typeof k === "string") {
      throw new Error(k);
    }
    keys = k;
  }
  // A new boot number before anything is encrypted (this also finishes an erasure that a
  // power cut interrupted, since both slots are rewritten).
  keys.boot = keys.boot + 1;
  keyStore.saveAndErase(keys.serialize());
  const opened = Journal.open(sd, p, keys, (k) => keyStore.saveAndErase(k.serialize()));
  const state = new SlotStore(sd, p, STATE_STORE_NAME, keys.stateKey, keys.boot);
  state.load();
  return new DeviceStorage(opened.journal, state, opened.report, fresh);
}
