/**
 * AgentStore implementations for Node: one file per connection, replaced atomically
 * (write to a temporary file, fsync, rename, fsync the directory), and an in-memory one
 * for tests and simulations.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Bytes } from "../../port/bytes";
import { StoredRecord, type AgentStore } from "../agent-client";

const SUFFIX = ".conn";

export class FileAgentStore implements AgentStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  save(connId: string, record: Bytes): void {
    const tmp = join(this.dir, `.${connId}.tmp`);
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, record as Uint8Array);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, connId + SUFFIX));
    const dfd = openSync(this.dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }
  remove(connId: string): void {
    rmSync(join(this.dir, connId + SUFFIX), { force: true });
  }
  loadAll(): StoredRecord[] {
    return readdirSync(this.dir)
      .filter((n) => n.endsWith(SUFFIX))
      .sort()
      .map((n) => new StoredRecord(n.slice(0, -SUFFIX.length), new Uint8Array(readFileSync(join(this.dir, n)))));
  }
}

export class MemoryAgentStore implements AgentStore {
  readonly records = new Map<string, Bytes>();
  saves = 0;
  save(connId: string, record: Bytes): void {
    this.records.set(connId, record);
    this.saves++;
  }
  remove(connId: string): void {
    this.records.delete(connId);
  }
  loadAll(): StoredRecord[] {
    return [...this.records.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, r]) => new StoredRecord(id, r));
  }
}
