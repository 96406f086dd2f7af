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
  private readonly _shrinks: boolean;
  /**
   * How many items it holds. A field, read-only by convention, not a getter:
   * queues and the loop read it on every operation, and until V8 has
   * optimized the caller a getter is a call each time (a cold run of a
   * million-item queue spends most of its time before that).
   */
  length = 0;

  /**
   * `shrinks`: gives back the slots of a burst as it drains (see `shift`).
   * The loop's ready queue does; an asyncio queue's store does not: a bounded
   * queue fills and drains in turn, and a buffer given back at each drain was
   * made again at each fill (past about 16k slots an array is a large object
   * of its own in V8, fresh pages every time): a million items through a
   * queue of maxsize 100,000 took 235 ms with it, 99 ms without.
   */
  constructor(capacity = 16, shrinks = false) {
    let cap = 16;
    while (cap < capacity) cap <<= 1;
    this._buf = [];
    this._mask = cap - 1;
    this._shrinks = shrinks;
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
    // CPython's deque frees its blocks): the loop's ready queue held every task
    // of a 100k-task spawn at once, and kept those 1 MB of slots for the rest
    // of the program. Halving at a quarter leaves it half full, so a queue that
    // hovers at the boundary does not grow and shrink in turn.
    if (--this.length === (this._mask + 1) >> 2 && this._shrinks && this._mask >= SHRINK_FROM) this._resize((this._mask + 1) >> 1);
    return item;
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this._buf[this._head];
  }

  clear(): void {
    this._buf = [];
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
   * Full: doubles the capacity. The array's own length is not set to it: the
   * slots past the items are filled by appending, which the engine grows
   * cheaply, while `length = n` on a large array is a slow runtime path
   * (about 50 ns per slot: 3.4 ms for 64k, by a microbenchmark).
   * Invariant: every index a push can reach is below the array's length, or
   * equal to it (an append).
   */
  private _grow(): void {
    const cap = this._mask + 1;
    // Rotated so the items start at 0: the next push appends at `cap`.
    if (this._head !== 0) this._resize(cap * 2);
    else this._mask = cap * 2 - 1;
  }

  /**
   * Moves the items, oldest first, to a new array (by builtins: copying runs
   * a few times per burst, never optimized, and an interpreted loop paid
   * inline-cache lookups per item), with a capacity of `cap` (a power of
   * two, at least `length`).
   */
  private _resize(cap: number): void {
    const buf = this._buf;
    const head = this._head;
    const end = head + this.length;
    this._buf = end <= buf.length ? buf.slice(head, end) : buf.slice(head).concat(buf.slice(0, end - buf.length));
    this._mask = cap - 1;
    this._head = 0;
  }
}
