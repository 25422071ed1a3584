/**
 * Ed448 verification (RFC 8032 §5.2.7, pure Ed448 with an empty context) under the rules
 * of docs/crypto.md ("Ed448 verification"): exact lengths, canonical S (< L), canonical
 * A and R that decode, A not of small order, and the cofactored equation
 * [4][S]B = [4]R + [4][k]A with k = SHAKE256(dom4(0, "") || R || A || M, 114) mod L.
 */
import { Bytes, alloc, concat, concatAll, fromAscii, slice } from "../../port/bytes";
import { shake256 } from "./sha3";
import {
  ge448Add, ge448Base, ge448Decode, ge448Double, ge448DoubleScalarMultVartime, ge448IsIdentity, ge448IsSmallOrder,
  ge448Neg,
} from "./edwards448";
import { sc448IsCanonical, sc448Reduce } from "./scalar448";

const POINT_BYTES = 57;
const SIGNATURE_BYTES = 114;

/** dom4(0, ""): "SigEd448", phflag 0, context length 0 (RFC 8032 §5.2). */
const DOM4: Bytes = concat(fromAscii("SigEd448"), alloc(2));

export function ed448Verify(publicKey: Bytes, msg: Bytes, sig: Bytes): boolean {
  if (publicKey.length !== POINT_BYTES || sig.length !== SIGNATURE_BYTES) {
    return false;
  }
  const rBytes = slice(sig, 0, POINT_BYTES);
  const s = slice(sig, POINT_BYTES, SIGNATURE_BYTES);
  if (!sc448IsCanonical(s)) {
    return false;
  }
  const a = ge448Decode(publicKey);
  if (a === undefined || ge448IsSmallOrder(a)) {
    return false;
  }
  const r = ge448Decode(rBytes);
  if (r === undefined) {
    return false;
  }
  const k = sc448Reduce(shake256(concatAll([DOM4, rBytes, publicKey, msg]), SIGNATURE_BYTES));
  ge448Neg(a, a);
  ge448Neg(r, r);
  // [S]B - [k]A - R, times the cofactor 4, must be the identity.
  const q = ge448DoubleScalarMultVartime(s, ge448Base(), k, a);
  ge448Add(q, q, r);
  ge448Double(q, q);
  ge448Double(q, q);
  return ge448IsIdentity(q);
}
