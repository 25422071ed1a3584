/** Cuts a byte stream into fixed-size blocks (Node Buffers, no per-byte copies). */
export class BlockStream {
  private chunks: Buffer[] = [];
  private buffered = 0;
  constructor(private readonly blockSize: number) {}

  /** Adds received bytes; returns the complete blocks now available. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    if (this.buffered < this.blockSize) return out;
    let all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    let off = 0;
    while (all.length - off >= this.blockSize) {
      out.push(all.subarray(off, off + this.blockSize));
      off += this.blockSize;
    }
    all = all.subarray(off);
    this.chunks = all.length > 0 ? [all] : [];
    this.buffered = all.length;
    return out;
  }

  get pending(): number {
    return this.buffered;
  }
}
