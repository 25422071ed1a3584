// Placeholder until the portable implementation lands; every call fails loudly.
import { Bytes } from "../../port/bytes";
import { KemEncapsulation, KemKeyPair } from "../provider";
export function mlkem768Keygen(_seed: Bytes): KemKeyPair { throw new Error("portable: mlkem768Keygen not implemented yet"); }
export function mlkem768Encapsulate(_publicKey: Bytes, _m: Bytes): KemEncapsulation { throw new Error("portable: mlkem768Encapsulate not implemented yet"); }
export function mlkem768Decapsulate(_secretKey: Bytes, _ciphertext: Bytes): Bytes { throw new Error("portable: mlkem768Decapsulate not implemented yet"); }
