// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
export function hsalsa20(_key: Bytes, _input: Bytes): Bytes { throw new Error("portable: hsalsa20 not implemented yet"); }
