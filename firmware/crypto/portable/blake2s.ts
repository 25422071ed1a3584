// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function blake2s(_msg: Bytes, _outLen: number, _key: Bytes): Bytes { throw new Error("portable: blake2s not implemented yet"); }
