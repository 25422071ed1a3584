/**
 * GRP/1 protocol constants (docs/grp.md). Each is defined here once; the spec section
 * that fixes it is named next to it.
 */
import { SMP_BLOCK_SIZE } from "../smp/block";
import { TAG_LEN } from "./noise/cipher-state";

/** §2 The version byte, first byte a client sends. */
export const GRP_VERSION = 1;
/** §3 Noise prologue (ASCII). */
export const GRP_PROLOGUE = "GRP/1";
/** §2 Pattern byte, second byte a client sends. */
export const GRP_PATTERN_IK = 1;
export const GRP_PATTERN_XX = 2;
/** §3 The Noise hash function (DH 25519 and cipher ChaChaPoly are fixed). */
export const GRP_NOISE_HASH = "BLAKE2s";
/** §2 Connection header: version byte ‖ pattern byte. */
export const GRP_HEADER_SIZE = 2;
/** §2 Every frame: Word16 big-endian length ‖ body. */
export const FRAME_LENGTH_SIZE = 2;
/** §4 Every handshake message (a frame body) is exactly this long. */
export const HANDSHAKE_MESSAGE_SIZE = 1400;
/** §7 One block inside every transport frame, as in SMP. */
export const GRP_BLOCK_SIZE = SMP_BLOCK_SIZE;
/** §7 A transport frame body: the encrypted block and its Poly1305 tag. */
export const TRANSPORT_FRAME_SIZE = GRP_BLOCK_SIZE + TAG_LEN;
/** §7 Each direction's key is replaced by Noise Rekey() after every this many frames (a power of two). */
export const REKEY_INTERVAL = 1024;
/** §8 Default handshake timeout, from TCP connect (client) or accept (relay) to an open session. */
export const HANDSHAKE_TIMEOUT_MS = 10000;
/** §8 How long a relay remembers client ephemeral keys to refuse replayed first messages. */
export const REPLAY_WINDOW_MS = 600000;

/** §5 ML-KEM-768 sizes (FIPS 203). */
export const MLKEM768_ENCAPSULATION_KEY_SIZE = 1184;
export const MLKEM768_CIPHERTEXT_SIZE = 1088;
export const MLKEM768_SHARED_SECRET_SIZE = 32;
/** §5 A KEM key id is SHA-256 of the encapsulation key. */
export const KEM_KEY_ID_SIZE = 32;

/** §6 HKDF-SHA256 info strings of the two transport keys. */
export const INFO_C2S = "GRP/1 c2s";
export const INFO_S2C = "GRP/1 s2c";
export const TRANSPORT_KEY_SIZE = 32;

/** §4 Status byte of the relay's handshake message. */
export const STATUS_OK = 0;
export const STATUS_UNKNOWN_KEM_KEY = 1;
export const STATUS_NO_COMMON_VERSION = 2;
