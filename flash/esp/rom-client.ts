// A minimal ROM-loader client for `detect`: it only asks (SYNC, GET_SECURITY_INFO, READ_REG,
// the SPI RDID sequence), never resets, uploads or writes flash. Flashing goes through
// esptool-js (session.ts).
import type { SerialLink } from "../serial/link.js";
import {
  CHECKSUM_MAGIC, DIRECTION_REQUEST, DIRECTION_RESPONSE, EFUSE_MAC0_REG, EFUSE_MAC1_REG, Op, SECURITY_FLAG_SECURE_DOWNLOAD,
  SPI_CMD_REG, SPI_CMD_USR, SPI_REG_BASE, SPI_USR2_REG, SPI_W0_REG, SPIFLASH_RDID,
} from "./rom-protocol.js";
import { SlipDecoder, slipEncode } from "./slip.js";

const SPI_USR_REG = SPI_REG_BASE + 0x18;
const SPI_MISO_DLEN_REG = SPI_REG_BASE + 0x28;
const SPI_USR_COMMAND = 1 << 31;
const SPI_USR_MISO = 1 << 28;

interface Reply { op: number; value: number; data: Uint8Array }

export class RomClient {
  private replies: Reply[] = [];
  private readonly decoder: SlipDecoder;
  private unsubscribe: () => void;

  constructor(private readonly link: SerialLink) {
    this.decoder = new SlipDecoder((f) => {
      if (f.length >= 10 && f[0] === DIRECTION_RESPONSE) {
        this.replies.push({ op: f[1], value: new DataView(f.buffer, f.byteOffset).getUint32(4, true), data: f.subarray(8) });
      }
    });
    this.unsubscribe = link.onData((b) => this.decoder.push(b));
  }

  dispose(): void {
    this.unsubscribe();
  }

  async command(op: number, data: Uint8Array, timeoutMs = 300): Promise<Reply> {
    this.replies = [];
    const pkt = new Uint8Array(8 + data.length);
    const dv = new DataView(pkt.buffer);
    pkt[0] = DIRECTION_REQUEST;
    pkt[1] = op;
    dv.setUint16(2, data.length, true);
    dv.setUint32(4, CHECKSUM_MAGIC, true);
    pkt.set(data, 8);
    await this.link.write(slipEncode(pkt));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.replies.find((x) => x.op === op);
      if (r) {
        const status = r.data[r.data.length - 2];
        if (status !== 0) throw new Error(`command 0x${op.toString(16)} failed (status ${r.data[r.data.length - 1]})`);
        return r;
      }
      if (Date.now() >= deadline) throw new Error(`no reply to command 0x${op.toString(16)}`);
      await this.link.waitData(deadline);
      this.link.discard(); // the decoder already saw the bytes
    }
  }

  /** True when a ROM loader or stub answers SYNC. `stub` when it answers with value 0. */
  async sync(): Promise<{ stub: boolean } | null> {
    const body = new Uint8Array(36);
    body.set([0x07, 0x07, 0x12, 0x20]);
    body.fill(0x55, 4);
    try {
      const r = await this.command(Op.SYNC, body, 300);
      await new Promise((res) => setTimeout(res, 50)); // let the ROM's 7 other replies arrive, then drop them
      this.replies = [];
      return { stub: r.value === 0 };
    } catch {
      return null;
    }
  }

  async readReg(addr: number): Promise<number> {
    const d = new Uint8Array(4);
    new DataView(d.buffer).setUint32(0, addr, true);
    return (await this.command(Op.READ_REG, d)).value >>> 0;
  }

  async writeReg(addr: number, value: number): Promise<void> {
    const d = new Uint8Array(16);
    const dv = new DataView(d.buffer);
    dv.setUint32(0, addr, true);
    dv.setUint32(4, value >>> 0, true);
    dv.setUint32(8, 0xffffffff, true);
    await this.command(Op.WRITE_REG, d);
  }

  async securityInfo(): Promise<{ chipId: number; secureDownload: boolean }> {
    const r = await this.command(Op.GET_SECURITY_INFO, new Uint8Array(0));
    const dv = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    return { chipId: dv.getUint32(12, true), secureDownload: (dv.getUint32(0, true) & SECURITY_FLAG_SECURE_DOWNLOAD) !== 0 };
  }

  async mac(): Promise<string> {
    const m0 = await this.readReg(EFUSE_MAC0_REG);
    const m1 = await this.readReg(EFUSE_MAC1_REG);
    const b = [(m1 >>> 8) & 0xff, m1 & 0xff, m0 >>> 24, (m0 >>> 16) & 0xff, (m0 >>> 8) & 0xff, m0 & 0xff];
    return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
  }

  /** Flash size from the JEDEC id (RDID through the SPI0 user-command registers). */
  async flashSize(): Promise<number> {
    const oldUsr = await this.readReg(SPI_USR_REG);
    const oldUsr2 = await this.readReg(SPI_USR2_REG);
    await this.writeReg(SPI_MISO_DLEN_REG, 24 - 1);
    await this.writeReg(SPI_USR_REG, SPI_USR_COMMAND | SPI_USR_MISO);
    await this.writeReg(SPI_USR2_REG, (7 << 28) | SPIFLASH_RDID);
    await this.writeReg(SPI_W0_REG, 0);
    await this.writeReg(SPI_CMD_REG, SPI_CMD_USR);
    for (let i = 0; i < 10 && ((await this.readReg(SPI_CMD_REG)) & SPI_CMD_USR) !== 0; i++) { /* wait for the SPI engine */ }
    const id = await this.readReg(SPI_W0_REG);
    await this.writeReg(SPI_USR_REG, oldUsr);
    await this.writeReg(SPI_USR2_REG, oldUsr2);
    const capacity = (id >>> 16) & 0xff;
    return capacity >= 0x12 && capacity <= 0x1a ? 2 ** capacity : 0;
  }
}
