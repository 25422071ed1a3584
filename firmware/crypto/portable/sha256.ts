// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function sha256(_msg: Bytes): Bytes { throw new Error("portable: sha256 not implemented yet"); }
