// Fault hooks of the board emulator (mostly of its ROM bootloader). Tests set them on a live board; each counter is
// consumed as the fault fires, so a test states exactly how often the fault happens.

export interface RomFaults {
  /** The next N *_DATA requests arrive with one payload byte flipped (their checksum then fails). */
  corruptDataPackets?: number;
  /** Only corrupt requests with this op (default: any *_DATA op). */
  corruptDataOp?: number;
  /** The next N replies (to `dropReplyOp`, or to any op) are not sent. */
  dropReplies?: number;
  dropReplyOp?: number;
  /** The next N replies are sent twice. */
  duplicateReplies?: number;
  /** Erasing takes this long per 4 KiB sector (real chips: ~30-50 ms). */
  eraseMsPerSector?: number;
  /** After this many more flash data packets the USB device vanishes (cable pulled, board reset). */
  disconnectAfterDataPackets?: number;
  /** Answer as an ESP32-C3 (chip id 5) instead of an ESP32-S3. */
  wrongChip?: boolean;
  /** Interpreter console (app mode): the next N host writes longer than 64 bytes get one byte flipped. */
  corruptAppWrites?: number;
  /** ...after letting this many host writes through untouched. */
  corruptAppWritesAfter?: number;
  /** Interpreter console (app mode): the board is unplugged after this many more host writes. */
  disconnectAfterAppWrites?: number;
  /** Secure download mode: no register reads, no RAM loading (so no stub), no MD5. */
  secureDownload?: boolean;
}

/** Chip id and magic the `wrongChip` fault reports (ESP32-C3). */
export const WRONG_CHIP_ID = 5;
export const WRONG_CHIP_MAGIC = 0x1b31506f;
