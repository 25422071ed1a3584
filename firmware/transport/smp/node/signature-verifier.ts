/**
 * The SignatureVerifier the portable handshake needs, for Node: Ed25519 through the
 * CryptoProvider, Ed448 through @noble/curves directly (Ed448 is not in the provider
 * interface yet).
 */
import { ed448 } from "@noble/curves/ed448.js";
import type { CryptoProvider } from "../../../crypto/provider";
import type { SignatureVerifier } from "../x509";

export function nodeSignatureVerifier(provider: CryptoProvider): SignatureVerifier {
  return (alg, publicKey, msg, sig) => {
    try {
      if (alg === "ed25519") {
        return publicKey.length === 32 && sig.length === 64 && provider.ed25519Verify(publicKey, msg, sig);
      }
      return publicKey.length === 57 && sig.length === 114 && ed448.verify(sig as Uint8Array, msg as Uint8Array, publicKey as Uint8Array);
    } catch {
      return false;
    }
  };
}
