/**
 * pad(m, N) = Word16 len ‖ m ‖ '#' fill to N (simplexmq Crypto.hs `pad`/`unPad`). Used for
 * transport blocks (N = 16384), MSG bodies (16106) and client envelopes.
 */
import { Bytes, alloc, copyInto, fill } from "../../port/bytes";
import { Parsed, SmpReader, SmpWriter, parsedError, parsedOk } from "../../port/encoding";

const PAD_FILL = 0x23; // '#'
/** Largest message pad accepts: 2^16 - 3 (Crypto.hs maxMsgLen). */
export const PAD_MAX_MSG_LEN = 65533;

export function canPad(msgLen: number, paddedLen: number): boolean {
  return msgLen <= PAD_MAX_MSG_LEN && paddedLen - msgLen - 2 >= 0;
}

/** Throws if m does not fit: callers check canPad first where the size is not already bounded. */
export function pad(m: Bytes, paddedLen: number): Bytes {
  if (!canPad(m.length, paddedLen)) {
    throw new Error("pad: message of " + m.length + " bytes does not fit in " + paddedLen);
  }
  const out = alloc(paddedLen);
  out[0] = (m.length >>> 8) & 0xff;
  out[1] = m.length & 0xff;
  copyInto(out, 2, m, 0, m.length);
  fill(out, PAD_FILL, 2 + m.length, paddedLen);
  return out;
}

/** pad(w.finish(), paddedLen) without the intermediate buffer (a 16 KiB copy per block). */
export function padWriter(w: SmpWriter, paddedLen: number): Bytes {
  if (!canPad(w.length, paddedLen)) {
    throw new Error("pad: message of " + w.length + " bytes does not fit in " + paddedLen);
  }
  const out = alloc(paddedLen);
  out[0] = (w.length >>> 8) & 0xff;
  out[1] = w.length & 0xff;
  const end = w.writeTo(out, 2);
  fill(out, PAD_FILL, end, paddedLen);
  return out;
}

/** The message inside a padded buffer; the fill is not checked (simplexmq does not). */
export function unpad(p: Bytes): Parsed<Bytes> {
  if (p.length < 2) {
    return parsedError("padded message shorter than 2 bytes");
  }
  const len = ((p[0] << 8) | p[1]) >>> 0;
  if (p.length - 2 < len) {
    return parsedError("padded length " + len + " exceeds the buffer");
  }
  // Through a reader: a whole block's content is a view (see SmpReader.take), a short one a copy.
  const r = new SmpReader(p);
  r.pos = 2;
  return parsedOk(r.take(len));
}
