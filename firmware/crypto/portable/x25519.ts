// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function x25519(_scalar: Bytes, _u: Bytes): Bytes { throw new Error("portable: x25519 not implemented yet"); }
export function x25519PublicKey(_secretKey: Bytes): Bytes { throw new Error("portable: x25519PublicKey not implemented yet"); }
