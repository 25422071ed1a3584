// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function chacha20poly1305Seal(_key: Bytes, _nonce: Bytes, _aad: Bytes, _plaintext: Bytes): Bytes { throw new Error("portable: chacha20poly1305Seal not implemented yet"); }
export function chacha20poly1305Open(_key: Bytes, _nonce: Bytes, _aad: Bytes, _sealed: Bytes): Bytes | undefined { throw new Error("portable: chacha20poly1305Open not implemented yet"); }
