/**
 * GRP framing (docs/grp.md §2): every frame is Word16 big-endian length ‖ body, and in
 * each state exactly one body length is valid, so any other length is a protocol error
 * found from the first two bytes, before the body arrives.
 */
import { Bytes, alloc, copyInto } from "../../port/bytes";
import { store16be } from "../../port/u32";
import { FRAME_LENGTH_SIZE } from "./constants";
import { ByteQueue } from "./byte-queue";

export function encodeFrame(body: Bytes): Bytes {
  if (body.length > 65535) {
    throw new Error("grp: frame body of " + body.length + " bytes exceeds 65535");
  }
  const out = alloc(FRAME_LENGTH_SIZE + body.length);
  store16be(out, 0, body.length);
  copyInto(out, FRAME_LENGTH_SIZE, body, 0, body.length);
  return out;
}

/** The next frame's body when it has fully arrived, else undefined; throws on a wrong length. */
export function readFrame(q: ByteQueue, expectedLength: number, what: string): Bytes | undefined {
  if (q.available() < FRAME_LENGTH_SIZE) {
    return undefined;
  }
  const len = (q.peek(0) << 8) | q.peek(1);
  if (len !== expectedLength) {
    throw new Error("grp: " + what + " frame of " + len + " bytes, expected " + expectedLength);
  }
  if (q.available() < FRAME_LENGTH_SIZE + len) {
    return undefined;
  }
  q.take(FRAME_LENGTH_SIZE);
  return q.take(len);
}
