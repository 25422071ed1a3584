/**
 * StorageFs on NodeMCU-ESP32: contents through Lua `io` (dev-esp32 has no file.open),
 * names through file.list(), metadata through os.remove/os.rename. One instance per
 * mount: the SD card at "/SD0/" (FAT, mounted by sdmmc) or internal flash at "/" (SPIFFS).
 *
 * Lua io has no truncate, so truncate() writes the kept prefix to `<name>~`, removes the
 * original and renames the copy into place. A power cut in between leaves the copy
 * behind; the constructor finishes the job: copy present and original missing → rename
 * (the copy is complete), both present → the copy is stale (the cut came before the
 * remove), delete it. Either way no committed byte is lost.
 * (FAT must be built with long file names, CONFIG_FATFS_LFN_HEAP, for the storage names.)
 */
import type { NodeMcuFile, LuaIoOpen, LuaOsFiles } from "./nodemcu";
import { Bytes, fromBinaryString, slice, toBinaryString } from "../../../port/bytes";
import { StorageFs } from "../../../storage/storage-fs";

declare const io: LuaIoOpen;
declare const os: LuaOsFiles;
declare const file: NodeMcuFile;
declare function next(this: void, t: object, k?: string): string | undefined;

const TMP = "~";

function isTmp(name: string): boolean {
  return name.length > 1 && name.substring(name.length - 1) === TMP;
}

export class LuaIoFs implements StorageFs {
  private readonly prefix: string;
  private readonly mount: string | undefined;

  /** `prefix` is prepended to names ("/SD0/" or "/"); `mount` is what file.list() takes (undefined = SPIFFS). */
  constructor(prefix: string, mount: string | undefined) {
    this.prefix = prefix;
    this.mount = mount;
    this.recover();
  }

  private path(name: string): string {
    if (name === "" || name.indexOf("/") >= 0 || isTmp(name)) {
      throw new Error("bad file name '" + name + "'");
    }
    return this.prefix + name;
  }

  private allNames(): string[] {
    const t = this.mount === undefined ? file.list() : file.list(this.mount);
    const names: string[] = [];
    let k = next(t);
    while (k !== undefined) {
      // file.list() on SPIFFS may give names with the leading slash.
      names.push(k.substring(0, 1) === "/" ? k.substring(1) : k);
      k = next(t, k);
    }
    return names;
  }

  private recover(): void {
    const names = this.allNames();
    const present: Record<string, boolean> = {};
    for (const n of names) {
      present[n] = true;
    }
    for (const n of names) {
      if (isTmp(n)) {
        const base = n.substring(0, n.length - 1);
        if (present[base] === true) {
          os.remove(this.prefix + n);
        } else {
          os.rename(this.prefix + n, this.prefix + base);
        }
      }
    }
  }

  private put(path: string, mode: string, data: Bytes): void {
    const [f, err] = io.open(path, mode);
    if (f === undefined) {
      throw new Error("cannot open " + path + ": " + err);
    }
    if (data.length > 0 && f.write(toBinaryString(data)) === undefined) {
      f.close();
      throw new Error("cannot write " + path);
    }
    f.close();
  }

  read(name: string): Bytes | undefined {
    const [f] = io.open(this.path(name), "rb");
    if (f === undefined) {
      return undefined;
    }
    const s = f.read("a");
    f.close();
    return fromBinaryString(s === undefined ? "" : s);
  }

  append(name: string, data: Bytes): void {
    this.put(this.path(name), "ab", data);
  }

  write(name: string, data: Bytes): void {
    this.put(this.path(name), "wb", data);
  }

  truncate(name: string, length: number): void {
    const p = this.path(name);
    const old = this.read(name);
    if (old === undefined) {
      throw new Error("truncate: no file " + name);
    }
    if (length >= old.length) {
      return;
    }
    const kept = slice(old, 0, length);
    this.put(p + TMP, "wb", kept);
    os.remove(p);
    const [ok, err] = os.rename(p + TMP, p);
    if (ok !== true) {
      throw new Error("truncate: cannot rename into " + p + ": " + err);
    }
  }

  remove(name: string): void {
    os.remove(this.path(name));
  }

  list(): string[] {
    const names: string[] = [];
    for (const n of this.allNames()) {
      if (!isTmp(n)) {
        names.push(n);
      }
    }
    names.sort();
    return names;
  }
}
