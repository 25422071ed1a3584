// ESP32-S3 serial bootloader protocol vocabulary (ROM and flasher stub), defined once for the
// emulator and the host side. Values follow Espressif's "Serial Protocol" documentation.

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

export const DIRECTION_REQUEST = 0x00;
export const DIRECTION_RESPONSE = 0x01;

export const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
  // Flasher stub only.
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
  RUN_USER_CODE: 0xd3,
} as const;

/** ROM error codes (second status byte when the first is 1). */
export const RomError = {
  INVALID_MESSAGE: 0x05,
  FAILED_TO_ACT: 0x06,
  INVALID_CRC: 0x07,
  FLASH_WRITE_ERROR: 0x08,
  FLASH_READ_ERROR: 0x09,
  FLASH_READ_LENGTH_ERROR: 0x0a,
  DEFLATE_ERROR: 0x0b,
} as const;

/** Flasher stub error codes. */
export const StubError = {
  BAD_DATA_LEN: 0xc0,
  BAD_DATA_CHECKSUM: 0xc1,
  BAD_BLOCKSIZE: 0xc2,
  INVALID_COMMAND: 0xc3,
  FAILED_SPI_OP: 0xc4,
  NOT_IN_FLASH_MODE: 0xc6,
  INFLATE_ERROR: 0xc7,
  NOT_ENOUGH_DATA: 0xc8,
  TOO_MUCH_DATA: 0xc9,
  CMD_NOT_IMPLEMENTED: 0xff,
} as const;

/** The ROM loader's UART rate after reset (the stub can be asked to change it). */
export const ROM_BAUD = 115200;

/** Seed of the XOR checksum over the payload of *_DATA requests. */
export const CHECKSUM_MAGIC = 0xef;
/** What the stub sends once it runs. */
export const STUB_HELLO = "OHAI";

export const CHIP_ID_ESP32S3 = 9;
export const CHIP_NAME_ESP32S3 = "ESP32-S3";
/** Value of the chip-detect magic register on an ESP32-S3. */
export const CHIP_MAGIC_ESP32S3 = 0x00000009;
export const CHIP_DETECT_MAGIC_REG = 0x40001000;

/** GET_SECURITY_INFO flag bits used here. */
export const SECURITY_FLAG_SECURE_DOWNLOAD = 1 << 2;

// ESP32-S3 registers read by flashing tools.
export const EFUSE_BASE = 0x60007000;
export const EFUSE_MAC0_REG = EFUSE_BASE + 0x044;
export const EFUSE_MAC1_REG = EFUSE_BASE + 0x048;
export const EFUSE_BLOCK1_WORD3 = EFUSE_BASE + 0x044 + 12;
export const UARTDEV_BUF_NO = 0x3fcef14c;
export const UARTDEV_BUF_NO_USB_JTAG = 3;
export const SPI_REG_BASE = 0x60002000;
export const SPI_CMD_REG = SPI_REG_BASE + 0x00;
export const SPI_USR2_REG = SPI_REG_BASE + 0x20;
export const SPI_W0_REG = SPI_REG_BASE + 0x58;
export const SPI_CMD_USR = 1 << 18;
export const SPIFLASH_RDID = 0x9f;

// Flash layout and image format.
export const FLASH_SECTOR_SIZE = 0x1000;
export const BOOTLOADER_OFFSET = 0x0;
export const PARTITION_TABLE_OFFSET = 0x8000;
export const APP_OFFSET = 0x10000;
export const IMAGE_MAGIC = 0xe9;
export const APP_DESC_MAGIC = 0xabcd5432;
export const PARTITION_MAGIC = 0x50aa; // bytes AA 50, little-endian u16

/** JEDEC capacity byte for a flash size in bytes (2^n). */
export function flashSizeId(bytes: number): number {
  return Math.round(Math.log2(bytes));
}
