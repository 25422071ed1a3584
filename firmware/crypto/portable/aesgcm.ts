// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function aes256gcmSeal(_key: Bytes, _iv: Bytes, _aad: Bytes, _plaintext: Bytes): Bytes { throw new Error("portable: aes256gcmSeal not implemented yet"); }
export function aes256gcmOpen(_key: Bytes, _iv: Bytes, _aad: Bytes, _sealed: Bytes): Bytes | undefined { throw new Error("portable: aes256gcmOpen not implemented yet"); }
