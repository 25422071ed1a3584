// The handful of ESP32-S3 registers that flashing tools read or poke: chip magic, eFuse words
// (MAC, package, revision), the UART-device number, and the SPI0 user-command engine that
// answers the flash RDID command (manufacturer, type, capacity).
import {
  CHIP_DETECT_MAGIC_REG, CHIP_MAGIC_ESP32S3, EFUSE_BLOCK1_WORD3, EFUSE_MAC0_REG, EFUSE_MAC1_REG, SPI_CMD_REG,
  SPI_CMD_USR, SPI_USR2_REG, SPI_W0_REG, SPIFLASH_RDID, UARTDEV_BUF_NO, UARTDEV_BUF_NO_USB_JTAG, flashSizeId,
} from "../../esp/rom-protocol.js";
import { WRONG_CHIP_MAGIC } from "./faults.js";

/** JEDEC manufacturer id of GigaDevice and its quad-SPI NOR type byte. */
const FLASH_VENDOR_GD = 0xc8;
const FLASH_TYPE_QSPI = 0x40;
/** Chip revision v0.2 in eFuse block 1 word 3 (minor revision low bits at 18..20). */
const MINOR_REVISION_2 = 2 << 18;

export interface RegisterContext {
  mac: Uint8Array;
  flashSize: number;
  usbJtag: boolean;
  wrongChip: boolean;
}

export class Registers {
  private readonly words = new Map<number, number>();
  constructor(private readonly ctx: RegisterContext) {}

  read(addr: number): number {
    const mac = this.ctx.mac;
    switch (addr >>> 0) {
      case CHIP_DETECT_MAGIC_REG: return this.ctx.wrongChip ? WRONG_CHIP_MAGIC : CHIP_MAGIC_ESP32S3;
      case EFUSE_MAC0_REG: return ((mac[2] << 24) | (mac[3] << 16) | (mac[4] << 8) | mac[5]) >>> 0;
      case EFUSE_MAC1_REG: return ((mac[0] << 8) | mac[1]) >>> 0;
      case EFUSE_BLOCK1_WORD3: return MINOR_REVISION_2;
      case UARTDEV_BUF_NO: return this.ctx.usbJtag ? UARTDEV_BUF_NO_USB_JTAG : 0;
      default: return this.words.get(addr >>> 0) ?? 0;
    }
  }

  write(addr: number, value: number, mask: number): void {
    const a = addr >>> 0;
    const old = this.words.get(a) ?? 0;
    this.words.set(a, ((old & ~mask) | (value & mask)) >>> 0);
    if (a === SPI_CMD_REG && (value & SPI_CMD_USR) !== 0) this.runSpiUserCommand();
  }

  /** The SPI engine finishes at once: run the command in USR2's low byte, clear the USR bit. */
  private runSpiUserCommand(): void {
    const command = (this.words.get(SPI_USR2_REG) ?? 0) & 0xff;
    if (command === SPIFLASH_RDID) {
      const id = FLASH_VENDOR_GD | (FLASH_TYPE_QSPI << 8) | (flashSizeId(this.ctx.flashSize) << 16);
      this.words.set(SPI_W0_REG, id >>> 0);
    } else {
      this.words.set(SPI_W0_REG, 0); // status registers read as 0: not busy, not protected
    }
    this.words.set(SPI_CMD_REG, (this.words.get(SPI_CMD_REG) ?? 0) & ~SPI_CMD_USR);
  }
}
