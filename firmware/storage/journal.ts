/**
 * The encrypted journal on the SD card: append-only records in one segment file per key
 * epoch. Segment = `"TSJ1" ‖ Word32 epoch` then records
 * `Word32 ctLen ‖ Int64 seq ‖ Word32 boot ‖ AES-256-GCM(recordKey(epoch),
 *  nonce = boot ‖ seq, AD = "TSJ1" ‖ epoch ‖ seq ‖ boot ‖ ctLen, payload)`.
 * Sequence numbers grow across segments; within one boot each is used once, and the boot
 * counter (saved before the journal opens) separates boots, so even the number of an
 * append torn before its header reached the card never meets the same key and nonce again. Recovery keeps each segment's longest valid prefix, cuts the rest and
 * reports what it cut; a record that does not authenticate is never returned.
 * Dropping the oldest epoch deletes its segment and erases its key (see key-epochs.ts).
 */
import { Bytes, concat, equalBytes, fromAscii, slice } from "../port/bytes";
import { toHex, fromHex } from "../port/hex";
import { SmpReader, SmpWriter } from "../port/encoding";
import { load32be } from "../port/u32";
import { CryptoProvider } from "../crypto/provider";
import { EpochKeys } from "./key-epochs";
import { StorageFs } from "./storage-fs";

const MAGIC = "TSJ1";
const SEGMENT_HEADER_LENGTH = 8;
const RECORD_HEADER_LENGTH = 16;
const TAG_LENGTH = 16;
/** Largest payload one record holds. */
export const MAX_RECORD_PAYLOAD = 4096;
const SEGMENT_PREFIX = "j";
const SEGMENT_SUFFIX = ".seg";

export function segmentName(epoch: number): string {
  const b = new SmpWriter().word32(epoch).finish();
  return SEGMENT_PREFIX + toHex(b) + SEGMENT_SUFFIX;
}

function epochOfName(name: string): number {
  if (name.length !== 1 + 8 + SEGMENT_SUFFIX.length || name.substring(0, 1) !== SEGMENT_PREFIX || name.substring(9) !== SEGMENT_SUFFIX) {
    return -1;
  }
  try {
    const r = new SmpReader(fromHex(name.substring(1, 9)));
    return r.word32();
  } catch (e) {
    return -1;
  }
}

export class SegmentInfo {
  epoch: number;
  length: number;
  records: number;
  /** Sequence number of the segment's last valid record; -1 while it has none. */
  lastSeq: number;
  constructor(epoch: number, length: number, records: number, lastSeq: number) {
    this.epoch = epoch;
    this.length = length;
    this.records = records;
    this.lastSeq = lastSeq;
  }
}

export class JournalRecord {
  epoch: number;
  seq: number;
  payload: Bytes;
  constructor(epoch: number, seq: number, payload: Bytes) {
    this.epoch = epoch;
    this.seq = seq;
    this.payload = payload;
  }
}

export class RecoveryReport {
  segments: number;
  records: number;
  /** Bytes cut from torn or corrupt tails. */
  cutBytes: number;
  /** Segments whose tail was cut although a later segment exists (media corruption, not a power cut). */
  corruptSegments: number;
  /** Segment files removed: leftovers of an interrupted drop, or unreadable. */
  removedSegments: number;
  notes: string[];
  constructor() {
    this.segments = 0;
    this.records = 0;
    this.cutBytes = 0;
    this.corruptSegments = 0;
    this.removedSegments = 0;
    this.notes = [];
  }
}

function recordAd(epoch: number, seq: number, boot: number, ctLen: number): Bytes {
  return new SmpWriter().bytes(fromAscii(MAGIC)).word32(epoch).int64(seq).word32(boot).word32(ctLen).finish();
}

function recordNonce(boot: number, seq: number): Bytes {
  return new SmpWriter().word32(boot).int64(seq).finish();
}

/** Walks the records of one segment's bytes; calls `each` for every valid one. */
class SegmentScan {
  validLength: number;
  records: number;
  lastSeq: number;
  /** Sequence number of a torn or invalid record whose header was readable, else -1. */
  tornSeq: number;
  reason: string;
  constructor() {
    this.validLength = SEGMENT_HEADER_LENGTH;
    this.records = 0;
    this.lastSeq = -1;
    this.tornSeq = -1;
    this.reason = "";
  }
}

/**
 * Records with seq < `skipBelow` are stepped over by their headers, not decrypted: reads
 * walk only bytes that open() has already authenticated, and the sender's cursor is usually
 * near the end of the segment.
 */
function scanSegment(p: CryptoProvider, key: Bytes, epoch: number, raw: Bytes, minSeq: number, skipBelow: number, each: (r: JournalRecord) => boolean): SegmentScan {
  const scan = new SegmentScan();
  let off = SEGMENT_HEADER_LENGTH;
  let last = minSeq - 1;
  while (off < raw.length) {
    if (raw.length - off < RECORD_HEADER_LENGTH) {
      scan.reason = "torn record header";
      break;
    }
    // Read in place: a read walks every record header before the cursor.
    const ctLen = load32be(raw, off);
    const seqHi = load32be(raw, off + 4);
    const seq = seqHi * 4294967296 + load32be(raw, off + 8);
    const boot = load32be(raw, off + 12);
    if (seqHi >= 0x200000 || ctLen < TAG_LENGTH || ctLen > MAX_RECORD_PAYLOAD + TAG_LENGTH) {
      scan.reason = "bad record header";
      break;
    }
    scan.tornSeq = seq;
    if (raw.length - off - RECORD_HEADER_LENGTH < ctLen) {
      scan.reason = "torn record";
      break;
    }
    if (seq <= last) {
      scan.reason = "sequence number went backwards";
      break;
    }
    let payload: Bytes | undefined = undefined;
    if (seq >= skipBelow) {
      const ct = slice(raw, off + RECORD_HEADER_LENGTH, off + RECORD_HEADER_LENGTH + ctLen);
      payload = p.aes256gcmOpen(key, recordNonce(boot, seq), recordAd(epoch, seq, boot, ctLen), ct);
      if (payload === undefined) {
        scan.reason = "record does not authenticate";
        break;
      }
    }
    scan.tornSeq = -1;
    last = seq;
    scan.lastSeq = seq;
    scan.records++;
    off += RECORD_HEADER_LENGTH + ctLen;
    scan.validLength = off;
    if (payload !== undefined && !each(new JournalRecord(epoch, seq, payload))) {
      break;
    }
  }
  return scan;
}

function segmentHeader(epoch: number): Bytes {
  return new SmpWriter().bytes(fromAscii(MAGIC)).word32(epoch).finish();
}

/** Persists the key store durably, erasing the previous copy. */
export type SaveKeys = (this: void, keys: EpochKeys) => void;

export class JournalOpen {
  journal: Journal;
  report: RecoveryReport;
  constructor(journal: Journal, report: RecoveryReport) {
    this.journal = journal;
    this.report = report;
  }
}

export class Journal {
  private fs: StorageFs;
  private p: CryptoProvider;
  keys: EpochKeys;
  private saveKeys: SaveKeys;
  segments: SegmentInfo[];
  nextSeq: number;

  private constructor(fs: StorageFs, p: CryptoProvider, keys: EpochKeys, saveKeys: SaveKeys) {
    this.fs = fs;
    this.p = p;
    this.keys = keys;
    this.saveKeys = saveKeys;
    this.segments = [];
    this.nextSeq = 1;
  }

  /**
   * Opens the journal, recovering from whatever a power cut left. `saveKeys` must
   * persist the key store durably (and erase the previous copy) before returning.
   */
  static open(fs: StorageFs, p: CryptoProvider, keys: EpochKeys, saveKeys: SaveKeys): JournalOpen {
    const j = new Journal(fs, p, keys, saveKeys);
    const report = new RecoveryReport();
    const epochs: number[] = [];
    for (const name of fs.list()) {
      const e = epochOfName(name);
      if (e >= 0) {
        epochs.push(e);
      }
    }
    epochs.sort((a, b) => a - b);
    let high = 0;
    for (let i = 0; i < epochs.length; i++) {
      const e = epochs[i];
      const name = segmentName(e);
      if (e < keys.oldestEpoch || e > keys.currentEpoch) {
        fs.remove(name);
        report.removedSegments++;
        report.notes.push(name + ": epoch " + e + " has no key (" + (e < keys.oldestEpoch ? "already erased" : "never started") + "), removed");
        continue;
      }
      const raw = fs.read(name);
      const isLast = i === epochs.length - 1;
      if (raw === undefined || raw.length < SEGMENT_HEADER_LENGTH || !equalBytes(slice(raw, 0, SEGMENT_HEADER_LENGTH), segmentHeader(e))) {
        const n = raw === undefined ? 0 : raw.length;
        fs.write(name, segmentHeader(e));
        report.cutBytes += n;
        if (!isLast) {
          report.corruptSegments++;
        }
        report.notes.push(name + ": bad segment header, " + n + " bytes discarded");
        j.segments.push(new SegmentInfo(e, SEGMENT_HEADER_LENGTH, 0, -1));
        continue;
      }
      const scan = scanSegment(p, keys.recordKey(e), e, raw, high + 1, 0, () => true);
      if (scan.validLength < raw.length) {
        fs.truncate(name, scan.validLength);
        report.cutBytes += raw.length - scan.validLength;
        if (!isLast) {
          report.corruptSegments++;
        }
        report.notes.push(name + ": " + scan.reason + " at byte " + scan.validLength + ", " + (raw.length - scan.validLength) + " bytes cut");
      }
      if (scan.lastSeq > high) {
        high = scan.lastSeq;
      }
      if (scan.tornSeq > high) {
        high = scan.tornSeq;
      }
      report.records += scan.records;
      j.segments.push(new SegmentInfo(e, scan.validLength, scan.records, scan.lastSeq));
    }
    report.segments = j.segments.length;
    j.nextSeq = high + 1;
    return new JournalOpen(j, report);
  }

  private current(): SegmentInfo {
    const n = this.segments.length;
    if (n > 0 && this.segments[n - 1].epoch === this.keys.currentEpoch) {
      return this.segments[n - 1];
    }
    const seg = new SegmentInfo(this.keys.currentEpoch, SEGMENT_HEADER_LENGTH, 0, -1);
    this.fs.write(segmentName(seg.epoch), segmentHeader(seg.epoch));
    this.segments.push(seg);
    return seg;
  }

  /** Appends one record; returns its sequence number once it is on the card. */
  append(payload: Bytes): number {
    if (payload.length > MAX_RECORD_PAYLOAD) {
      throw new Error("journal: record of " + payload.length + " bytes exceeds " + MAX_RECORD_PAYLOAD);
    }
    const seg = this.current();
    const seq = this.nextSeq;
    // Claim the number before writing: in this boot it is never used again.
    this.nextSeq = seq + 1;
    const boot = this.keys.boot;
    const ctLen = payload.length + TAG_LENGTH;
    const ct = this.p.aes256gcmSeal(this.keys.recordKey(seg.epoch), recordNonce(boot, seq), recordAd(seg.epoch, seq, boot, ctLen), payload);
    const record = concat(new SmpWriter().word32(ctLen).int64(seq).word32(boot).finish(), ct);
    this.fs.append(segmentName(seg.epoch), record);
    seg.length += record.length;
    seg.records++;
    seg.lastSeq = seq;
    return seq;
  }

  /** Up to `max` records with seq ≥ fromSeq, oldest first. */
  read(fromSeq: number, max: number): JournalRecord[] {
    const out: JournalRecord[] = [];
    for (const seg of this.segments) {
      if (out.length >= max) {
        break;
      }
      if (seg.lastSeq < fromSeq) {
        // nothing at or after fromSeq here: no card read, no key
        continue;
      }
      const raw = this.fs.read(segmentName(seg.epoch));
      if (raw === undefined) {
        continue;
      }
      const valid = raw.length === seg.length ? raw : slice(raw, 0, seg.length);
      scanSegment(this.p, this.keys.recordKey(seg.epoch), seg.epoch, valid, 0, fromSeq, (r) => {
        out.push(r);
        return out.length < max;
      });
    }
    return out;
  }

  /** Starts a new key epoch: the key store is saved before any record uses the new key. */
  rotate(): void {
    this.keys.advance();
    this.saveKeys(this.keys);
  }

  /**
   * Drops the oldest epoch: its key is erased first (so its records are unreadable even if
   * the file removal is cut short), then its segment file is removed. Returns how many
   * records were dropped. The current epoch cannot be dropped; rotate first.
   */
  dropOldest(): number {
    if (this.segments.length === 0 || this.keys.oldestEpoch >= this.keys.currentEpoch) {
      return 0;
    }
    const epoch = this.keys.oldestEpoch;
    let dropped = 0;
    if (this.segments.length > 0 && this.segments[0].epoch === epoch) {
      dropped = this.segments[0].records;
      this.segments = this.segments.slice(1);
    }
    this.keys.eraseOldest();
    this.saveKeys(this.keys);
    this.fs.remove(segmentName(epoch));
    return dropped;
  }

  totalBytes(): number {
    let n = 0;
    for (const s of this.segments) {
      n += s.length;
    }
    return n;
  }

  recordCount(): number {
    let n = 0;
    for (const s of this.segments) {
      n += s.records;
    }
    return n;
  }
}
