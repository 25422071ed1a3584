/**
 * Bytes received from a stream, in arrival order, without copying every chunk into one
 * growing buffer: frames are read once whole.
 */
import { Bytes, alloc, copyInto, view } from "../../port/bytes";

/** Takes this long or longer that lie in one chunk are views (transport frames; handshake messages are shorter). */
const VIEW_MIN = 4096;

export class ByteQueue {
  private chunks: Bytes[];
  private head: number;
  private offset: number;
  private size: number;

  constructor() {
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.size = 0;
  }

  push(data: Bytes): void {
    if (data.length > 0) {
      this.chunks.push(data);
      this.size += data.length;
    }
  }

  available(): number {
    return this.size;
  }

  /** The byte at position i (0 = the next one to be taken); i < available(). */
  peek(i: number): number {
    let c = this.head;
    let at = this.offset + i;
    while (at >= this.chunks[c].length) {
      at -= this.chunks[c].length;
      c++;
    }
    return this.chunks[c][at];
  }

  /**
   * Removes and returns the next n bytes; n <= available(). A long run that lies in one
   * chunk comes back as a view into it, not a copy (a transport frame is decrypted at once,
   * and the copy was a 16 KiB buffer per frame); see VIEW_MIN.
   */
  take(n: number): Bytes {
    if (n > this.size) {
      throw new Error("byte queue: take " + n + " of " + this.size);
    }
    const head = this.chunks[this.head];
    if (n >= VIEW_MIN && head.length - this.offset >= n) {
      const v = view(head, this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === head.length) {
        this.head++;
        this.offset = 0;
      }
      this.consumed(n);
      return v;
    }
    const out = alloc(n);
    let got = 0;
    while (got < n) {
      const chunk = this.chunks[this.head];
      const k = chunk.length - this.offset < n - got ? chunk.length - this.offset : n - got;
      copyInto(out, got, chunk, this.offset, k);
      got += k;
      this.offset += k;
      if (this.offset === chunk.length) {
        this.head++;
        this.offset = 0;
      }
    }
    this.consumed(n);
    return out;
  }

  private consumed(n: number): void {
    this.size -= n;
    // Let go of consumed chunks at once: each can be a 16 KiB socket read, and a fleet of
    // sessions that kept 16 of them each held ~20 blocks per device alive.
    if (this.size === 0) {
      this.chunks = [];
      this.head = 0;
      this.offset = 0;
    } else if (this.head > 0) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
