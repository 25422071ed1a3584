/**
 * The file-system HAL the storage layer needs: whole-file read, append, replace, truncate,
 * remove, list. Targets implement it over the SD card (Espruino `fs`, NodeMCU `io`, Node
 * `fs`); tests and the simulator use MemoryFs, which can cut power at any byte.
 * Semantics a target must keep: `append` and `write` put bytes in order, so a power cut
 * leaves a prefix of what was being written, never bytes out of order.
 */
import { Bytes } from "../port/bytes";

export interface StorageFs {
  /** The whole file, or undefined when it does not exist. */
  read(name: string): Bytes | undefined;
  /** Appends to the file, creating it if needed. */
  append(name: string, data: Bytes): void;
  /** Replaces the file's content (truncate, then write). */
  write(name: string, data: Bytes): void;
  /** Shortens the file to `length` bytes. */
  truncate(name: string, length: number): void;
  remove(name: string): void;
  /** Names of all files, sorted. */
  list(): string[];
}
