// The device provider is the portable provider minus DEVICE_OMITTED: every other method is
// the very same function, and each omitted one fails with a message naming it.
import { describe, expect, it } from "vitest";
import { createPortableProvider } from "./provider";
import { DEVICE_OMITTED, createDeviceProvider } from "./device-provider";
import type { CryptoProvider } from "../provider";

const random = (n: number) => new Uint8Array(n);

describe("device provider", () => {
  const portable = createPortableProvider(random) as unknown as Record<string, unknown>;
  const device = createDeviceProvider(random) as unknown as Record<string, unknown>;

  it("shares every primitive the device calls with the portable provider", () => {
    expect(Object.keys(device).sort()).toEqual(Object.keys(portable).sort());
    for (const k of Object.keys(portable)) {
      if (k === "name" || DEVICE_OMITTED.includes(k)) continue;
      expect(device[k], k).toBe(portable[k]);
    }
  });

  it("the left-out primitives throw a clear error", () => {
    const d = createDeviceProvider(random) as CryptoProvider;
    const b = new Uint8Array(32);
    expect(() => d.x448(b, b)).toThrow(/^x448 is not in the device build/);
    expect(() => d.x448PublicKey(b)).toThrow(/^x448PublicKey is not in the device build/);
    expect(() => d.ed448Verify(b, b, b)).toThrow(/^ed448Verify is not in the device build/);
    expect(() => d.ed25519Verify(b, b, b)).toThrow(/^ed25519Verify is not in the device build/);
    expect(DEVICE_OMITTED).toHaveLength(4);
  });
});
