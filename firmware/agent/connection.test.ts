// Duplex connections over an in-memory pair of queues: setup, ordering, receipts, loss,
// redelivery, write-ahead persistence and restore.
import { describe, expect, it } from "vitest";
import { getProvider } from "../crypto/node/providers";
import { DeterministicRandom } from "../crypto/deterministic-random";
import { fromAscii, toBinaryString, type Bytes } from "../port/bytes";
import { defaultSuite, classicSuite } from "./suite";
import { RatchetContext } from "./ratchet";
import {
  Connection, EV_CONFIRMED, EV_DUPLICATE, EV_ERROR, EV_GAP, EV_MESSAGE, EV_READY, EV_RECEIPT, MAX_PAYLOAD, STATUS_READY,
  createInvitation, deserializeConnection, joinInvitation, serializeConnection, type Joined, type Outgoing, type WriteAhead,
} from "./connection";

const p = getProvider("noble");

class Wal implements WriteAhead {
  states: Bytes[] = [];
  persist(c: Connection): void {
    this.states.push(serializeConnection(c));
  }
  get last(): Bytes {
    return this.states[this.states.length - 1];
  }
}

function pair(suiteOf = defaultSuite, seed = "x") {
  const suite = suiteOf(p);
  const sctx = new RatchetContext(p, suite, new DeterministicRandom(p, fromAscii("station" + seed)).source());
  const dctx = new RatchetContext(p, suite, new DeterministicRandom(p, fromAscii("device" + seed)).source());
  const swal = new Wal();
  const dwal = new Wal();
  const inv = createInvitation(sctx, swal, "smp://hash@relay/q1");
  const joined = joinInvitation(dctx, dwal, inv.text, "smp://hash@relay/q2", "dev-1", fromAscii("board=xiao")) as Joined;
  expect(typeof joined).toBe("object");
  expect(joined.confirmation.queueUri).toBe("smp://hash@relay/q1");
  const r1 = inv.connection.receive(joined.confirmation.body);
  expect(r1.events.map((e) => e.type)).toEqual([EV_CONFIRMED]);
  expect(r1.events[0].detail).toBe("dev-1");
  expect(toBinaryString(r1.events[0].payload)).toBe("board=xiao");
  expect(r1.outgoing.map((o) => o.queueUri)).toEqual(["smp://hash@relay/q2"]);
  const r2 = joined.connection.receive(r1.outgoing[0].body);
  expect(r2.events.map((e) => e.type)).toEqual([EV_READY]);
  return { station: inv.connection, device: joined.connection, swal, dwal, sctx, dctx, invitation: inv.text };
}

const txt = (s: string) => fromAscii(s);

describe.each([["x25519+mlkem768", defaultSuite], ["x25519", classicSuite]])("connection (%s)", (_n, suiteOf) => {
  it("sets up from an invitation and exchanges data with receipts", () => {
    const { station, device } = pair(suiteOf);
    expect(station.status).toBe(STATUS_READY);
    expect(device.status).toBe(STATUS_READY);
    const o = device.send(txt("t=21.5"));
    const r = station.receive(o.body);
    expect(r.events.map((e) => [e.type, e.seq, toBinaryString(e.payload)])).toEqual([[EV_MESSAGE, 1, "t=21.5"]]);
    expect(r.outgoing).toEqual([]); // receipts are batched: the caller flushes them
    const o2 = device.send(txt("t=21.6"));
    station.receive(o2.body);
    expect(device.unconfirmed()).toBe(2);
    const receipt = station.flushReceipt()!;
    expect(station.flushReceipt()).toBeUndefined();
    const back = device.receive(receipt.body);
    expect(back.events.map((e) => [e.type, e.seq])).toEqual([[EV_RECEIPT, 1], [EV_RECEIPT, 2]]);
    expect(device.unconfirmed()).toBe(0);
    // The same receipt again confirms nothing new and is not an error.
    expect(device.receive(receipt.body).events.map((e) => e.type)).toEqual([EV_DUPLICATE]); // a replayed ciphertext
    const cmd = station.send(txt("interval=30"));
    const dr = device.receive(cmd.body);
    expect(dr.events[0].type).toBe(EV_MESSAGE);
    expect(toBinaryString(dr.events[0].payload)).toBe("interval=30");
  });

  it("reports a lost message as a gap, delivers it late if it shows up, and rejects redelivery", () => {
    const { station, device } = pair(suiteOf);
    const a = device.send(txt("a"));
    const b = device.send(txt("b"));
    const c = device.send(txt("c"));
    expect(station.receive(a.body).events[0].type).toBe(EV_MESSAGE);
    const rc = station.receive(c.body);
    expect(rc.events.map((e) => e.type)).toEqual([EV_GAP, EV_MESSAGE]);
    const rec = device.receive(station.flushReceipt()!.body);
    expect(rec.events.map((e) => [e.type, e.seq])).toEqual([[EV_RECEIPT, 1], [EV_RECEIPT, 3]]); // 2 is listed missing
    expect(device.unconfirmed()).toBe(1);
    const rb = station.receive(b.body);
    expect(rb.events.map((e) => [e.type, e.late])).toEqual([[EV_MESSAGE, true]]);
    expect(device.receive(station.flushReceipt()!.body).events.map((e) => [e.type, e.seq])).toEqual([[EV_RECEIPT, 2]]);
    const again = station.receive(b.body);
    expect(again.events.map((e) => e.type)).toEqual([EV_DUPLICATE]);
    expect(again.events[0].detail).toMatch(/decrypt: (DUPLICATE|EARLIER)/);
    expect(again.outgoing).toEqual([]);
  });

  it("persists state before releasing every message, and resumes from the last persisted state", () => {
    const { station, device, dwal, dctx } = pair(suiteOf);
    const before = dwal.states.length;
    const o = device.send(txt("r1"));
    expect(dwal.states.length).toBe(before + 1);
    // Reboot: the device restores from what it persisted, then keeps talking.
    const restored = deserializeConnection(dctx, dwal, dwal.last) as Connection;
    expect(restored).toBeInstanceOf(Connection);
    expect(station.receive(o.body).events[0].type).toBe(EV_MESSAGE);
    const o2 = restored.send(txt("r2"));
    const r = station.receive(o2.body);
    expect(r.events.map((e) => [e.type, toBinaryString(e.payload)])).toEqual([[EV_MESSAGE, "r2"]]);
    // A device that lost its last persisted state and reused an older one would repeat a
    // sequence number and message key; the station refuses that message.
    const stale = deserializeConnection(dctx, dwal, dwal.states[before - 1]) as Connection;
    const replayed = station.receive(stale.send(txt("reused")).body);
    expect(replayed.events.map((e) => e.type)).toEqual([EV_DUPLICATE]);
    expect(replayed.events.some((e) => e.type === EV_MESSAGE)).toBe(false);
  });

  it("rejects malformed invitations and oversized payloads with clear errors", () => {
    const { device, invitation } = pair(suiteOf);
    const dctx = new RatchetContext(p, suiteOf(p), new DeterministicRandom(p, txt("d2")).source());
    expect(joinInvitation(dctx, new Wal(), "hello", "q", "n", txt(""))).toMatch(/expected text starting with 'tsense:1:'/);
    expect(joinInvitation(dctx, new Wal(), invitation.slice(0, 60), "q", "n", txt(""))).toMatch(/invitation:/);
    expect(() => device.send(new Uint8Array(MAX_PAYLOAD + 1))).toThrow(/exceeds/);
    expect(device.receive(txt("Zzz")).events[0].type).toBe(EV_ERROR);
  });
});

describe("many messages both ways with random loss and redelivery", () => {
  it("delivers every message exactly once and accounts for every loss", () => {
    const { station, device } = pair(defaultSuite, "bulk");
    const rnd = new DeterministicRandom(p, txt("net")).source();
    const chance = () => rnd(1)[0] / 256;
    const N = 400;
    const got = { station: new Set<string>(), device: new Set<string>() };
    let gaps = 0;
    let dups = 0;
    const deliver = (to: Connection, o: Outgoing | undefined, seen: Set<string>): number => {
      if (o === undefined) return 1;
      const times = chance() < 0.05 ? 0 : chance() < 0.1 ? 2 : 1; // 5% lost, ~10% redelivered
      for (let i = 0; i < times; i++) {
        for (const e of to.receive(o.body).events) {
          if (e.type === EV_MESSAGE) {
            const k = toBinaryString(e.payload);
            expect(seen.has(k)).toBe(false);
            seen.add(k);
          } else if (e.type === EV_GAP) gaps++;
          else if (e.type === EV_ERROR || e.type === EV_DUPLICATE) dups++;
        }
      }
      return times;
    };
    let lost = 0;
    for (let i = 0; i < N; i++) {
      if (deliver(station, device.send(txt(`d${i}`)), got.station) === 0) lost++;
      if (i % 3 === 0 && deliver(device, station.send(txt(`s${i}`)), got.device) === 0) lost++;
      if (i % 7 === 0) {
        deliver(device, station.flushReceipt(), new Set());
        deliver(station, device.flushReceipt(), new Set());
      }
    }
    expect(got.station.size + got.device.size + lost).toBe(N + Math.ceil(N / 3));
    expect(lost).toBeGreaterThan(0);
    expect(dups).toBeGreaterThan(0);
    expect(gaps).toBeGreaterThan(0);
  });
});
