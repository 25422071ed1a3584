/**
 * The agent's connection records on the SD card, encrypted: one atomic slot store per
 * connection plus an index of connection ids. Each store gets its own key,
 * HKDF(stateKey, "agent:" + name), so the stores never share a (key, nonce) pair.
 */
import { Bytes, alloc, fromAscii } from "../port/bytes";
import { SmpReader, SmpWriter, bytesToAscii } from "../port/encoding";
import { CryptoProvider } from "../crypto/provider";
import { SlotStore } from "../storage/slot-store";
import { StorageFs } from "../storage/storage-fs";
import { AgentStore, StoredRecord } from "../agent/agent-client";

const INDEX = "agent-index";
const KEY_INFO = "agent:";

export class SdAgentStore implements AgentStore {
  private fs: StorageFs;
  private p: CryptoProvider;
  private stateKey: Bytes;
  private boot: number;
  private ids: string[];
  private index: SlotStore;
  private stores: Record<string, SlotStore>;

  constructor(fs: StorageFs, p: CryptoProvider, stateKey: Bytes, boot: number) {
    this.fs = fs;
    this.p = p;
    this.stateKey = stateKey;
    this.boot = boot;
    this.stores = {};
    this.index = this.store(INDEX);
    this.ids = [];
    const blob = this.index.load();
    if (blob !== undefined) {
      const r = new SmpReader(blob);
      const n = r.word16();
      for (let i = 0; i < n && r.failed === undefined; i++) {
        this.ids.push(bytesToAscii(r.short()));
      }
    }
  }

  private store(name: string): SlotStore {
    let s = this.stores[name];
    if (s === undefined) {
      const key = this.p.hkdfSha256(this.stateKey, alloc(0), fromAscii(KEY_INFO + name), 32);
      s = new SlotStore(this.fs, this.p, name, key, this.boot);
      this.stores[name] = s;
    }
    return s;
  }

  private saveIndex(): void {
    const w = new SmpWriter().word16(this.ids.length);
    for (const id of this.ids) {
      w.short(fromAscii(id));
    }
    this.index.save(w.finish());
  }

  save(connId: string, record: Bytes): void {
    let known = false;
    for (const id of this.ids) {
      if (id === connId) {
        known = true;
      }
    }
    if (!known) {
      // Index first: a record cut short is skipped at load, an unindexed one would be lost.
      this.ids.push(connId);
      this.saveIndex();
    }
    this.store("agent-" + connId).save(record);
  }

  remove(connId: string): void {
    const keep: string[] = [];
    for (const id of this.ids) {
      if (id !== connId) {
        keep.push(id);
      }
    }
    this.ids = keep;
    this.saveIndex();
    this.fs.remove("agent-" + connId + ".a");
    this.fs.remove("agent-" + connId + ".b");
  }

  loadAll(): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const id of this.ids) {
      const blob = this.store("agent-" + id).load();
      if (blob !== undefined) {
        out.push(new StoredRecord(id, blob));
      }
    }
    return out;
  }
}
