/** Crypto providers by name, for the Node side (relay, simulator, benchmarks, runners). */
import { randomBytes } from "node:crypto";
import type { CryptoProvider } from "../provider";
import { createPortableProvider } from "../portable/provider";
import { nobleProvider } from "./noble";
import { nativeProvider } from "./native";

export const PROVIDER_NAMES = ["portable", "noble", "native"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

let portable: CryptoProvider | undefined;

export function getProvider(name: string): CryptoProvider {
  switch (name) {
    case "portable":
      portable ??= createPortableProvider((n) => new Uint8Array(randomBytes(n)));
      return portable;
    case "noble":
      return nobleProvider;
    case "native":
      return nativeProvider;
    default:
      throw new Error(`unknown crypto provider '${name}' (choose one of: ${PROVIDER_NAMES.join(", ")})`);
  }
}
