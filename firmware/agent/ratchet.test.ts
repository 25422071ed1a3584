// Double ratchet properties in the style of the Signal spec's tests, with the noble provider.
import { describe, expect, it } from "vitest";
import { getProvider } from "../crypto/node/providers";
import { DeterministicRandom } from "../crypto/deterministic-random";
import { fromAscii, toBinaryString, type Bytes } from "../port/bytes";
import { classicSuite, defaultSuite, type RatchetSuite } from "./suite";
import {
  generateInitiatorKeys, generateJoinerKeys, initiatorAgreement, joinerAgreement, publicParams,
  KeyAgreementError, type RatchetInitParams,
} from "./x3dh";
import {
  ERR_DUPLICATE, ERR_HEADER, ERR_MESSAGE, ERR_TOO_MANY_SKIPPED, MAX_SKIP, RatchetContext,
  initReceivingRatchet, initSendingRatchet, ratchetDecrypt, ratchetEncrypt,
} from "./ratchet";
import { RatchetKem, type RatchetState, deserializeRatchet, serializeRatchet } from "./ratchet-state";

const p = getProvider("noble");
const PAD = 256;
const text = (s: string) => fromAscii(s);
const str = (b: Bytes | undefined) => (b === undefined ? undefined : toBinaryString(b));

class Party {
  constructor(public ctx: RatchetContext, public state: RatchetState) {}
  send(msg: string): Bytes {
    const r = ratchetEncrypt(this.ctx, this.state, text(msg), PAD);
    this.state = r.state;
    return r.message;
  }
  recv(m: Bytes): string {
    const r = ratchetDecrypt(this.ctx, this.state, m);
    if (r.error !== "") throw new Error(`${r.error}: ${r.detail}`);
    this.state = r.state;
    return str(r.plaintext)!;
  }
  tryRecv(m: Bytes) {
    const r = ratchetDecrypt(this.ctx, this.state, m);
    this.state = r.state;
    return r;
  }
}

function setup(suite: (p: typeof getProvider extends (n: string) => infer P ? P : never) => RatchetSuite, seed = "seed") {
  const s = suite(p);
  const ra = new DeterministicRandom(p, text("alice-" + seed)).source();
  const rb = new DeterministicRandom(p, text("bob-" + seed)).source();
  const bobKeys = generateInitiatorKeys(s, rb);
  const invitation = publicParams(s, bobKeys);
  const aliceKeys = generateJoinerKeys(s, ra, invitation);
  const reply = publicParams(s, aliceKeys);
  const ai = joinerAgreement(p, s, aliceKeys, invitation) as RatchetInitParams;
  const bi = initiatorAgreement(p, s, bobKeys, reply) as RatchetInitParams;
  const actx = new RatchetContext(p, s, ra);
  const bctx = new RatchetContext(p, s, rb);
  const aKem = aliceKeys.kemPair ? new RatchetKem(aliceKeys.kemPair, ai.kemAccepted) : undefined;
  const bKem = bobKeys.kemPair ? new RatchetKem(bobKeys.kemPair, bi.kemAccepted) : undefined;
  const alice = new Party(actx, initSendingRatchet(actx, invitation.dhKey2, aliceKeys.dhSecret2, ai, aKem));
  const bob = new Party(bctx, initReceivingRatchet(bctx, bobKeys.dhSecret2, bi, bKem));
  return { alice, bob, ai, bi };
}

describe.each([
  ["x25519 + ML-KEM-768", defaultSuite],
  ["x25519 only", classicSuite],
])("double ratchet, suite %s", (_name, suite) => {
  it("agrees on the same root key, header keys and associated data", () => {
    const { ai, bi } = setup(suite);
    expect(Buffer.from(ai.rootKey as Uint8Array)).toEqual(Buffer.from(bi.rootKey as Uint8Array));
    expect(Buffer.from(ai.assocData as Uint8Array)).toEqual(Buffer.from(bi.assocData as Uint8Array));
    expect(Buffer.from(ai.sendHeaderKey as Uint8Array)).toEqual(Buffer.from(bi.sendHeaderKey as Uint8Array));
  });

  it("delivers in order, both directions, across many DH steps", () => {
    const { alice, bob } = setup(suite);
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 3; i++) expect(bob.recv(alice.send(`a${round}.${i}`))).toBe(`a${round}.${i}`);
      for (let i = 0; i < 2; i++) expect(alice.recv(bob.send(`b${round}.${i}`))).toBe(`b${round}.${i}`);
    }
  });

  it("delivers out of order within and across chains, each exactly once", () => {
    const { alice, bob } = setup(suite);
    const a = [0, 1, 2, 3, 4].map((i) => alice.send(`m${i}`));
    expect(bob.recv(a[0])).toBe("m0");
    expect(alice.recv(bob.send("ack"))).toBe("ack");
    const later = [0, 1].map((i) => alice.send(`n${i}`)); // new chain after a DH step
    expect(bob.recv(later[1])).toBe("n1"); // skips n0 and the rest of the old chain (pn)
    expect(bob.recv(a[3])).toBe("m3");
    expect(bob.recv(later[0])).toBe("n0");
    expect(bob.recv(a[1])).toBe("m1");
    expect(bob.recv(a[4])).toBe("m4");
    expect(bob.recv(a[2])).toBe("m2");
    expect(bob.state.skipped.length).toBe(0);
    for (const m of [a[2], later[0], a[0]]) expect(bob.tryRecv(m).error).not.toBe("");
  });

  it("rejects replays and leaves the state unchanged", () => {
    const { alice, bob } = setup(suite);
    const m = alice.send("once");
    expect(bob.recv(m)).toBe("once");
    const before = serializeRatchet(bob.state);
    const r = bob.tryRecv(m);
    expect(r.error).toBe(ERR_DUPLICATE);
    expect(Buffer.from(serializeRatchet(bob.state) as Uint8Array)).toEqual(Buffer.from(before as Uint8Array));
  });

  it("rejects tampered headers and bodies without changing state", () => {
    const { alice, bob } = setup(suite);
    const m = alice.send("hello") as Uint8Array;
    const before = Buffer.from(serializeRatchet(bob.state) as Uint8Array);
    const hdr = Uint8Array.from(m);
    hdr[10] ^= 1; // inside the encrypted header
    expect(bob.tryRecv(hdr).error).toBe(ERR_HEADER);
    const body = Uint8Array.from(m);
    body[body.length - 1] ^= 1;
    expect(bob.tryRecv(body).error).toBe(ERR_MESSAGE);
    expect(Buffer.from(serializeRatchet(bob.state) as Uint8Array)).toEqual(before);
    expect(bob.recv(m)).toBe("hello");
  });

  it(`enforces the skip limit (${MAX_SKIP})`, () => {
    const { alice, bob } = setup(suite);
    expect(bob.recv(alice.send("first"))).toBe("first");
    let last: Bytes | undefined;
    for (let i = 0; i < MAX_SKIP + 2; i++) last = alice.send(`x${i}`);
    expect(bob.tryRecv(last!).error).toBe(ERR_TOO_MANY_SKIPPED);
  });

  it("forward secrecy: a leaked current state does not decrypt earlier messages", () => {
    const { alice, bob } = setup(suite);
    const early = alice.send("secret-early");
    expect(bob.recv(early)).toBe("secret-early");
    expect(alice.recv(bob.send("r1"))).toBe("r1");
    expect(bob.recv(alice.send("m2"))).toBe("m2");
    const leaked = deserializeRatchet(serializeRatchet(bob.state)) as RatchetState;
    const r = ratchetDecrypt(bob.ctx, leaked, early);
    expect(r.plaintext).toBeUndefined();
  });

  it("post-compromise security: once the victim ratchets with fresh randomness, a passive attacker is locked out", () => {
    const { alice, bob } = setup(suite);
    expect(bob.recv(alice.send("m1"))).toBe("m1");
    // Eve copies Bob's whole state and follows the conversation passively with her own randomness.
    const eveCtx = new RatchetContext(p, bob.ctx.suite, new DeterministicRandom(p, text("eve")).source());
    const eve = new Party(eveCtx, deserializeRatchet(serializeRatchet(bob.state)) as RatchetState);
    const m2 = alice.send("m2");
    expect(eve.recv(m2)).toBe("m2"); // the compromised chain is readable, as expected
    bob.recv(m2);
    alice.recv(bob.send("r1")); // Bob's reply still carries the DH key Eve knows
    const m3 = alice.send("m3"); // so Alice's next chain is still readable by Eve
    expect(eve.recv(m3)).toBe("m3");
    expect(bob.recv(m3)).toBe("m3"); // Bob ratchets with fresh randomness Eve does not have
    expect(alice.recv(bob.send("healed-r2"))).toBe("healed-r2");
    const m4 = alice.send("healed-m4");
    expect(eve.tryRecv(m4).plaintext).toBeUndefined();
    expect(bob.recv(m4)).toBe("healed-m4");
  });

  it("serializes state to bytes and back exactly, mid-conversation with skipped keys", () => {
    const { alice, bob } = setup(suite);
    const ms = [0, 1, 2].map((i) => alice.send(`s${i}`));
    expect(bob.recv(ms[2])).toBe("s2"); // two skipped keys stored
    for (const party of [alice, bob]) {
      const bytes = serializeRatchet(party.state);
      const back = deserializeRatchet(bytes) as RatchetState;
      expect(typeof back).toBe("object");
      expect(Buffer.from(serializeRatchet(back) as Uint8Array)).toEqual(Buffer.from(bytes as Uint8Array));
      party.state = back;
    }
    expect(bob.recv(ms[0])).toBe("s0");
    expect(alice.recv(bob.send("ok"))).toBe("ok");
    expect(deserializeRatchet(Uint8Array.from([9]))).toMatch(/unknown format/);
    expect(deserializeRatchet((serializeRatchet(bob.state) as Uint8Array).slice(0, 40))).toMatch(/unexpected end of input/);
  });

  it("is deterministic from a seed (same transcript bytes twice)", () => {
    const run = () => {
      const { alice, bob } = setup(suite, "det");
      const out: string[] = [];
      for (let i = 0; i < 3; i++) {
        const m = alice.send(`d${i}`);
        out.push(Buffer.from(m as Uint8Array).toString("hex"));
        bob.recv(m);
        const r = bob.send(`e${i}`);
        out.push(Buffer.from(r as Uint8Array).toString("hex"));
        alice.recv(r);
      }
      return out.join("");
    };
    expect(run()).toBe(run());
  });
});

describe("key agreement input checks", () => {
  it("rejects a reply whose KEM ciphertext is missing or keys have the wrong size", () => {
    const s = defaultSuite(p);
    const rb = new DeterministicRandom(p, text("b")).source();
    const bob = generateInitiatorKeys(s, rb);
    const inv = publicParams(s, bob);
    const alice = generateJoinerKeys(s, new DeterministicRandom(p, text("a")).source(), inv);
    const reply = publicParams(s, alice);
    reply.kemCiphertext = undefined;
    expect(initiatorAgreement(p, s, bob, reply)).toBeInstanceOf(KeyAgreementError);
    inv.dhKey1 = inv.dhKey1.length ? (inv.dhKey1 as Uint8Array).slice(1) : inv.dhKey1;
    const r = joinerAgreement(p, s, alice, inv) as KeyAgreementError;
    expect(r.message).toMatch(/DH key 1 must be 32 bytes/);
  });
});
