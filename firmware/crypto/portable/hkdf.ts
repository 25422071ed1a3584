// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function hkdfSha256(_ikm: Bytes, _salt: Bytes, _info: Bytes, _length: number): Bytes { throw new Error("portable: hkdfSha256 not implemented yet"); }
export function hkdfSha512(_ikm: Bytes, _salt: Bytes, _info: Bytes, _length: number): Bytes { throw new Error("portable: hkdfSha512 not implemented yet"); }
