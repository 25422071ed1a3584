// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function sha3_256(_msg: Bytes): Bytes { throw new Error("portable: sha3_256 not implemented yet"); }
export function sha3_512(_msg: Bytes): Bytes { throw new Error("portable: sha3_512 not implemented yet"); }
export function shake128(_msg: Bytes, _outLen: number): Bytes { throw new Error("portable: shake128 not implemented yet"); }
export function shake256(_msg: Bytes, _outLen: number): Bytes { throw new Error("portable: shake256 not implemented yet"); }
