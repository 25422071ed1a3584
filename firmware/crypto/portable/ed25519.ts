// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function ed25519PublicKey(_seed: Bytes): Bytes { throw new Error("portable: ed25519PublicKey not implemented yet"); }
export function ed25519Sign(_seed: Bytes, _msg: Bytes): Bytes { throw new Error("portable: ed25519Sign not implemented yet"); }
export function ed25519Verify(_publicKey: Bytes, _msg: Bytes, _sig: Bytes): boolean { throw new Error("portable: ed25519Verify not implemented yet"); }
