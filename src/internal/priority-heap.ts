/**
 * A binary min-heap with a stable tie-break: equal keys come out in insertion
 * order. Parallel arrays (item, key, sequence number) instead of an entry
 * object per item. A comparison that throws leaves the heap untouched: each
 * operation finds its path with comparisons first, then moves entries.
 *
 * @module
 */

/** Orders two keys: negative if `a` comes first. */
export type KeyCompare = (a: unknown, b: unknown) => number;

export class PriorityHeap<T> {
  private _items: T[] = [];
  private _keys: unknown[] = [];
  private _seqs: number[] = [];
  private _seq = 0;
  private readonly _path: number[] = [];

  /** `key` maps an item to what `compare` orders (`null`: the item itself). */
  constructor(
    private readonly _compare: KeyCompare,
    private readonly _key: ((item: T) => unknown) | null,
  ) {}

  get length(): number {
    return this._items.length;
  }

  push(item: T): void {
    const key = this._key === null ? item : this._key(item);
    const seq = this._seq;
    const keys = this._keys;
    const seqs = this._seqs;
    let pos = this._items.length;
    // Find where it goes (this may throw; nothing has moved yet).
    while (pos > 0) {
      const p = (pos - 1) >> 1;
      if (!this._before(key, seq, keys[p], seqs[p]!)) break;
      pos = p;
    }
    const items = this._items;
    let i = items.length;
    while (i > pos) {
      const p = (i - 1) >> 1;
      items[i] = items[p]!;
      keys[i] = keys[p];
      seqs[i] = seqs[p]!;
      i = p;
    }
    items[pos] = item;
    keys[pos] = key;
    seqs[pos] = seq;
    this._seq = seq + 1;
  }

  /** Removes and returns the first item; `undefined` when empty. */
  shift(): T | undefined {
    const items = this._items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0];
    const keys = this._keys;
    const seqs = this._seqs;
    const m = n - 1;
    const lastKey = keys[m];
    const lastSeq = seqs[m]!;
    // Find the path the last entry sinks along (this may throw; nothing moved yet).
    const path = this._path;
    let depth = 0;
    let pos = 0;
    for (;;) {
      let c = 2 * pos + 1;
      if (c >= m) break;
      if (c + 1 < m && this._before(keys[c + 1], seqs[c + 1]!, keys[c], seqs[c]!)) c++;
      if (!this._before(keys[c], seqs[c]!, lastKey, lastSeq)) break;
      path[depth++] = c;
      pos = c;
    }
    const lastItem = items[m]!;
    let hole = 0;
    for (let d = 0; d < depth; d++) {
      const c = path[d]!;
      items[hole] = items[c]!;
      keys[hole] = keys[c];
      seqs[hole] = seqs[c]!;
      hole = c;
    }
    if (m > 0) {
      items[hole] = lastItem;
      keys[hole] = lastKey;
      seqs[hole] = lastSeq;
    }
    items.length = m;
    keys.length = m;
    seqs.length = m;
    return top;
  }

  clear(): void {
    this._items = [];
    this._keys = [];
    this._seqs = [];
  }

  /** The items in the order they would come out (a sorted copy). */
  toArray(): T[] {
    const idx = this._items.map((_, i) => i);
    idx.sort((i, j) => (this._before(this._keys[i], this._seqs[i]!, this._keys[j], this._seqs[j]!) ? -1 : 1));
    return idx.map((i) => this._items[i]!);
  }

  private _before(ka: unknown, sa: number, kb: unknown, sb: number): boolean {
    const c = this._compare(ka, kb);
    if (c < 0) return true;
    if (c > 0) return false;
    return sa < sb; // equal (or NaN from a sloppy comparator): first in, first out
  }
}
