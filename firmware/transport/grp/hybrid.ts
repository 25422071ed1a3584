/**
 * The hybrid step (docs/grp.md §5-§6): the relay's ML-KEM-768 key id and the transport
 * keys derived from the ML-KEM shared secret and the finished Noise handshake.
 *
 *   c2s = HKDF-SHA256(ikm = mlkem_ss ‖ h, salt = ck, info = "GRP/1 c2s", 32)
 *   s2c = HKDF-SHA256(ikm = mlkem_ss ‖ h, salt = ck, info = "GRP/1 s2c", 32)
 *
 * h (the handshake hash) binds the transcript; ck (Noise's final chaining key, secret
 * from the X25519 results) keeps the keys hybrid: they stay secret while either
 * X25519 or ML-KEM holds. h alone is public to an eavesdropper.
 */
import { Bytes, concat, fromAscii } from "../../port/bytes";
import { CryptoProvider } from "../../crypto/provider";
import { INFO_C2S, INFO_S2C, MLKEM768_ENCAPSULATION_KEY_SIZE, MLKEM768_SHARED_SECRET_SIZE, TRANSPORT_KEY_SIZE } from "./constants";

export interface TransportKeys {
  c2s: Bytes;
  s2c: Bytes;
}

export function kemKeyId(p: CryptoProvider, encapsulationKey: Bytes): Bytes {
  if (encapsulationKey.length !== MLKEM768_ENCAPSULATION_KEY_SIZE) {
    throw new Error("grp: ML-KEM-768 encapsulation key must be 1184 bytes, got " + encapsulationKey.length);
  }
  return p.sha256(encapsulationKey);
}

export function deriveTransportKeys(p: CryptoProvider, mlkemSharedSecret: Bytes, handshakeHash: Bytes, chainingKey: Bytes): TransportKeys {
  if (mlkemSharedSecret.length !== MLKEM768_SHARED_SECRET_SIZE) {
    throw new Error("grp: ML-KEM shared secret must be 32 bytes");
  }
  const ikm = concat(mlkemSharedSecret, handshakeHash);
  return {
    c2s: p.hkdfSha256(ikm, chainingKey, fromAscii(INFO_C2S), TRANSPORT_KEY_SIZE),
    s2c: p.hkdfSha256(ikm, chainingKey, fromAscii(INFO_S2C), TRANSPORT_KEY_SIZE),
  };
}
