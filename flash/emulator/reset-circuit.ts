// How DTR/RTS reach the chip's EN (reset) and IO0 (boot strap) pins.
//
// classic: the two-transistor auto-program circuit of dev boards with a USB-UART bridge:
//   EN is low while RTS && !DTR, IO0 is low while DTR && !RTS. The chip samples IO0 when EN
//   rises, so "download mode" needs IO0 low at the moment EN is released.
// usb-jtag: the S3's own USB-Serial/JTAG peripheral. (DTR=1, RTS=0) latches a download
//   request, (DTR=0, RTS=1) holds the chip in reset, and on release the latch decides the boot
//   mode and is cleared. Going through (1,1) instead of (0,0) is harmless in both circuits.

export type ResetCircuitKind = "classic" | "usb-jtag";

export interface ResetEvents {
  /** EN went low: the chip stops. */
  hold(): void;
  /** EN went high: the chip boots, into the ROM loader if `download`. */
  release(download: boolean): void;
}

export class ResetCircuit {
  private dtr = false;
  private rts = false;
  private inReset = false;
  private downloadLatch = false;

  constructor(readonly kind: ResetCircuitKind, private readonly events: ResetEvents) {}

  set(dtr: boolean, rts: boolean): void {
    this.dtr = dtr;
    this.rts = rts;
    const enLow = rts && !dtr;
    if (this.kind === "usb-jtag" && dtr && !rts) this.downloadLatch = true;
    if (enLow && !this.inReset) {
      this.inReset = true;
      this.events.hold();
    } else if (!enLow && this.inReset) {
      this.inReset = false;
      let download: boolean;
      if (this.kind === "classic") download = dtr && !rts;
      else { download = this.downloadLatch; this.downloadLatch = false; }
      this.events.release(download);
    }
  }

  lines(): { dtr: boolean; rts: boolean } {
    return { dtr: this.dtr, rts: this.rts };
  }
}
