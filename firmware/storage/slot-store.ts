/**
 * An atomic store for one small blob (ratchet/queue state, the key store): two slot files
 * written alternately, each `"TSS1" ‖ Int64 generation ‖ Word32 boot ‖ Word32 length ‖ body`,
 * where body is AES-256-GCM(key, nonce = boot ‖ generation, AD = header) or, without a
 * key, `blob ‖ SHA-256(header ‖ blob)`. A save never touches the slot holding the newest
 * valid copy, so a power cut mid-save leaves the previous state intact; load picks the
 * valid slot with the highest generation. The boot counter (see key-epochs.ts) in the
 * nonce keeps a generation used by a torn save from meeting the key again after reboot.
 */
import { Bytes, concat, equalBytes, fromAscii, slice } from "../port/bytes";
import { ctEqual } from "../port/ct";
import { SmpReader, SmpWriter } from "../port/encoding";
import { CryptoProvider } from "../crypto/provider";
import { StorageFs } from "./storage-fs";

const MAGIC = "TSS1";
const HEADER_LENGTH = 4 + 8 + 4 + 4;
const CHECK_LENGTH = 32;
const TAG_LENGTH = 16;

class SlotRead {
  generation: number;
  blob: Bytes | undefined;
  constructor(generation: number, blob: Bytes | undefined) {
    this.generation = generation;
    this.blob = blob;
  }
}

export class SlotStore {
  private fs: StorageFs;
  private p: CryptoProvider;
  private names: string[];
  private key: Bytes | undefined;
  private boot: number;
  /** Highest generation seen or written; the next save uses one more. */
  generation: number;
  /** Index (0/1) of the slot holding the newest valid copy, or -1. */
  private newest: number;

  /** `boot` must differ on every boot when a key is given (it is part of the nonce). */
  constructor(fs: StorageFs, p: CryptoProvider, name: string, key: Bytes | undefined, boot: number) {
    this.fs = fs;
    this.p = p;
    this.names = [name + ".a", name + ".b"];
    this.key = key;
    this.boot = boot;
    this.generation = 0;
    this.newest = -1;
  }

  private header(generation: number, boot: number, length: number): Bytes {
    return new SmpWriter().bytes(fromAscii(MAGIC)).int64(generation).word32(boot).word32(length).finish();
  }

  private nonce(generation: number, boot: number): Bytes {
    return new SmpWriter().word32(boot).int64(generation).finish();
  }

  private readSlot(slot: number): SlotRead {
    const raw = this.fs.read(this.names[slot]);
    if (raw === undefined || raw.length < HEADER_LENGTH) {
      return new SlotRead(0, undefined);
    }
    const r = new SmpReader(raw);
    const magic = r.take(4);
    const generation = r.int64();
    const boot = r.word32();
    const length = r.word32();
    if (r.failed !== undefined || !equalBytes(magic, fromAscii(MAGIC))) {
      return new SlotRead(0, undefined);
    }
    const body = slice(raw, HEADER_LENGTH, raw.length);
    const header = slice(raw, 0, HEADER_LENGTH);
    const key = this.key;
    if (key !== undefined) {
      if (body.length !== length + TAG_LENGTH) {
        return new SlotRead(generation, undefined);
      }
      return new SlotRead(generation, this.p.aes256gcmOpen(key, this.nonce(generation, boot), header, body));
    }
    if (body.length !== length + CHECK_LENGTH) {
      return new SlotRead(generation, undefined);
    }
    const blob = slice(body, 0, length);
    const check = slice(body, length, body.length);
    return new SlotRead(generation, ctEqual(check, this.p.sha256(concat(header, blob))) ? blob : undefined);
  }

  /** The newest valid blob, or undefined when neither slot holds one. */
  load(): Bytes | undefined {
    let best: Bytes | undefined = undefined;
    let bestGen = -1;
    this.newest = -1;
    for (let slot = 0; slot < 2; slot++) {
      const s = this.readSlot(slot);
      if (s.generation > this.generation) {
        this.generation = s.generation;
      }
      if (s.blob !== undefined && s.generation > bestGen) {
        best = s.blob;
        bestGen = s.generation;
        this.newest = slot;
      }
    }
    return best;
  }

  private writeSlot(slot: number, blob: Bytes): void {
    const generation = this.generation + 1;
    this.generation = generation;
    const header = this.header(generation, this.boot, blob.length);
    const key = this.key;
    const body = key !== undefined ? this.p.aes256gcmSeal(key, this.nonce(generation, this.boot), header, blob) : concat(blob, this.p.sha256(concat(header, blob)));
    this.fs.write(this.names[slot], concat(header, body));
    this.newest = slot;
  }

  /** Saves a blob atomically: after a power cut, load returns either it or the previous one. */
  save(blob: Bytes): void {
    if (this.newest < 0 && this.generation === 0) {
      this.load();
    }
    this.writeSlot(this.newest === 0 ? 1 : 0, blob);
  }

  /**
   * Saves, then overwrites the other slot too, so the previous content (an old key) is
   * gone from this store. Call load() at boot: it finishes an interrupted erasure.
   */
  saveAndErase(blob: Bytes): void {
    this.save(blob);
    this.writeSlot(this.newest === 0 ? 1 : 0, blob);
  }
}

