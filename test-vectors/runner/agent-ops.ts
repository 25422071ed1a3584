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
import { ERR_DUPLICATE, ERR_HEADER, ERR_MESSAGE, ERR_TOO_MANY_SKIPPED, MAX_SKIP, initReceivingRatchet, initSendingRatchet, ratchetDecrypt, ratchetEncrypt } from "../../firmware/agent/ratchet";
import { RatchetKem, RatchetState, deserializeRatchet, serializeRatchet } from "../../firmware/agent/ratchet-state";
import { RatchetInitParams, generateInitiatorKeys, generateJoinerKeys, initiatorAgreement, joinerAgreement, publicParams } from "../../firmware/agent/x3dh";
import { equalBytes, toBinaryString } from "../../firmware/port/bytes";
import { RatchetSuite } from "../../firmware/agent/suite";
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

class Pair {
  ctx: RatchetContext;
  alice: RatchetState;
  bob: RatchetState;
  constructor(ctx: RatchetContext, alice: RatchetState, bob: RatchetState) {
    this.ctx = ctx;
    this.alice = alice;
    this.bob = bob;
  }
}

function ratchetPair(p: CryptoProvider, suite: RatchetSuite, seed: Bytes): Pair {
  const ra = new DeterministicRandom(p, concat(fromAscii("alice:"), seed)).source();
  const rb = new DeterministicRandom(p, concat(fromAscii("bob:"), seed)).source();
  const bobKeys = generateInitiatorKeys(suite, rb);
  const inv = publicParams(suite, bobKeys);
  const aliceKeys = generateJoinerKeys(suite, ra, inv);
  const ai = joinerAgreement(p, suite, aliceKeys, inv) as RatchetInitParams;
  const bi = initiatorAgreement(p, suite, bobKeys, publicParams(suite, aliceKeys)) as RatchetInitParams;
  const ctx = new RatchetContext(p, suite, ra);
  const aKem = aliceKeys.kemPair === undefined ? undefined : new RatchetKem(aliceKeys.kemPair, ai.kemAccepted);
  const bKem = bobKeys.kemPair === undefined ? undefined : new RatchetKem(bobKeys.kemPair, bi.kemAccepted);
  return new Pair(ctx, initSendingRatchet(ctx, inv.dhKey2, aliceKeys.dhSecret2, ai, aKem), initReceivingRatchet(ctx, bobKeys.dhSecret2, bi, bKem));
}

function send(pair: Pair, fromAlice: boolean, text: string): Bytes {
  const e = ratchetEncrypt(pair.ctx, fromAlice ? pair.alice : pair.bob, fromAscii(text), 128);
  if (fromAlice) {
    pair.alice = e.state;
  } else {
    pair.bob = e.state;
  }
  return e.message;
}

/** Decrypts at Bob's (or Alice's) side; "" plaintext on failure, the error code in `err`. */
function recv(pair: Pair, toBob: boolean, m: Bytes, err: string[]): string {
  const r = ratchetDecrypt(pair.ctx, toBob ? pair.bob : pair.alice, m);
  err.push(r.error);
  if (r.plaintext === undefined) {
    return "";
  }
  if (toBob) {
    pair.bob = r.state;
  } else {
    pair.alice = r.state;
  }
  return toBinaryString(r.plaintext);
}

/**
 * The ratchet's properties (as in firmware/agent/ratchet.test.ts) checked on any target:
 * each output is true when the property holds.
 */
function properties(p: CryptoProvider, i: Params, o: Params): void {
  const suite = i.bool("kem") ? defaultSuite(p) : classicSuite(p);
  const seed = i.bytes("seed");
  const err: string[] = [];
  // In order, both directions, across DH steps.
  let pr = ratchetPair(p, suite, seed);
  let ok = true;
  for (let round = 0; round < 3; round++) {
    ok = ok && recv(pr, true, send(pr, true, "a" + round), err) === "a" + round;
    ok = ok && recv(pr, false, send(pr, false, "b" + round), err) === "b" + round;
  }
  o.setBool("inOrder", ok);
  // Out of order within and across chains, each exactly once; replays refused.
  pr = ratchetPair(p, suite, seed);
  const m0 = send(pr, true, "m0");
  const m1 = send(pr, true, "m1");
  const m2 = send(pr, true, "m2");
  ok = recv(pr, true, m2, err) === "m2";
  ok = ok && recv(pr, false, send(pr, false, "r"), err) === "r";
  const n0 = send(pr, true, "n0");
  ok = ok && recv(pr, true, n0, err) === "n0" && recv(pr, true, m0, err) === "m0" && recv(pr, true, m1, err) === "m1";
  o.setBool("outOfOrder", ok && pr.bob.skipped.length === 0);
  const before = serializeRatchet(pr.bob);
  const e1: string[] = [];
  const replay = recv(pr, true, m1, e1) === "" && recv(pr, true, n0, e1) === "";
  o.setBool("replayRejected", replay && (e1[0] === ERR_HEADER || e1[0] === ERR_DUPLICATE) && equalBytes(before, serializeRatchet(pr.bob)));
  // Tampered header and body rejected without a state change.
  pr = ratchetPair(p, suite, seed);
  const t = send(pr, true, "tamper");
  const h = concat(t, fromAscii(""));
  h[10] = (h[10] ^ 1) & 0xff;
  const b = concat(t, fromAscii(""));
  b[b.length - 1] = (b[b.length - 1] ^ 1) & 0xff;
  const snap = serializeRatchet(pr.bob);
  const e2: string[] = [];
  recv(pr, true, h, e2);
  recv(pr, true, b, e2);
  o.setBool("tamperRejected", e2[0] === ERR_HEADER && e2[1] === ERR_MESSAGE && equalBytes(snap, serializeRatchet(pr.bob)) && recv(pr, true, t, err) === "tamper");
  // Skip limit.
  pr = ratchetPair(p, suite, seed);
  recv(pr, true, send(pr, true, "first"), err);
  let last = send(pr, true, "x");
  for (let k = 0; k < MAX_SKIP + 1; k++) {
    last = send(pr, true, "x" + k);
  }
  const e3: string[] = [];
  o.setBool("skipLimit", recv(pr, true, last, e3) === "" && e3[0] === ERR_TOO_MANY_SKIPPED);
  // Forward secrecy: a copy of the current state cannot read an earlier message.
  pr = ratchetPair(p, suite, seed);
  const early = send(pr, true, "early");
  recv(pr, true, early, err);
  recv(pr, false, send(pr, false, "r1"), err);
  recv(pr, true, send(pr, true, "m2"), err);
  const leaked = deserializeRatchet(serializeRatchet(pr.bob)) as RatchetState;
  o.setBool("forwardSecrecy", ratchetDecrypt(pr.ctx, leaked, early).plaintext === undefined);
  // Post-compromise security: after the victim ratchets with fresh randomness, the copy is locked out.
  pr = ratchetPair(p, suite, seed);
  recv(pr, true, send(pr, true, "m1"), err);
  const eve = new Pair(new RatchetContext(p, suite, new DeterministicRandom(p, fromAscii("eve")).source()), pr.alice, deserializeRatchet(serializeRatchet(pr.bob)) as RatchetState);
  const m3a = send(pr, true, "m2");
  recv(eve, true, m3a, err);
  recv(pr, true, m3a, err);
  recv(pr, false, send(pr, false, "r1"), err);
  const m3 = send(pr, true, "m3");
  const eveRead3 = recv(eve, true, m3, err) === "m3";
  recv(pr, true, m3, err);
  recv(pr, false, send(pr, false, "healed"), err);
  const m4 = send(pr, true, "m4");
  const e4: string[] = [];
  o.setBool("postCompromise", eveRead3 && recv(eve, true, m4, e4) === "" && recv(pr, true, m4, err) === "m4");
  // Serialization round trip with skipped keys inside.
  pr = ratchetPair(p, suite, seed);
  const s0 = send(pr, true, "s0");
  send(pr, true, "s1");
  recv(pr, true, send(pr, true, "s2"), err);
  const bytes = serializeRatchet(pr.bob);
  const back = deserializeRatchet(bytes) as RatchetState;
  pr.bob = back;
  o.setBool("serialization", equalBytes(serializeRatchet(back), bytes) && recv(pr, true, s0, err) === "s0");
}

export function agentOps(): OpTable {
  const t = new OpTable();
  t.add("agent.transcript", transcript);
  t.add("agent.properties", properties);
  return t;
}
