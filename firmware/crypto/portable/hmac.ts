// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function hmacSha256(_key: Bytes, _msg: Bytes): Bytes { throw new Error("portable: hmacSha256 not implemented yet"); }
export function hmacSha512(_key: Bytes, _msg: Bytes): Bytes { throw new Error("portable: hmacSha512 not implemented yet"); }
