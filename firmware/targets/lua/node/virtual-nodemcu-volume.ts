/**
 * Where a virtual NodeMCU keeps the files of one medium (internal flash, SD card): a host
 * directory (the simulator, tests), or a map of name → bytes owned by someone else (the
 * flash REPL emulator's board, whose files outlive every VM it boots and are wiped when
 * its flash is erased). Flat: names have no "/".
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/** An open file: positions are absolute; the caller keeps its own offset. */
export interface VolumeFile {
  size(): number;
  /** Up to `len` bytes from `pos` (fewer at the end of the file). */
  read(pos: number, len: number): Buffer;
  /** Writes at `pos`, growing the file (zero-filled) as needed. */
  write(pos: number, data: Buffer): void;
  close(): void;
}

export interface Volume {
  /** Opens with C fopen flags (r, r+, w, w+, a, a+); the error text when it cannot. */
  open(name: string, flags: string): VolumeFile | string;
  exists(name: string): boolean;
  remove(name: string): boolean;
  /** Renames; false when `from` is missing. The caller refuses an existing `to` first. */
  rename(from: string, to: string): boolean;
  /** Names and sizes in bytes. */
  list(): [string, number][];
}

const NO_FILE = "No such file or directory";

export class DirVolume implements Volume {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  open(name: string, flags: string): VolumeFile | string {
    let fd: number;
    try {
      fd = openSync(join(this.dir, name), flags);
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ENOENT" ? NO_FILE : (e as Error).message;
    }
    return {
      size: () => fstatSync(fd).size,
      read: (pos, len) => {
        const out = Buffer.alloc(Math.max(0, len));
        const got = len > 0 ? readSync(fd, out, 0, len, pos) : 0;
        return out.subarray(0, got);
      },
      write: (pos, data) => {
        writeSync(fd, data, 0, data.length, pos);
      },
      close: () => closeSync(fd),
    };
  }

  exists(name: string): boolean {
    return existsSync(join(this.dir, name));
  }

  remove(name: string): boolean {
    const p = join(this.dir, name);
    if (!existsSync(p)) return false;
    unlinkSync(p);
    return true;
  }

  rename(from: string, to: string): boolean {
    if (!this.exists(from)) return false;
    renameSync(join(this.dir, from), join(this.dir, to));
    return true;
  }

  list(): [string, number][] {
    return readdirSync(this.dir).map((n) => [n, statSync(join(this.dir, n)).size]);
  }
}

export class MapVolume implements Volume {
  constructor(private readonly files: Map<string, Uint8Array>) {}

  open(name: string, flags: string): VolumeFile | string {
    const files = this.files;
    if (!files.has(name)) {
      if (flags.startsWith("r")) return NO_FILE;
      files.set(name, new Uint8Array(0));
    } else if (flags.startsWith("w")) files.set(name, new Uint8Array(0));
    // Every access goes through the map, so a file removed or replaced meanwhile is seen as such.
    const cur = (): Uint8Array => files.get(name) ?? new Uint8Array(0);
    return {
      size: () => cur().length,
      read: (pos, len) => Buffer.from(cur().subarray(pos, pos + Math.max(0, len))),
      write: (pos, data) => {
        let f = cur();
        const end = pos + data.length;
        if (end > f.length) {
          // Views on a buffer grown by doubling: a file written chunk by chunk costs O(n), not O(n^2).
          if (f.byteOffset === 0 && f.buffer.byteLength >= end) f = new Uint8Array(f.buffer, 0, end);
          else {
            const grown = new Uint8Array(new ArrayBuffer(Math.max(end, 2 * f.length, 256)), 0, end);
            grown.set(f);
            f = grown;
          }
        }
        f.set(data, pos);
        files.set(name, f);
      },
      close: () => {},
    };
  }

  exists(name: string): boolean {
    return this.files.has(name);
  }

  remove(name: string): boolean {
    return this.files.delete(name);
  }

  rename(from: string, to: string): boolean {
    const f = this.files.get(from);
    if (f === undefined) return false;
    this.files.delete(from);
    this.files.set(to, f);
    return true;
  }

  list(): [string, number][] {
    return [...this.files.entries()].map(([n, f]) => [n, f.length]);
  }
}
