/** ML-KEM-768 parameters (FIPS 203 §8, Table 2) and the byte sizes they imply. */

/** The prime modulus q. */
export const Q = 3329;
/** Coefficients per polynomial. */
export const N = 256;
/** Module rank k. */
export const K = 3;
/** CBD parameters η1 = η2 = 2 for ML-KEM-768. */
export const ETA1 = 2;
export const ETA2 = 2;
/** Ciphertext compression bits. */
export const DU = 10;
export const DV = 4;

/** One ByteEncode_12 polynomial. */
export const POLY_BYTES = 384;
/** Encapsulation key ek: ByteEncode_12(t̂) ‖ ρ. */
export const EK_BYTES = POLY_BYTES * K + 32;
/** Decapsulation key dk: dk_PKE ‖ ek ‖ H(ek) ‖ z. */
export const DK_BYTES = 2 * POLY_BYTES * K + 96;
/** Ciphertext c = c1 ‖ c2. */
export const CT_BYTES = 32 * (DU * K + DV);
/** Seeds, messages and shared secrets. */
export const SYM_BYTES = 32;
