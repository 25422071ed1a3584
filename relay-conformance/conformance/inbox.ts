/** A conformance connection's receive side: items in order, waiting for the next one or for the close. */
export class Inbox<T> {
  private items: T[] = [];
  private waiters: ((b: T | undefined) => void)[] = [];
  private closeWaiters: (() => void)[] = [];
  closed = false;
  push(b: T): void {
    const w = this.waiters.shift();
    if (w) w(b);
    else this.items.push(b);
  }
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
    for (const w of this.closeWaiters.splice(0)) w();
  }
  next(timeoutMs: number): Promise<T | undefined> {
    const b = this.items.shift();
    if (b !== undefined || this.closed) return Promise.resolve(b);
    return new Promise((resolve) => {
      const done = (x: T | undefined) => {
        clearTimeout(t);
        resolve(x);
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(done);
    });
  }
  waitClosed(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}
