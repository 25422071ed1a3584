/**
 * StorageFs over one directory of the host file system (the simulator's SD card or
 * flash for one device). Flat: names may not contain path separators.
 */
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Bytes } from "../../port/bytes";
import type { StorageFs } from "../../storage/storage-fs";

function checkName(name: string): string {
  if (name === "" || /[/\\\0]/.test(name) || name === "." || name === "..") {
    throw new Error(`bad file name '${name}'`);
  }
  return name;
}

function buf(data: Bytes): Uint8Array {
  return data as unknown as Uint8Array;
}

export class DirFs implements StorageFs {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  read(name: string): Bytes | undefined {
    try {
      return new Uint8Array(readFileSync(join(this.dir, checkName(name))));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  append(name: string, data: Bytes): void {
    appendFileSync(join(this.dir, checkName(name)), buf(data));
  }

  write(name: string, data: Bytes): void {
    writeFileSync(join(this.dir, checkName(name)), buf(data));
  }

  truncate(name: string, length: number): void {
    truncateSync(join(this.dir, checkName(name)), length);
  }

  remove(name: string): void {
    rmSync(join(this.dir, checkName(name)), { force: true });
  }

  list(): string[] {
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  }
}
