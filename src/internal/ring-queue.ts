/**
 * A growable ring buffer used as a FIFO queue: O(1) push and shift with no
 * `Array.prototype.shift()` (which is O(n) on large arrays) and no node per item.
 */
/** Below this many slots (minus one) a drained queue keeps its buffer: small ones are cheap to keep. */
const SHRINK_FROM = 4095;

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
    // Give back what a burst took once it has drained to a quarter (as
    // CPython's deque frees its blocks): the loop's ready queue held every
    // task of a 100k-task spawn at once, and kept those 1 MB of slots for
    // the rest of the program. Halving at a quarter leaves it half full, so
    // a queue that hovers at the boundary does not grow and shrink in turn.
    if (--this.length === (this._mask + 1) >> 2 && this._mask >= SHRINK_FROM) this._resize((this._mask + 1) >> 1);
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

  /**
   * Full: doubles the buffer in place. The items are copied by the engine's
   * own array builtins, never by a loop here: growing runs a handful of times
   * per burst, so it is never optimized, and an interpreted copy loop paid
   * several inline-cache lookups per item (about 150M instructions of a
   * 100k-task spawn, by callgrind). The wrapped part, before `_head`, moves
   * to just past the old end, so the items stay in order from `_head`.
   */
  private _grow(): void {
    const buf = this._buf;
    const cap = this._mask + 1;
    const head = this._head;
    buf.length = cap * 2;
    if (head !== 0) {
      buf.copyWithin(cap, 0, head);
      buf.fill(undefined, 0, head);
    }
    this._mask = cap * 2 - 1;
  }

  /** Moves the items, oldest first, to a new buffer of `cap` (a power of two, above `length`), by builtins (see `_grow`). */
  private _resize(cap: number): void {
    const buf = this._buf;
    const head = this._head;
    const end = head + this.length;
    const next = end <= buf.length ? buf.slice(head, end) : buf.slice(head).concat(buf.slice(0, end - buf.length));
    next.length = cap;
    this._buf = next;
    this._mask = cap - 1;
    this._head = 0;
  }
}
