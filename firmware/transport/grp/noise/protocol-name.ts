/**
 * Noise protocol names (§8): Noise_<pattern>_<DH>_<cipher>_<hash>. We implement DH 25519
 * and cipher ChaChaPoly; the pattern and hash are looked up by name.
 */
export const NOISE_PREFIX = "Noise";
export const DH_25519 = "25519";
export const CIPHER_CHACHAPOLY = "ChaChaPoly";

export interface ProtocolName {
  full: string;
  pattern: string;
  dh: string;
  cipher: string;
  hash: string;
}

export function protocolName(pattern: string, hash: string): string {
  return NOISE_PREFIX + "_" + pattern + "_" + DH_25519 + "_" + CIPHER_CHACHAPOLY + "_" + hash;
}

export function parseProtocolName(full: string): ProtocolName {
  const parts = full.split("_");
  if (parts.length !== 5 || parts[0] !== NOISE_PREFIX) {
    throw new Error("noise: malformed protocol name '" + full + "'");
  }
  if (parts[2] !== DH_25519) {
    throw new Error("noise: unsupported DH '" + parts[2] + "'");
  }
  if (parts[3] !== CIPHER_CHACHAPOLY) {
    throw new Error("noise: unsupported cipher '" + parts[3] + "'");
  }
  return { full: full, pattern: parts[1], dh: parts[2], cipher: parts[3], hash: parts[4] };
}
