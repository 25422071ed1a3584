// grp:// addresses (docs/grp.md §9), the relay's KEM key ring and the replay cache.
import { describe, expect, it } from "vitest";
import { formatGrpUri, parseGrpUri } from "./uri";
import { KemKeyRing } from "./kem-key-ring";
import { ReplayCache } from "./replay-cache";
import { noble, seededProvider } from "./node/test-harness";

const key = Uint8Array.from({ length: 32 }, (_, i) => i);
const kem = new Uint8Array(32).fill(0xfb);
const keyText = Buffer.from(key).toString("base64url");
const kemText = Buffer.from(kem).toString("base64url");

describe("grp:// URI", () => {
  it("parses and formats with and without the KEM key id, IPv4, names and [IPv6]", () => {
    for (const [uri, host] of [
      [`grp://${keyText}@relay.example.org:5224`, "relay.example.org"],
      [`grp://${keyText}:${kemText}@127.0.0.1:1`, "127.0.0.1"],
      [`grp://${keyText}:${kemText}@[::1]:65535`, "::1"],
    ]) {
      const a = parseGrpUri(uri);
      expect(a.host).toBe(host);
      expect(a.relayStaticKey).toEqual(key);
      expect(formatGrpUri(a)).toBe(uri);
    }
    expect(parseGrpUri(`grp://${keyText}:${kemText}@h:9`).kemKeyId).toEqual(kem);
  });
  it("rejects malformed addresses with a reason", () => {
    const bad: [string, RegExp][] = [
      [`smp://${keyText}@h:1`, /must start with grp/],
      [`grp://${keyText}h:1`, /missing '@'/],
      [`grp://${keyText}@h`, /missing ':port'/],
      [`grp://${keyText}@h:0`, /out of range/],
      [`grp://${keyText}@h:99999`, /out of range/],
      [`grp://${keyText}@h:12a`, /bad port/],
      [`grp://${keyText}@:1`, /empty host/],
      [`grp://${keyText}@::1:5`, /IPv6 host must be in brackets/],
      [`grp://${keyText.slice(4)}@h:1`, /relay static key must be 32 bytes/],
      [`grp://${keyText}+@h:1`, /not base64url/],
      [`grp://${keyText}:@h:1`, /empty KEM key id/],
      [`grp://${keyText}:AAAA@h:1`, /KEM key id must be 32 bytes/],
    ];
    for (const [uri, why] of bad) expect(() => parseGrpUri(uri), uri).toThrow(why);
  });
});

describe("KEM key ring", () => {
  const p = seededProvider(noble(), "kem ring");
  it("rotates on schedule and keeps a replaced key for the grace period", () => {
    const ring = new KemKeyRing(p, { rotationMs: 100, graceMs: 30 }, 0, undefined);
    const k0 = ring.current(0);
    expect(ring.current(99)).toBe(k0);
    const k1 = ring.current(250); // due at 100: k0 retired at 100, k1 dates from 200
    expect(k1).not.toBe(k0);
    expect(k1.createdMs).toBe(200);
    expect(ring.find(k0.id, 250)).toBeUndefined();
    const k2 = ring.current(300);
    expect(ring.find(k1.id, 329)).toBe(k1);
    expect(ring.find(k1.id, 330)).toBeUndefined();
    expect(ring.find(k2.id, 330)).toBe(k2);
  });
  it("never rotates with interval 0 and refuses negative settings", () => {
    const ring = new KemKeyRing(p, { rotationMs: 0, graceMs: 0 }, 0, undefined);
    expect(ring.current(1e12)).toBe(ring.current(0));
    expect(() => new KemKeyRing(p, { rotationMs: -1, graceMs: 0 }, 0, undefined)).toThrow(/negative/);
  });
});

describe("replay cache", () => {
  it("remembers keys for the window and stays bounded", () => {
    const c = new ReplayCache(100, 2);
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    const d = new Uint8Array(32).fill(3);
    expect(c.checkAndRecord(a, 0)).toBe(false);
    expect(c.checkAndRecord(a, 99)).toBe(true);
    expect(c.checkAndRecord(a, 100)).toBe(false); // expired, recorded again
    expect(c.checkAndRecord(b, 101)).toBe(false);
    expect(c.checkAndRecord(d, 102)).toBe(false); // capacity 2: a is evicted
    expect(c.checkAndRecord(a, 103)).toBe(false);
    expect(c.checkAndRecord(d, 104)).toBe(true);
  });
});
