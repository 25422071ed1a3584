// The SMP codec compiled with typescript-to-lua and run by Debian's lua5.3, and bundled
// for Espruino (syntax check + the Espruino-like vm context), must print exactly what the
// same code prints on Node (PORTABLE.md: one byte of difference fails).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildLuaEntry, ROOT } from "../../../targets/lua/build";
import { buildEspruinoEntry } from "../../../targets/espruino/build";
import { createEspruinoContext } from "../../../targets/espruino/node/vm-context";
import { FIXTURE_CA_ED448, FIXTURE_SERVER_ED25519 } from "./simplexmq-fixtures";

const ENTRY_DIR = join(ROOT, "build", "smp-lua-check");

// Portable code only: it runs under TSTL (Lua) and under Node with a `print` shim.
const ENTRY = `
import { fromBase64 } from "../../firmware/port/base64";
import { toHex } from "../../firmware/port/hex";
import { asciiBytes, SmpReader, SmpWriter } from "../../firmware/port/encoding";
import { encodeBlock, encodeBlocks, parseBlock } from "../../firmware/transport/smp/block";
import { encodeCommand, parseCommand } from "../../firmware/transport/smp/commands";
import { encodeBrokerMsg, parseBrokerMsg } from "../../firmware/transport/smp/responses";
import { errorText } from "../../firmware/transport/smp/errors";
import { decodeSpki } from "../../firmware/transport/smp/keys";
import { encodeAuthorized, encodeTransmission, parseTransmission } from "../../firmware/transport/smp/transmission";
import { encodeClientHello, encodeServerHello, parseServerHello } from "../../firmware/transport/smp/handshake";
import { encodeRcvMsgBody, parseRcvMsgBody } from "../../firmware/transport/smp/msg-body";
import { parseCertificate } from "../../firmware/transport/smp/x509";
import { encodeQueueUri, parseQueueUri } from "../../firmware/transport/smp/server-address";
import { Backoff } from "../../firmware/transport/smp/backoff";
import { SmpClient } from "../../firmware/transport/smp/client";
import { clientHandshake } from "../../firmware/transport/smp/handshake-client";
import { parseEnvelope } from "../../firmware/transport/smp/client-envelope";
import { cbNonce } from "../../firmware/transport/smp/crypto-box";

declare function print(this: void, s: string): void;

function prefix(h: string): string {
  return h.length > 96 ? h.substring(0, 96) : h;
}

function run(): void {
  const pub = decodeSpki(fromBase64("MCowBQYDK2VwAyEAfAOflyvbJv1fszgzkQ6buiZJVgSpQWsucXq7U6zjMgY="));
  const dh = decodeSpki(fromBase64("MCowBQYDK2VuAyEAriy+HcARIhqsgSjVnjKqoft+y6pxrxdY68zn4+LjYhQ="));
  if (!pub.ok || !dh.ok) {
    print("keys failed");
    return;
  }
  print("int64 " + toHex(new SmpWriter().int64(1641032645).finish()) + " " + new SmpReader(new SmpWriter().int64(9007199254740991).finish()).int64());
  const newCmd = encodeCommand(9, { tag: "NEW", rcvAuthKey: pub.value, rcvDhKey: dh.value, basicAuth: undefined, subscribe: true, sndSecure: true });
  print("new " + toHex(newCmd));
  const t = encodeTransmission(asciiBytes("sig"), encodeAuthorized(asciiBytes("abcd"), asciiBytes("12345678"), newCmd));
  const block = encodeBlock([t, t]);
  print("block " + block.length + " " + prefix(toHex(block)) + " " + block[16383]);
  const pb = parseBlock(block);
  if (pb.ok) {
    const pt = parseTransmission(pb.value[1]);
    if (pt.ok) {
      const pc = parseCommand(9, pt.value.command);
      print("parsed " + pb.value.length + " " + toHex(pt.value.corrId) + " " + (pc.ok ? pc.command.tag : errorText(pc.error)));
    }
  }
  const bad = ["HELLO", "SUB=", "NEW", "SEND", "SEND T x y", "ACK", "KEY"];
  for (const s of bad) {
    const c = parseCommand(9, asciiBytes(s));
    print("cmd " + s + " " + (c.ok ? c.command.tag : errorText(c.error)));
  }
  const msgs = ["ERR CMD PROHIBITED", "ERR QUOTA", "PONG", "END", "OK", "ERR NOPE"];
  for (const s of msgs) {
    const m = parseBrokerMsg(9, asciiBytes(s));
    print("msg " + s + " " + (m.ok ? toHex(encodeBrokerMsg(9, m.msg)) : errorText(m.error)));
  }
  const many = encodeBlocks([new SmpWriter().bytes(asciiBytes("x")).finish(), asciiBytes("y")]);
  print("blocks " + many.blocks.length + " " + many.tooLarge.length);
  const sh = encodeServerHello({ versions: { min: 7, max: 9 }, sessionId: asciiBytes("session"), certChain: [asciiBytes("leaf"), asciiBytes("id")], signedKey: asciiBytes("k") });
  const psh = parseServerHello(sh);
  print("hello " + toHex(sh) + " " + (psh.ok ? psh.value.versions.max + " " + (psh.value.certChain === undefined ? 0 : psh.value.certChain.length) : psh.error));
  print("client " + toHex(encodeClientHello({ version: 9, keyHash: asciiBytes("kh"), clientKey: dh.value })));
  const body = encodeRcvMsgBody({ quota: false, ts: 1641032645, notification: true, body: asciiBytes("hi") });
  const pbody = parseRcvMsgBody(body);
  print("rcv " + toHex(body) + " " + (pbody.ok && !pbody.value.quota ? toHex(pbody.value.body) : "fail"));
  const certs = [CERTS];
  for (const c of certs) {
    const pc = parseCertificate(fromBase64(c));
    print("cert " + (pc.ok ? pc.value.alg + " " + pc.value.isCa + " " + pc.value.notBefore + " " + pc.value.notAfter + " " + toHex(pc.value.publicKey.key) : pc.error));
  }
  const uri = parseQueueUri("smp://LcJUMfVhwD8yxjAiSaDzzGF3-kLG4Uh0Fl_ZIjrRwjI=@localhost:5001/c2VuZGVy#/?v=1-4&dh=MCowBQYDK2VuAyEAriy-HcARIhqsgSjVnjKqoft-y6pxrxdY68zn4-LjYhQ%3D&q=m");
  print("uri " + (uri.ok ? encodeQueueUri(uri.value) : uri.error));
  const bo = new Backoff(200, 30000);
  print("backoff " + bo.nextDelayMs(0) + " " + bo.nextDelayMs(0.5) + " " + bo.nextDelayMs(0.99));
  print("nonce " + toHex(cbNonce(asciiBytes("abc"))));
  const env = parseEnvelope(asciiBytes("\x00\x040"));
  print("envelope " + (env.ok ? "ok" : env.error));
  // compiled for Lua too (they need a CryptoProvider to run, covered on Node)
  print("compiled " + (SmpClient !== undefined && clientHandshake !== undefined ? "yes" : "no"));
}

run();
`.replace("[CERTS]", JSON.stringify([FIXTURE_CA_ED448, FIXTURE_SERVER_ED25519]));

function haveLua(): boolean {
  try {
    execFileSync("lua5.3", ["-v"]);
    return true;
  } catch {
    return false;
  }
}

function nodeLines(): string[] {
  mkdirSync(ENTRY_DIR, { recursive: true });
  writeFileSync(join(ENTRY_DIR, "entry.ts"), ENTRY);
  const nodeEntry = join(ENTRY_DIR, "entry-node.ts");
  writeFileSync(nodeEntry, ENTRY.replace("declare function print(this: void, s: string): void;", "const print = (s: string) => console.log(s);"));
  return execFileSync(process.execPath, ["--import", "tsx", nodeEntry], { encoding: "utf8", cwd: ROOT }).trimEnd().split("\n");
}

describe("SMP codec on Espruino (bundle + Espruino-like context)", () => {
  it("passes the Espruino syntax check and prints the same lines as on Node", async () => {
    const lines = nodeLines();
    const out = mkdtempSync(join(tmpdir(), "smp-espruino-"));
    try {
      const path = await buildEspruinoEntry("smp-check", join(ENTRY_DIR, "entry.ts"), { outDir: out });
      const printed: string[] = [];
      vm.runInContext(readFileSync(path, "utf8"), createEspruinoContext({ print: (l) => printed.push(l) }));
      expect(printed).toEqual(lines);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("SMP codec on Lua 5.3 (TSTL)", () => {
  it.skipIf(!haveLua())("prints the same lines as on Node", async () => {
    mkdirSync(ENTRY_DIR, { recursive: true });
    const entry = join(ENTRY_DIR, "entry.ts");
    writeFileSync(entry, ENTRY);
    const out = mkdtempSync(join(tmpdir(), "smp-lua-"));
    try {
      // the same entry on Node, with print = console.log
      const nodeEntry = join(ENTRY_DIR, "entry-node.ts");
      writeFileSync(nodeEntry, ENTRY.replace("declare function print(this: void, s: string): void;", "const print = (s: string) => console.log(s);"));
      const lines = execFileSync(process.execPath, ["--import", "tsx", nodeEntry], { encoding: "utf8", cwd: ROOT }).trimEnd().split("\n");
      const built = buildLuaEntry("smp-check", "build/smp-lua-check/entry.ts", { outDir: out });
      const lua = execFileSync("lua5.3", [built.path], { encoding: "utf8" }).trimEnd().split("\n");
      expect(lines.length).toBeGreaterThan(20);
      expect(lua).toEqual(lines);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
