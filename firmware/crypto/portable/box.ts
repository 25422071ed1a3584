/** NaCl crypto_box precomputation: k = HSalsa20(X25519(sk, pk), 0^16) (as SimpleX's cryptoBox). */
import { Bytes, alloc } from "../../port/bytes";
import { hsalsa20 } from "./salsa20";
import { x25519 } from "./x25519";

export function boxBeforenm(publicKey: Bytes, secretKey: Bytes): Bytes {
  return hsalsa20(x25519(secretKey, publicKey), alloc(16));
}
