// The provisioning hook and the configuration file the flashing tools write.
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DeviceHal } from "./device-hal";
import { MemoryFs } from "../storage/memory-fs";
import { getProvider } from "../crypto/node/providers";
import { CONFIG_FILE, parseConfig } from "./config-file";
import { IDENTITY_FILE, KEY_FILE, provisionIdentity, provisionIdentityJson, startFirmware, wifiFromConfig } from "./app-boot";

const cfgText = JSON.stringify({ name: "kitchen", relay: "grp://KEY@relay.example:5224", invitation: "tsense:1:AAAA", interval: 30, wifi: { ssid: "home", password: 'p"w\\d' } });

function hal(): DeviceHal {
  const flash = new MemoryFs();
  return { flash, sd: new MemoryFs(), random: (n: number) => new Uint8Array(randomBytes(n)) } as unknown as DeviceHal;
}

describe("provisioning", () => {
  it("reads tsense.cfg, including escapes and the nested wifi object", () => {
    const c = parseConfig(new TextEncoder().encode(cfgText));
    expect(c).toMatchObject({ name: "kitchen", relay: "grp://KEY@relay.example:5224", invitation: "tsense:1:AAAA", intervalS: 30, wifiSsid: "home", wifiPassword: 'p"w\\d' });
    expect(() => parseConfig(new TextEncoder().encode('{"name":"x"}'))).toThrow(/name, relay and invitation are required/);
    expect(() => parseConfig(new TextEncoder().encode('{"name":"x",'))).toThrow(/tsense.cfg/);
  });

  it("makes the identity on the device and returns only the public key and the config hash", () => {
    const h = hal();
    expect(() => provisionIdentity(h)).toThrow(/no tsense.cfg/);
    h.flash.write(CONFIG_FILE, new TextEncoder().encode(cfgText));
    const r = provisionIdentity(h);
    expect(r.configHash).toBe(createHash("sha256").update(cfgText).digest("hex"));
    const seed = h.flash.read(KEY_FILE)!;
    expect(seed.length).toBe(32);
    expect(r.identity).toBe(Buffer.from(getProvider("noble").ed25519PublicKey(seed) as Uint8Array).toString("hex"));
    expect(new TextDecoder().decode(h.flash.read(IDENTITY_FILE) as Uint8Array)).toBe(r.identity);
    expect(JSON.parse(provisionIdentityJson(h))).toMatchObject({ configHash: r.configHash });
  });

  it("gives the boot code the Wi-Fi credentials, or none when the file is missing or bad", () => {
    expect(wifiFromConfig(new TextEncoder().encode(cfgText))).toEqual({ ssid: "home", password: 'p"w\\d' });
    expect(wifiFromConfig(undefined)).toEqual({ ssid: "", password: "" });
    expect(wifiFromConfig(new TextEncoder().encode("{broken"))).toEqual({ ssid: "", password: "" });
  });

  it("reports an unprovisioned device instead of starting", () => {
    const lines: string[] = [];
    expect(startFirmware(hal(), [], (l) => lines.push(l))).toBeUndefined();
    expect(lines[0]).toMatch(/^TSENSE UNPROVISIONED /);
  });
});
