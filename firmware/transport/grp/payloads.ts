/**
 * Handshake payloads (docs/grp.md §4): the fields GRP carries inside the Noise
 * messages, zero-padded so that every handshake message is HANDSHAKE_MESSAGE_SIZE
 * bytes. Integers are big-endian. Receivers ignore the padding's content.
 *
 *   client hello   (IK 1: smpMin u16 ‖ smpMax u16 ‖ kemKeyId 32 ‖ kemCiphertext 1088)
 *                  (XX 1: smpMin u16 ‖ smpMax u16)
 *   relay hello    (IK 2, XX 2: status u8 ‖ smpVersion u16 ‖ kemKeyId 32 ‖ encapsulationKey 1184)
 *   client KEM     (XX 3: kemKeyId 32 ‖ kemCiphertext 1088)
 */
import { Bytes, alloc, copyInto, slice } from "../../port/bytes";
import { load16be, store16be } from "../../port/u32";
import { KEM_KEY_ID_SIZE, MLKEM768_CIPHERTEXT_SIZE, MLKEM768_ENCAPSULATION_KEY_SIZE } from "./constants";

export interface ClientHello {
  smpMin: number;
  smpMax: number;
  /** Present in IK only. */
  kem: KemCiphertext | undefined;
}

export interface KemCiphertext {
  keyId: Bytes;
  ciphertext: Bytes;
}

export interface RelayHello {
  status: number;
  smpVersion: number;
  keyId: Bytes;
  encapsulationKey: Bytes;
}

const VERSIONS_SIZE = 4;
const KEM_CT_FIELDS_SIZE = KEM_KEY_ID_SIZE + MLKEM768_CIPHERTEXT_SIZE;
const RELAY_HELLO_SIZE = 3 + KEM_KEY_ID_SIZE + MLKEM768_ENCAPSULATION_KEY_SIZE;

function padded(size: number, need: number): Bytes {
  if (size < need) {
    throw new Error("grp: payload of " + need + " bytes does not fit in " + size);
  }
  return alloc(size);
}

function checkSize(p: Bytes, need: number, what: string): void {
  if (p.length < need) {
    throw new Error("grp: " + what + " payload too short (" + p.length + " < " + need + ")");
  }
}

function checkKem(k: KemCiphertext): void {
  if (k.keyId.length !== KEM_KEY_ID_SIZE || k.ciphertext.length !== MLKEM768_CIPHERTEXT_SIZE) {
    throw new Error("grp: KEM key id must be 32 bytes and ciphertext 1088");
  }
}

function decodeKemCiphertextAt(p: Bytes, off: number): KemCiphertext {
  return {
    keyId: slice(p, off, off + KEM_KEY_ID_SIZE),
    ciphertext: slice(p, off + KEM_KEY_ID_SIZE, off + KEM_CT_FIELDS_SIZE),
  };
}

export function encodeClientHello(h: ClientHello, size: number): Bytes {
  const out = padded(size, VERSIONS_SIZE + (h.kem === undefined ? 0 : KEM_CT_FIELDS_SIZE));
  store16be(out, 0, h.smpMin);
  store16be(out, 2, h.smpMax);
  if (h.kem !== undefined) {
    checkKem(h.kem);
    copyInto(out, VERSIONS_SIZE, h.kem.keyId, 0, KEM_KEY_ID_SIZE);
    copyInto(out, VERSIONS_SIZE + KEM_KEY_ID_SIZE, h.kem.ciphertext, 0, MLKEM768_CIPHERTEXT_SIZE);
  }
  return out;
}

export function decodeClientHello(p: Bytes, withKem: boolean): ClientHello {
  checkSize(p, VERSIONS_SIZE + (withKem ? KEM_CT_FIELDS_SIZE : 0), "client hello");
  return {
    smpMin: load16be(p, 0),
    smpMax: load16be(p, 2),
    kem: withKem ? decodeKemCiphertextAt(p, VERSIONS_SIZE) : undefined,
  };
}

export function encodeKemCiphertext(k: KemCiphertext, size: number): Bytes {
  checkKem(k);
  const out = padded(size, KEM_CT_FIELDS_SIZE);
  copyInto(out, 0, k.keyId, 0, KEM_KEY_ID_SIZE);
  copyInto(out, KEM_KEY_ID_SIZE, k.ciphertext, 0, MLKEM768_CIPHERTEXT_SIZE);
  return out;
}

export function decodeKemCiphertext(p: Bytes): KemCiphertext {
  checkSize(p, KEM_CT_FIELDS_SIZE, "client KEM");
  return decodeKemCiphertextAt(p, 0);
}

export function encodeRelayHello(h: RelayHello, size: number): Bytes {
  if (h.keyId.length !== KEM_KEY_ID_SIZE || h.encapsulationKey.length !== MLKEM768_ENCAPSULATION_KEY_SIZE) {
    throw new Error("grp: KEM key id must be 32 bytes and encapsulation key 1184");
  }
  const out = padded(size, RELAY_HELLO_SIZE);
  out[0] = h.status & 0xff;
  store16be(out, 1, h.smpVersion);
  copyInto(out, 3, h.keyId, 0, KEM_KEY_ID_SIZE);
  copyInto(out, 3 + KEM_KEY_ID_SIZE, h.encapsulationKey, 0, MLKEM768_ENCAPSULATION_KEY_SIZE);
  return out;
}

export function decodeRelayHello(p: Bytes): RelayHello {
  checkSize(p, RELAY_HELLO_SIZE, "relay hello");
  return {
    status: p[0],
    smpVersion: load16be(p, 1),
    keyId: slice(p, 3, 3 + KEM_KEY_ID_SIZE),
    encapsulationKey: slice(p, 3 + KEM_KEY_ID_SIZE, RELAY_HELLO_SIZE),
  };
}
