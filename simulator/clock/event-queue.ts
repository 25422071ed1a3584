/**
 * A binary min-heap of timed events keyed by (time, insertion order). Equal times pop in
 * the order they were pushed, so one seed always gives one order. Cancelled entries stay in
 * the heap and are skipped when they surface (cheaper than a keyed delete for a fleet whose
 * timers are mostly cancelled and re-armed).
 */

export interface QueueEntry<T> {
  readonly time: number;
  readonly seq: number;
  readonly value: T;
  cancelled: boolean;
}

export class EventQueue<T> {
  private heap: QueueEntry<T>[] = [];
  private nextSeq = 0;
  private live = 0;

  /** Live (not cancelled) entries. */
  get size(): number {
    return this.live;
  }

  push(time: number, value: T): QueueEntry<T> {
    if (!Number.isFinite(time)) throw new Error(`event queue: time must be finite, got ${time}`);
    const entry: QueueEntry<T> = { time, seq: this.nextSeq++, value, cancelled: false };
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!before(entry, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = entry;
    this.live++;
    return entry;
  }

  cancel(entry: QueueEntry<T>): boolean {
    if (entry.cancelled) return false;
    entry.cancelled = true;
    this.live--;
    // Keep dead weight bounded when most entries get cancelled.
    if (this.heap.length > 64 && this.live < this.heap.length / 4) this.compact();
    return true;
  }

  /** The earliest live entry without removing it. */
  peek(): QueueEntry<T> | undefined {
    this.dropCancelledTop();
    return this.heap[0];
  }

  pop(): QueueEntry<T> | undefined {
    this.dropCancelledTop();
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.removeTop();
    this.live--;
    // A popped entry can no longer be cancelled.
    top.cancelled = true;
    return top;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.removeTop();
  }

  private removeTop(): void {
    const h = this.heap;
    const last = h.pop() as QueueEntry<T>;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r], h[l]) ? r : l;
      if (!before(h[c], last)) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }

  private compact(): void {
    const liveEntries = this.heap.filter((e) => !e.cancelled);
    liveEntries.sort((a, b) => (before(a, b) ? -1 : 1));
    // A sorted array is a valid heap.
    this.heap = liveEntries;
  }
}

function before<T>(a: QueueEntry<T>, b: QueueEntry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
