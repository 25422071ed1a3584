/**
 * StorageFs on Espruino: the SD card through `require("fs")` (after E.connectSDCard), and
 * internal flash through `require("Storage")`.
 *
 * SD: Espruino's fs has no rename and no truncate, so truncate() first writes the kept
 * prefix to `<name>~`, then rewrites the original, then deletes the copy. After a power
 * cut the constructor repairs: if the original is shorter than the copy, the rewrite was
 * cut, so the copy (complete) is written back; otherwise the copy is dropped. The
 * original's bytes are a prefix of the copy's in every state, so nothing committed is lost.
 *
 * Flash: Storage files cannot be empty and are replaced whole, so each file holds one
 * marker byte ("=") before its content; append rewrites the file (flash files are small:
 * keys and configuration).
 */
import type { EspFsModule, EspStorageModule } from "./espruino";
import { Bytes, concat, slice } from "../../../port/bytes";
import { StorageFs } from "../../../storage/storage-fs";
import { bytesToString, stringToBytes } from "./binary";

import { fsModule, storageModule } from "./modules";

const TMP = "~";
const MARK = "=";

function isTmp(name: string): boolean {
  return name.length > 1 && name.charAt(name.length - 1) === TMP;
}

function checkName(name: string): string {
  if (name === "" || name.indexOf("/") >= 0 || isTmp(name)) {
    throw new Error("bad file name '" + name + "'");
  }
  return name;
}

export class EspruinoSdFs implements StorageFs {
  private readonly fs: EspFsModule;

  constructor() {
    this.fs = fsModule();
    this.recover();
  }

  private names(): string[] {
    const all = this.fs.readdirSync("");
    const out: string[] = [];
    if (all !== undefined) {
      for (const n of all) {
        if (n !== "." && n !== "..") {
          out.push(n);
        }
      }
    }
    return out;
  }

  private raw(name: string): string | undefined {
    // readFileSync throws for a missing file (FatFS f_open fails) and gives undefined for an
    // empty one. Look first rather than catch: a failing card must not read as "no file".
    if (this.names().indexOf(name) < 0) {
      return undefined;
    }
    const s = this.fs.readFileSync(name);
    return s === undefined ? "" : s;
  }

  private recover(): void {
    for (const n of this.names()) {
      if (isTmp(n)) {
        const base = n.substring(0, n.length - 1);
        const copy = this.raw(n);
        const orig = this.raw(base);
        if (copy !== undefined && (orig === undefined || orig.length < copy.length)) {
          this.fs.writeFileSync(base, copy);
        }
        this.fs.unlinkSync(n);
      }
    }
  }

  read(name: string): Bytes | undefined {
    const s = this.raw(checkName(name));
    return s === undefined ? undefined : stringToBytes(s);
  }

  append(name: string, data: Bytes): void {
    checkName(name);
    if (data.length === 0) {
      if (this.raw(name) === undefined) {
        this.fs.writeFileSync(name, "");
      }
      return;
    }
    if (!this.fs.appendFileSync(name, bytesToString(data))) {
      throw new Error("cannot append to " + name);
    }
  }

  write(name: string, data: Bytes): void {
    if (!this.fs.writeFileSync(checkName(name), bytesToString(data))) {
      throw new Error("cannot write " + name);
    }
  }

  truncate(name: string, length: number): void {
    const old = this.raw(checkName(name));
    if (old === undefined) {
      throw new Error("truncate: no file " + name);
    }
    if (length >= old.length) {
      return;
    }
    const kept = old.substring(0, length);
    this.fs.writeFileSync(name + TMP, kept);
    this.fs.writeFileSync(name, kept);
    this.fs.unlinkSync(name + TMP);
  }

  remove(name: string): void {
    this.fs.unlinkSync(checkName(name));
  }

  list(): string[] {
    const out: string[] = [];
    for (const n of this.names()) {
      if (!isTmp(n)) {
        out.push(n);
      }
    }
    out.sort();
    return out;
  }
}

export class EspruinoFlashFs implements StorageFs {
  private readonly storage: EspStorageModule;

  constructor() {
    this.storage = storageModule();
  }

  read(name: string): Bytes | undefined {
    const s = this.storage.read(checkName(name));
    if (s === undefined) {
      return undefined;
    }
    return s.charAt(0) === MARK ? stringToBytes(s.substring(1)) : stringToBytes(s);
  }

  private put(name: string, data: Bytes): void {
    if (!this.storage.write(name, MARK + bytesToString(data))) {
      throw new Error("cannot write " + name + " to flash");
    }
  }

  append(name: string, data: Bytes): void {
    const old = this.read(name);
    this.put(name, old === undefined ? data : concat(old, data));
  }

  write(name: string, data: Bytes): void {
    this.put(checkName(name), data);
  }

  truncate(name: string, length: number): void {
    const old = this.read(name);
    if (old === undefined) {
      throw new Error("truncate: no file " + name);
    }
    this.put(name, length >= old.length ? old : slice(old, 0, length));
  }

  remove(name: string): void {
    this.storage.erase(checkName(name));
  }

  list(): string[] {
    const out: string[] = [];
    for (const n of this.storage.list()) {
      // ".boot0", ".bootcde"…: Espruino's own files.
      if (n.charAt(0) !== ".") {
        out.push(n);
      }
    }
    out.sort();
    return out;
  }
}
