/**
 * Transport blocks: every byte on an SMP connection is in 16,384-byte blocks.
 *   block = pad(count(1 byte) ‖ Large(transmission)…, 16384)
 * (Protocol.hs batchTransmissions_ / tParse). A batch holds up to 255 transmissions and
 * leaves 19 bytes free (2 pad length + 1 count + 16 for v11 block encryption).
 */
import { Bytes } from "../../port/bytes";
import { Parsed, SmpReader, SmpWriter, parsedError, parsedOk } from "../../port/encoding";
import { pad, padWriter, unpad } from "./pad";

export const SMP_BLOCK_SIZE = 16384;
/** room for transmissions in one batched block: 16384 - 19 */
export const BATCH_CAPACITY = SMP_BLOCK_SIZE - 19;
export const MAX_BATCH_COUNT = 255;
/** A transmission's Large length prefix inside a batch. */
const LARGE_LENGTH_SIZE = 2;

/** One block with the given transmissions; throws if they do not fit (check with fitsInBlock). */
export function encodeBlock(transmissions: Bytes[]): Bytes {
  if (transmissions.length === 0 || transmissions.length > MAX_BATCH_COUNT) {
    throw new Error("a block holds 1..255 transmissions, got " + transmissions.length);
  }
  const w = new SmpWriter().byte(transmissions.length);
  for (const t of transmissions) {
    w.large(t);
  }
  if (w.length - 1 > BATCH_CAPACITY) {
    throw new Error("transmissions of " + w.length + " bytes do not fit in a block");
  }
  return pad(w.finish(), SMP_BLOCK_SIZE);
}

/** batchedSize of a transmission still held by a writer. */
export function batchedWriterSize(t: SmpWriter): number {
  return t.length + LARGE_LENGTH_SIZE;
}

/**
 * encodeBlock([t]) for a transmission held by a writer: its parts are copied once, into
 * the block. undefined when it does not fit.
 */
export function encodeSingleBlock(t: SmpWriter): Bytes | undefined {
  if (batchedWriterSize(t) > BATCH_CAPACITY) {
    return undefined;
  }
  return padWriter(new SmpWriter().byte(1).word16(t.length).writer(t), SMP_BLOCK_SIZE);
}

/** Bytes a transmission takes inside a batch (its 2-byte Large length included). */
export function batchedSize(t: Bytes): number {
  return t.length + LARGE_LENGTH_SIZE;
}

export function fitsInBlock(t: Bytes): boolean {
  return batchedSize(t) <= BATCH_CAPACITY;
}

/**
 * Packs transmissions into as few blocks as possible, in order. Transmissions that do not
 * fit in a block on their own are returned in `tooLarge` (their indexes) and skipped.
 */
export function encodeBlocks(transmissions: Bytes[]): { blocks: Bytes[]; tooLarge: number[] } {
  const blocks: Bytes[] = [];
  const tooLarge: number[] = [];
  let batch: Bytes[] = [];
  let size = 0;
  for (let i = 0; i < transmissions.length; i++) {
    const t = transmissions[i];
    const s = batchedSize(t);
    if (s > BATCH_CAPACITY) {
      tooLarge.push(i);
      continue;
    }
    if (size + s > BATCH_CAPACITY || batch.length === MAX_BATCH_COUNT) {
      blocks.push(encodeBlock(batch));
      batch = [];
      size = 0;
    }
    batch.push(t);
    size += s;
  }
  if (batch.length > 0) {
    blocks.push(encodeBlock(batch));
  }
  return { blocks: blocks, tooLarge: tooLarge };
}

/** The transmissions in a block; a block of the wrong size or shape is a BLOCK error. */
export function parseBlock(block: Bytes): Parsed<Bytes[]> {
  if (block.length !== SMP_BLOCK_SIZE) {
    return parsedError("block of " + block.length + " bytes");
  }
  const content = unpad(block);
  if (!content.ok) {
    return parsedError(content.error);
  }
  const r = new SmpReader(content.value);
  const n = r.byte();
  if (n === 0) {
    return parsedError("empty batch");
  }
  const out: Bytes[] = [];
  for (let i = 0; i < n; i++) {
    out.push(r.large());
  }
  r.end();
  if (r.failed !== undefined) {
    return parsedError("bad batch: " + r.failed);
  }
  return parsedOk(out);
}

/** A padded block that is not a batch (the handshake messages). */
export function encodeHandshakeBlock(m: Bytes): Bytes {
  return pad(m, SMP_BLOCK_SIZE);
}

export function parseHandshakeBlock(block: Bytes): Parsed<Bytes> {
  if (block.length !== SMP_BLOCK_SIZE) {
    return parsedError("block of " + block.length + " bytes");
  }
  return unpad(block);
}
