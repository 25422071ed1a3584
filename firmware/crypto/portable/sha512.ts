// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function sha512(_msg: Bytes): Bytes { throw new Error("portable: sha512 not implemented yet"); }
