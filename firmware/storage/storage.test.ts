// Encrypted storage: journal, epochs, state store, and a power cut at every byte offset
// of a scripted run (no corrupt record accepted, no committed record lost, no key/nonce
// pair ever used for two different plaintexts).
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { getProvider } from "../crypto/node/providers";
import type { CryptoProvider } from "../crypto/provider";
import { DeterministicRandom } from "../crypto/deterministic-random";
import { fromAscii, toBinaryString, type Bytes } from "../port/bytes";
import { MemoryFs, POWER_CUT } from "./memory-fs";
import { openDeviceStorage, type DeviceStorage } from "./device-storage";
import { segmentName } from "./journal";

const noble = getProvider("noble");
const hex = (b: Bytes) => Buffer.from(b as Uint8Array).toString("hex");

/** Wraps a provider and fails the test if a (key, nonce) pair seals two different plaintexts. */
function nonceLedger(p: CryptoProvider, ledger: Map<string, string>): CryptoProvider {
  return {
    ...p,
    aes256gcmSeal(key, iv, aad, pt) {
      const k = hex(key) + "/" + hex(iv);
      const h = createHash("sha256").update(pt as Uint8Array).update(aad as Uint8Array).digest("hex");
      const prev = ledger.get(k);
      if (prev !== undefined && prev !== h) throw new Error(`NONCE REUSE for key/nonce ${k}`);
      ledger.set(k, h);
      return p.aes256gcmSeal(key, iv, aad, pt);
    },
  };
}

interface Committed {
  records: Map<number, { payload: string; epoch: number }>;
  inFlight: { payload: string } | undefined;
  droppedEpochs: Set<number>;
  state: string | undefined;
  stateInFlight: string | undefined;
}

function script(fs: MemoryFs, p: CryptoProvider, c: Committed): void {
  const rnd = new DeterministicRandom(noble, fromAscii("device-rng")).source();
  const dev = openDeviceStorage(fs, fs, p, rnd);
  const append = (s: string) => {
    c.inFlight = { payload: s };
    const seq = dev.journal.append(fromAscii(s));
    c.records.set(seq, { payload: s, epoch: dev.journal.keys.currentEpoch });
    c.inFlight = undefined;
  };
  const save = (s: string) => {
    c.stateInFlight = s;
    dev.state.save(fromAscii(s));
    c.state = s;
    c.stateInFlight = undefined;
  };
  for (let i = 0; i < 4; i++) append(`reading-${i}`);
  save("ratchet-1");
  dev.journal.rotate();
  for (let i = 4; i < 7; i++) append(`reading-${i}`);
  save("ratchet-2");
  const dropEpoch = dev.journal.keys.oldestEpoch;
  c.droppedEpochs.add(dropEpoch);
  dev.journal.dropOldest();
  append("reading-7");
  save("ratchet-3");
}

function recover(fs: MemoryFs, p: CryptoProvider): DeviceStorage {
  fs.budget = -1;
  return openDeviceStorage(fs, fs, p, new DeterministicRandom(noble, fromAscii("device-rng-2")).source());
}

describe("encrypted storage", () => {
  it("appends, reads back, rotates epochs and drops the oldest with its key", () => {
    const fs = new MemoryFs();
    const dev = openDeviceStorage(fs, fs, noble, new DeterministicRandom(noble, fromAscii("r")).source());
    expect(dev.fresh).toBe(true);
    const s1 = dev.journal.append(fromAscii("a"));
    dev.journal.rotate();
    const s2 = dev.journal.append(fromAscii("b"));
    expect(dev.journal.read(0, 10).map((r) => [r.seq, toBinaryString(r.payload), r.epoch])).toEqual([[s1, "a", 0], [s2, "b", 1]]);
    const epoch0 = fs.read(segmentName(0))!;
    expect(dev.journal.dropOldest()).toBe(1);
    expect(fs.read(segmentName(0))).toBeUndefined();
    expect(() => dev.journal.keys.recordKey(0)).toThrow(/not available/);
    // Even a copy of the old segment cannot be read back: recovery removes it as keyless.
    fs.write(segmentName(0), epoch0);
    const again = recover(fs, noble);
    expect(again.fresh).toBe(false);
    expect(again.report.removedSegments).toBe(1);
    expect(again.journal.read(0, 10).map((r) => toBinaryString(r.payload))).toEqual(["b"]);
    expect(again.journal.nextSeq).toBe(s2 + 1);
  });

  it("reads from a cursor without decrypting older records or re-deriving keys, and wipes a dropped epoch's key", () => {
    const counts = { open: 0, hkdf: 0 };
    const counting: CryptoProvider = {
      ...noble,
      aes256gcmOpen(key, iv, aad, ct) {
        counts.open++;
        return noble.aes256gcmOpen(key, iv, aad, ct);
      },
      hkdfSha256(ikm, salt, info, len) {
        counts.hkdf++;
        return noble.hkdfSha256(ikm, salt, info, len);
      },
    };
    const fs = new MemoryFs();
    const dev = openDeviceStorage(fs, fs, counting, new DeterministicRandom(noble, fromAscii("r")).source());
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++) seqs.push(dev.journal.append(fromAscii(`r${i}`)));
    dev.journal.rotate();
    for (let i = 20; i < 25; i++) seqs.push(dev.journal.append(fromAscii(`r${i}`)));
    counts.open = 0;
    counts.hkdf = 0;
    // a cursor in the second segment: the first is not touched, only the asked records open
    expect(dev.journal.read(seqs[22], 10).map((r) => toBinaryString(r.payload))).toEqual(["r22", "r23", "r24"]);
    expect(counts.open).toBe(3);
    // a cursor past the end: nothing read, nothing opened
    expect(dev.journal.read(seqs[24] + 1, 10)).toEqual([]);
    expect(counts.open).toBe(3);
    // a cursor inside the first segment: the records before it are stepped over unopened
    expect(dev.journal.read(seqs[18], 3).map((r) => toBinaryString(r.payload))).toEqual(["r18", "r19", "r20"]);
    expect(counts.open).toBe(6);
    expect(counts.hkdf).toBe(0); // both record keys were derived by the appends
    const key0 = dev.journal.keys.recordKey(0);
    const copy0 = Uint8Array.from(key0 as Uint8Array);
    expect(dev.journal.dropOldest()).toBe(20);
    expect(Array.from(key0 as Uint8Array).every((b) => b === 0)).toBe(true);
    expect(() => dev.journal.keys.recordKey(0)).toThrow(/not available/);
    expect(hex(dev.journal.keys.recordKey(1))).not.toBe(hex(copy0));
    expect(dev.journal.read(0, 10).map((r) => toBinaryString(r.payload))).toEqual(["r20", "r21", "r22", "r23", "r24"]);
  });

  it("never accepts a corrupt record and reports what it cut", () => {
    const fs = new MemoryFs();
    const dev = openDeviceStorage(fs, fs, noble, new DeterministicRandom(noble, fromAscii("r")).source());
    for (let i = 0; i < 5; i++) dev.journal.append(fromAscii(`r${i}`));
    const name = segmentName(0);
    const raw = fs.read(name)! as Uint8Array;
    raw[8 + 3 * 34 + 20] ^= 0x40; // flip a bit inside the 4th record's ciphertext
    fs.write(name, raw);
    const again = recover(fs, noble);
    expect(again.journal.read(0, 10).map((r) => toBinaryString(r.payload))).toEqual(["r0", "r1", "r2"]);
    expect(again.report.cutBytes).toBe(2 * 34);
    expect(again.report.notes.join()).toMatch(/does not authenticate/);
    expect(again.journal.nextSeq).toBeGreaterThan(4); // the bad record's number is not reused
  });

  it("survives a power cut at every byte offset of a scripted run", () => {
    const full = new MemoryFs();
    script(full, noble, { records: new Map(), inFlight: undefined, droppedEpochs: new Set(), state: undefined, stateInFlight: undefined });
    const total = full.used;
    expect(total).toBeGreaterThan(1000);
    let checked = 0;
    for (let cut = 0; cut < total; cut++) {
      const fs = new MemoryFs();
      fs.budget = cut;
      const ledger = new Map<string, string>();
      const p = nonceLedger(noble, ledger);
      const c: Committed = { records: new Map(), inFlight: undefined, droppedEpochs: new Set(), state: undefined, stateInFlight: undefined };
      try {
        script(fs, p, c);
        throw new Error(`no power cut at ${cut}`);
      } catch (e) {
        if ((e as Error).message !== POWER_CUT) throw e;
      }
      const dev = recover(fs, p);
      const got = dev.journal.read(0, 1000);
      const gotBySeq = new Map(got.map((r) => [r.seq, toBinaryString(r.payload)]));
      // Nothing corrupt or unknown: every recovered record is one we wrote.
      for (const [seq, payload] of gotBySeq) {
        const known = c.records.get(seq);
        if (known) expect(payload).toBe(known.payload);
        else expect(payload).toBe(c.inFlight?.payload);
      }
      // Nothing committed lost (unless its epoch was dropped on purpose).
      for (const [seq, r] of c.records) {
        if (!c.droppedEpochs.has(r.epoch) || dev.journal.keys.oldestEpoch <= r.epoch) {
          expect(gotBySeq.get(seq), `cut ${cut}: committed record ${seq} lost`).toBe(r.payload);
        }
      }
      // Dropped epochs stay dropped once their key erasure was saved.
      for (const r of got) expect(r.epoch).toBeGreaterThanOrEqual(dev.journal.keys.oldestEpoch);
      // The state store returns the last committed state, or the one being saved.
      const st = dev.state.load();
      const stText = st === undefined ? undefined : toBinaryString(st);
      expect([c.state, c.stateInFlight]).toContain(stText);
      // Carry on after recovery: new writes must not reuse any key/nonce pair.
      dev.journal.append(fromAscii("after-reboot"));
      dev.state.save(fromAscii("after-reboot-state"));
      expect(recover(fs, p).journal.read(0, 1000).map((r) => toBinaryString(r.payload))).toContain("after-reboot");
      checked++;
    }
    expect(checked).toBe(total);
  });
});
