// The docs/grp.md worked example: the implementation (runWorkedExample) against the
// independent by-hand computation with noble primitives (node/independent-grp.ts), and
// the committed test-vectors/grp.json against both.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { getProvider } from "../../crypto/node/providers";
import { runWorkedExample } from "./worked-example";
import { deriveTransportKeys } from "./hybrid";
import { formatGrpUri } from "./uri";
import { exampleInputs } from "./node/generate-vectors";
import { independentGrp } from "./node/independent-grp";

const hex = (b: ArrayLike<number>) => Buffer.from(b as Uint8Array).toString("hex");
const vectors = JSON.parse(readFileSync(new URL("../../../test-vectors/grp.json", import.meta.url), "utf8"));
const docs = readFileSync(new URL("../../../docs/grp.md", import.meta.url), "utf8");

describe.each(exampleInputs().map((x) => [x.pattern === 1 ? "IK" : "XX", x] as const))("worked example %s", (name, x) => {
  const ind = independentGrp(x as never);
  it.each(["noble", "native"])("the implementation (%s) equals the independent computation byte for byte", (provider) => {
    const r = runWorkedExample(getProvider(provider), x);
    expect(hex(r.clientHandshake)).toBe(hex(ind.clientHandshake));
    expect(hex(r.relayHandshake)).toBe(hex(ind.relayHandshake));
    expect(hex(r.sessionId)).toBe(hex(ind.sessionId));
    expect(hex(r.clientFrame)).toBe(hex(ind.clientFrame));
    expect(hex(r.relayFrame)).toBe(hex(ind.relayFrame));
    const k = deriveTransportKeys(getProvider(provider), ind.mlkemSharedSecret, ind.sessionId, ind.chainingKey);
    expect([hex(k.c2s), hex(k.s2c)]).toEqual([hex(ind.c2s), hex(ind.s2c)]);
  });
  it("matches the committed vectors and the values printed in docs/grp.md", () => {
    const c = vectors.cases.find((v: { id: string }) => v.id === `worked-example/${name}`);
    expect(c.out.clientHandshake).toBe(hex(ind.clientHandshake));
    expect(c.out.relayHandshake).toBe(hex(ind.relayHandshake));
    expect(c.out.sessionId).toBe(hex(ind.sessionId));
    expect(c.out.clientFrameSha256).toBe(hex(sha256(ind.clientFrame)));
    expect(c.out.relayFrameSha256).toBe(hex(sha256(ind.relayFrame)));
    for (const v of [ind.sessionId, ind.chainingKey, ind.mlkemSharedSecret, ind.c2s, ind.s2c, ind.kemKeyId, sha256(ind.clientHandshake), sha256(ind.relayHandshake)]) {
      expect(docs).toContain(hex(v));
    }
  });
});

describe("docs/grp.md", () => {
  it("shows the worked example's IK relay as a grp:// URI", () => {
    const [ik] = exampleInputs();
    const ind = independentGrp(ik as never);
    const uri = formatGrpUri({ relayStaticKey: ind.relayStaticPublic, kemKeyId: ind.kemKeyId, host: "relay.example.org", port: 5224 });
    expect(docs).toContain(uri);
  });
});

describe("hybrid key derivation", () => {
  it("reproduces the PROTOCOLS.md check (ikm 32×AA ‖ 32×BB, empty salt)", () => {
    const k = deriveTransportKeys(getProvider("noble"), new Uint8Array(32).fill(0xaa), new Uint8Array(32).fill(0xbb), new Uint8Array(0));
    expect(hex(k.c2s)).toBe("426d2ed6a5e5e66047583321e4535ba7b04849b74d702fd5fe8fb48986fb7674");
    expect(hex(k.s2c)).toBe("c3d81e2365835a5d257bbdd2e74d2e6cbace682882db30d327626c02344af3ce");
  });
});
