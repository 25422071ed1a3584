/**
 * Ed25519 (RFC 8032 §5.1): keys from a 32-byte seed, deterministic signatures, and
 * verification under the rules of docs/crypto.md ("Ed25519 verification"), which are
 * libsodium's: exact lengths, canonical S (< L), canonical A and R (y < p) that decode
 * and are not of small order, and the cofactorless equation checked by re-encoding
 * [S]B - [k]A and comparing it with the bytes of R.
 */
import { Bytes, alloc, copyInto, equalBytes, slice } from "../../port/bytes";
import { Sha512 } from "./sha512";
import { geBase, geDecode, geDoubleScalarMultVartime, geEncode, geIsSmallOrder, geNeg, geScalarMult } from "./edwards25519";
import { scIsCanonical, scMulAdd, scReduce64 } from "./scalar25519";

const SEED_BYTES = 32;
const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

function sha512Parts(parts: Bytes[]): Bytes {
  const h = new Sha512();
  for (const p of parts) {
    h.update(p);
  }
  return h.digest();
}

interface Expanded {
  /** The clamped secret scalar s (RFC 8032 §5.1.5 step 2). */
  scalar: Bytes;
  /** The second half of SHA-512(seed), hashed with the message into the nonce. */
  prefix: Bytes;
  publicKey: Bytes;
}

function expand(seed: Bytes): Expanded {
  if (seed.length !== SEED_BYTES) {
    throw new Error("ed25519: seed must be 32 bytes, got " + seed.length);
  }
  const h = sha512Parts([seed]);
  const scalar = slice(h, 0, 32);
  scalar[0] = scalar[0] & 248;
  scalar[31] = (scalar[31] & 127) | 64;
  const publicKey = geEncode(geScalarMult(geBase(), scalar));
  return { scalar: scalar, prefix: slice(h, 32, 64), publicKey: publicKey };
}

export function ed25519PublicKey(seed: Bytes): Bytes {
  return expand(seed).publicKey;
}

/** RFC 8032 §5.1.6: R ‖ S with r = H(prefix ‖ M) and S = r + H(R ‖ A ‖ M) s mod L. */
export function ed25519Sign(seed: Bytes, msg: Bytes): Bytes {
  const e = expand(seed);
  const r = scReduce64(sha512Parts([e.prefix, msg]));
  const bigR = geEncode(geScalarMult(geBase(), r));
  const k = scReduce64(sha512Parts([bigR, e.publicKey, msg]));
  const s = scMulAdd(k, e.scalar, r);
  const sig = alloc(SIGNATURE_BYTES);
  copyInto(sig, 0, bigR, 0, 32);
  copyInto(sig, 32, s, 0, 32);
  return sig;
}

/** RFC 8032 §5.1.7 with the stricter rules of docs/crypto.md; false on any malformed input. */
export function ed25519Verify(publicKey: Bytes, msg: Bytes, sig: Bytes): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || sig.length !== SIGNATURE_BYTES) {
    return false;
  }
  const rBytes = slice(sig, 0, 32);
  const s = slice(sig, 32, 64);
  if (!scIsCanonical(s)) {
    return false;
  }
  const a = geDecode(publicKey);
  if (a === undefined || geIsSmallOrder(a)) {
    return false;
  }
  const r = geDecode(rBytes);
  if (r === undefined || geIsSmallOrder(r)) {
    return false;
  }
  const k = scReduce64(sha512Parts([rBytes, publicKey, msg]));
  geNeg(a, a);
  const check = geEncode(geDoubleScalarMultVartime(s, geBase(), k, a));
  return equalBytes(check, rBytes);
}
