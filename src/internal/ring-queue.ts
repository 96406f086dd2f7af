/**
 * A growable ring buffer used as a FIFO queue: O(1) push and shift with no
 * `Array.prototype.shift()` (which is O(n) on large arrays) and no node per item.
 */
export class RingQueue<T> {
  private _buf: (T | undefined)[];
  private _mask: number;
  private _head = 0;
  /**
   * How many items it holds. A field, read-only by convention, not a getter:
   * queues and the loop read it on every operation, and until V8 has
   * optimized the caller a getter is a call each time (a cold run of a
   * million-item queue spends most of its time before that).
   */
  length = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap <<= 1;
    this._buf = new Array<T | undefined>(cap);
    this._mask = cap - 1;
  }

  push(item: T): void {
    if (this.length > this._mask) this._grow();
    this._buf[(this._head + this.length) & this._mask] = item;
    this.length++;
  }

  /** Removes and returns the oldest item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const i = this._head;
    const item = this._buf[i];
    this._buf[i] = undefined; // let the item be collected
    this._head = (i + 1) & this._mask;
    this.length--;
    return item;
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this._buf[this._head];
  }

  clear(): void {
    this._buf = new Array<T | undefined>(16);
    this._mask = 15;
    this._head = 0;
    this.length = 0;
  }

  /** Items oldest first (a copy; for inspection, not for hot paths). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(this._buf[(this._head + i) & this._mask] as T);
    return out;
  }

  private _grow(): void {
    const old = this._buf;
    const cap = old.length;
    const next = new Array<T | undefined>(cap * 2);
    for (let i = 0; i < this.length; i++) next[i] = old[(this._head + i) & this._mask];
    this._buf = next;
    this._mask = cap * 2 - 1;
    this._head = 0;
  }
}
