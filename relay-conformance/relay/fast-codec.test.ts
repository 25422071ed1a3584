// The relay's Node fast paths must produce exactly the portable codec's bytes.
import { describe, expect, it } from "vitest";
import { getProvider } from "../../firmware/crypto/node/providers";
import { encodeBlocks, parseBlock } from "../../firmware/transport/smp/block";
import { encodeCommand, parseCommand } from "../../firmware/transport/smp/commands";
import { encryptRcvMsg } from "../../firmware/transport/smp/msg-body";
import { encodeBrokerMsg } from "../../firmware/transport/smp/responses";
import { encodeAuthorized, encodeTransmission, parseTransmission, signedBytes, unauthenticated } from "../../firmware/transport/smp/transmission";
import { DeferredSeal, encodeBlocksFast, encryptRcvMsgFast, parseBlockFast, parseCommandFast, parseTransmissionFast, releaseBlock, responseParts, responseTransmission, SignedParts, signedBytesFast } from "./fast-codec";

const p = getProvider("noble");
const hex = (b: Uint8Array | ArrayLike<number>) => Buffer.from(b as Uint8Array).toString("hex");

describe("relay fast codec = portable codec", () => {
  it("blocks and transmissions", () => {
    const ts = [0, 1, 200, 9000, 9000, 16000].map((n) => encodeTransmission(p.randomBytes(n % 3 === 0 ? 64 : 0), encodeAuthorized(p.randomBytes(24), p.randomBytes(24), p.randomBytes(n))));
    const slow = encodeBlocks(ts).blocks;
    const fast = encodeBlocksFast(ts.map((t) => Buffer.from(t as Uint8Array)));
    expect(fast.map(hex)).toEqual(slow.map(hex));
    for (const b of slow) {
      const a = parseBlock(b);
      const f = parseBlockFast(b)!;
      expect(a.ok && a.value.map(hex)).toEqual(f.map(hex));
      for (const t of f) {
        const x = parseTransmission(t);
        const y = parseTransmissionFast(t)!;
        expect(x.ok && [x.value.auth, x.value.corrId, x.value.entityId, x.value.command, x.value.authorized].map(hex)).toEqual([y.auth, y.corrId, y.entityId, y.command, y.authorized].map(hex));
        expect(hex(signedBytesFast(p.randomBytes(0), y.authorized))).toBe(hex(signedBytes(p.randomBytes(0), y.authorized)));
        const sessionId = p.randomBytes(32);
        const parts = new SignedParts(sessionId, y.authorized);
        expect(hex(parts.bytes())).toBe(hex(signedBytes(sessionId, y.authorized)));
        expect(hex(parts.sha512())).toBe(hex(p.sha512(signedBytes(sessionId, y.authorized))));
      }
    }
    for (const bad of [new Uint8Array(100), Buffer.alloc(16384, 0xff), Buffer.concat([Buffer.from([0, 1, 0]), Buffer.alloc(16381, 0x23)])]) {
      expect(parseBlockFast(bad)).toBeUndefined();
      expect(parseBlock(bad).ok).toBe(false);
    }
    for (const t of ["", "\x05ab", "\x00\x02ab", "\x00\x01a"]) {
      expect(parseTransmissionFast(Buffer.from(t, "latin1"))).toBeUndefined();
      expect(parseTransmission(Buffer.from(t, "latin1")).ok).toBe(false);
    }
  });
  it("SEND parsing, MSG encryption and response transmissions", () => {
    for (const s of ["SEND F hello", "SEND Tx body", "SEND F ", "SEND", "SEND X y", "SENDF x"]) {
      const a = parseCommand(9, Buffer.from(s));
      const b = parseCommandFast(9, Buffer.from(s));
      expect(JSON.stringify(b.ok ? { ...b.command, body: b.command.tag === "SEND" ? hex(b.command.body) : undefined } : b)).toBe(JSON.stringify(a.ok ? { ...a.command, body: a.command.tag === "SEND" ? hex(a.command.body) : undefined } : a));
    }
    const key = p.randomBytes(32);
    const body = p.randomBytes(16000);
    expect(hex(encryptRcvMsgFast(p, key, Buffer.from("id"), 1641032645, true, body))).toBe(hex(encryptRcvMsg(p, key, Buffer.from("id"), { quota: false, ts: 1641032645, notification: true, body })));
    const msg = { tag: "MSG" as const, msgId: p.randomBytes(24), encBody: p.randomBytes(16122) };
    for (const m of [msg, { tag: "OK" as const }, { tag: "PONG" as const }]) {
      expect(hex(responseTransmission(9, Buffer.from("c"), Buffer.from("e"), m))).toBe(hex(unauthenticated(Buffer.from("c"), Buffer.from("e"), encodeBrokerMsg(9, m))));
    }
    expect(encodeCommand(9, { tag: "PING" }).length).toBe(4);
  });

  it("a MSG body sealed into its block (native: libsodium into the block; noble: sealed and copied) = the portable MSG", () => {
    const key = p.randomBytes(32);
    const msgId = p.randomBytes(24);
    const body = p.randomBytes(16000);
    const portable = { tag: "MSG" as const, msgId, encBody: encryptRcvMsg(p, key, msgId, { quota: false, ts: 1641032645, notification: false, body }) };
    const expected = unauthenticated(Buffer.from("c"), Buffer.from("e"), encodeBrokerMsg(9, portable));
    for (const provider of [p, getProvider("native")]) {
      const deferred = { tag: "MSG" as const, msgId, sealed: new DeferredSeal(provider, key, msgId, 1641032645, false, body) };
      expect(hex(responseTransmission(9, Buffer.from("c"), Buffer.from("e"), deferred))).toBe(hex(expected));
      const [block] = encodeBlocksFast([responseParts(9, Buffer.from("c"), Buffer.from("e"), deferred)]);
      expect(hex(block)).toBe(hex(encodeBlocks([expected]).blocks[0]));
    }
  });

  it("a released block is reused, rewritten completely (padding included)", () => {
    const ts = [encodeTransmission(p.randomBytes(0), encodeAuthorized(p.randomBytes(24), p.randomBytes(24), p.randomBytes(100)))];
    const [first] = encodeBlocksFast([Buffer.from(ts[0] as Uint8Array)]);
    first.fill(0x55);
    releaseBlock(first);
    const [again] = encodeBlocksFast([Buffer.from(ts[0] as Uint8Array)]);
    expect(again).toBe(first);
    expect(hex(again)).toBe(hex(encodeBlocks(ts).blocks[0]));
    // a view into a larger buffer is never pooled
    const big = Buffer.alloc(2 * 16384);
    releaseBlock(big.subarray(0, 16384));
    expect(encodeBlocksFast([Buffer.from(ts[0] as Uint8Array)])[0].buffer).not.toBe(big.buffer);
  });
});
