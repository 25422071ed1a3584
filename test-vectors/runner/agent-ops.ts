/**
 * Agent ops: a whole seeded device ↔ station conversation (key agreement, PQ double
 * ratchet, connection setup, data, receipts) whose wire bytes must be identical on every
 * target. Expected digests are generated with the noble provider on Node
 * (test-vectors/generate/agent-transcript.ts); the portable provider must match them on
 * Node, Lua and Espruino.
 */
import { Bytes, concat, concatAll, fromAscii } from "../../firmware/port/bytes";
import { toHex } from "../../firmware/port/hex";
import { CryptoProvider } from "../../firmware/crypto/provider";
import { DeterministicRandom } from "../../firmware/crypto/deterministic-random";
import { RatchetContext } from "../../firmware/agent/ratchet";
import { classicSuite, defaultSuite } from "../../firmware/agent/suite";
import { Connection, EV_MESSAGE, Outgoing, ReceiveResult, WriteAhead, createInvitation, joinInvitation } from "../../firmware/agent/connection";
import { Params } from "./params";
import { OpTable } from "./semantics";

class NullWal implements WriteAhead {
  count: number;
  constructor() {
    this.count = 0;
  }
  persist(_connection: Connection): void {
    this.count = this.count + 1;
  }
}

function expectMessage(r: ReceiveResult, want: string): void {
  if (r.events.length < 1 || r.events[0].type !== EV_MESSAGE) {
    throw new Error("expected a message '" + want + "', got " + (r.events.length > 0 ? r.events[0].type + " " + r.events[0].detail : "nothing"));
  }
}

function transcript(p: CryptoProvider, i: Params, o: Params): void {
  const seed = i.bytes("seed");
  const suite = i.bool("kem") ? defaultSuite(p) : classicSuite(p);
  const n = i.number("messages");
  const sctx = new RatchetContext(p, suite, new DeterministicRandom(p, concat(fromAscii("station:"), seed)).source());
  const dctx = new RatchetContext(p, suite, new DeterministicRandom(p, concat(fromAscii("device:"), seed)).source());
  const wire: Bytes[] = [];
  const inv = createInvitation(sctx, new NullWal(), "smp://k@relay/q1");
  wire.push(fromAscii(inv.text));
  const joined = joinInvitation(dctx, new NullWal(), inv.text, "smp://k@relay/q2", "device", fromAscii("v1"));
  if (typeof joined === "string") {
    throw new Error(joined);
  }
  const station: Connection = inv.connection;
  const device: Connection = joined.connection;
  wire.push(joined.confirmation.body);
  const hello = station.receive(joined.confirmation.body);
  if (hello.outgoing.length !== 1) {
    throw new Error("no HELLO after the confirmation");
  }
  wire.push(hello.outgoing[0].body);
  device.receive(hello.outgoing[0].body);
  for (let k = 0; k < n; k++) {
    const d: Outgoing = device.send(fromAscii("reading " + k));
    wire.push(d.body);
    expectMessage(station.receive(d.body), "reading " + k);
    if (k % 3 === 2) {
      const receipt = station.flushReceipt();
      if (receipt === undefined) {
        throw new Error("no receipt due after readings");
      }
      wire.push(receipt.body);
      device.receive(receipt.body);
    }
    if (k % 4 === 3) {
      const c = station.send(fromAscii("command " + k));
      wire.push(c.body);
      expectMessage(device.receive(c.body), "command " + k);
      const receipt = device.flushReceipt();
      if (receipt !== undefined) {
        wire.push(receipt.body);
        station.receive(receipt.body);
      }
    }
  }
  o.setNumber("bodies", wire.length);
  o.setBytes("digest", p.sha256(concatAll(wire)));
  o.setBytes("lastBodyPrefix", fromAscii(toHex(wire[wire.length - 1]).substring(0, 64)));
}

export function agentOps(): OpTable {
  const t = new OpTable();
  t.add("agent.transcript", transcript);
  return t;
}
