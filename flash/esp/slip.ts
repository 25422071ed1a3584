// SLIP framing (RFC 1055) as the ESP serial bootloader uses it: every frame starts and ends
// with 0xC0; 0xC0 and 0xDB inside a frame are escaped.
import { SLIP_END, SLIP_ESC, SLIP_ESC_END, SLIP_ESC_ESC } from "./rom-protocol.js";

export function slipEncode(data: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of data) if (b === SLIP_END || b === SLIP_ESC) extra++;
  const out = new Uint8Array(data.length + extra + 2);
  let j = 0;
  out[j++] = SLIP_END;
  for (const b of data) {
    if (b === SLIP_END) { out[j++] = SLIP_ESC; out[j++] = SLIP_ESC_END; }
    else if (b === SLIP_ESC) { out[j++] = SLIP_ESC; out[j++] = SLIP_ESC_ESC; }
    else out[j++] = b;
  }
  out[j] = SLIP_END;
  return out;
}

/** Streaming decoder: bytes in, whole frames out. Bytes outside frames are reported as noise. */
export class SlipDecoder {
  private frame: number[] | null = null;
  private escaping = false;
  constructor(private readonly onFrame: (frame: Uint8Array) => void, private readonly onNoise?: (byte: number) => void) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (this.frame === null) {
        if (b === SLIP_END) this.frame = [];
        else this.onNoise?.(b);
        continue;
      }
      if (this.escaping) {
        this.escaping = false;
        if (b === SLIP_ESC_END) this.frame.push(SLIP_END);
        else if (b === SLIP_ESC_ESC) this.frame.push(SLIP_ESC);
        else { this.frame = null; } // invalid escape: drop the frame
        continue;
      }
      if (b === SLIP_ESC) this.escaping = true;
      else if (b === SLIP_END) {
        // Back-to-back END bytes: the second one starts a new frame rather than ending an empty one.
        if (this.frame.length === 0) continue;
        const done = Uint8Array.from(this.frame);
        this.frame = null;
        this.onFrame(done);
      } else this.frame.push(b);
    }
  }

  reset(): void {
    this.frame = null;
    this.escaping = false;
  }
}
