// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function secretboxSeal(_key: Bytes, _nonce: Bytes, _plaintext: Bytes): Bytes { throw new Error("portable: secretboxSeal not implemented yet"); }
export function secretboxOpen(_key: Bytes, _nonce: Bytes, _boxed: Bytes): Bytes | undefined { throw new Error("portable: secretboxOpen not implemented yet"); }
