/**
 * SMP protocol versions (simplexmq Transport.hs). We negotiate 7..9; later versions add
 * fields behind `v >= N` checks in the codec, so supporting them is additive.
 */

/** 7: X25519 authenticators; the session id is implied (not sent) but still signed. */
export const SMP_VERSION_AUTH_CMDS = 7;
/** 8: SMP proxy; the SEND size limit drops to 16064. */
export const SMP_VERSION_SENDING_PROXY = 8;
/** 9: SKEY, sender-secured queues (NEW/IDS carry sndSecure). */
export const SMP_VERSION_SND_AUTH_KEY = 9;
/** 10: DELD event (before it a deleted queue's subscriber gets END). */
export const SMP_VERSION_DELETED_EVENT = 10;
/** 6: what a server offers when the client sent no ALPN (legacyServerSMPRelayVRange). */
export const SMP_VERSION_LEGACY = 6;

export const SMP_MIN_VERSION = 7;
export const SMP_MAX_VERSION = 9;

/** ALPN protocol id; without it simplexmq servers cap the range at v6. */
export const SMP_ALPN = "smp/1";
export const SMP_DEFAULT_PORT = 5223;

export interface VersionRange {
  min: number;
  max: number;
}

export function versionRange(min: number, max: number): VersionRange {
  if (min > max) {
    throw new Error("bad version range " + min + "-" + max);
  }
  return { min: min, max: max };
}

export const SUPPORTED_SMP_VERSIONS: VersionRange = versionRange(SMP_MIN_VERSION, SMP_MAX_VERSION);

/** The overlap of two ranges, or undefined (Version.hs compatibleVRange). */
export function compatibleRange(a: VersionRange, b: VersionRange): VersionRange | undefined {
  const min = a.min > b.min ? a.min : b.min;
  const max = a.max < b.max ? a.max : b.max;
  return min <= max ? { min: min, max: max } : undefined;
}

export function inRange(v: number, r: VersionRange): boolean {
  return v >= r.min && v <= r.max;
}

/** Largest SEND body a server accepts at this version (Protocol.hs maxMessageLength). */
export function maxMessageLength(v: number): number {
  if (v >= 11) {
    return 16048;
  }
  if (v >= SMP_VERSION_SENDING_PROXY) {
    return 16064;
  }
  return 16088;
}
