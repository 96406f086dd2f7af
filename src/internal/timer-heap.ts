/**
 * The loop's timers: a binary min-heap ordered by (when, seq), so timers due at
 * the same time fire in the order they were scheduled. Cancellation is lazy (a
 * cancelled entry stays until it reaches the top or the heap is rebuilt), as in
 * asyncio's `base_events`: cancelling is O(1) and the heap never searches.
 */

/** What the heap holds: anything with a deadline and a cancelled flag. */
export interface TimerEntry {
  /** Loop time at which the entry is due. */
  _when: number;
  /** Tie-break: scheduling order. */
  _seq: number;
  /** Set when cancelled; the entry is dropped when it surfaces. */
  _dead: boolean;
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

export class TimerHeap<T extends TimerEntry> {
  private _items: T[] = [];
  /** How many entries in the heap are cancelled (for the rebuild rule). */
  deadCount = 0;

  get size(): number {
    return this._items.length;
  }

  /** Live entries (size minus the cancelled ones still stored). */
  get liveCount(): number {
    return this._items.length - this.deadCount;
  }

  push(entry: T): void {
    const items = this._items;
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(entry, parent)) break;
      items[i] = parent;
      i = p;
    }
    items[i] = entry;
  }

  /** The earliest live entry, dropping cancelled ones from the top. */
  peek(): T | undefined {
    const items = this._items;
    while (items.length > 0 && items[0]!._dead) {
      this._popTop();
      this.deadCount--;
    }
    return items[0];
  }

  /** Removes and returns the earliest live entry. */
  pop(): T | undefined {
    const top = this.peek();
    if (top !== undefined) this._popTop();
    return top;
  }

  /** Drops every cancelled entry when they are the majority (asyncio's rule). */
  maybeCompact(): void {
    if (this.deadCount > 100 && this.deadCount * 2 > this._items.length) {
      const live = this._items.filter((e) => !e._dead);
      this._items = [];
      this.deadCount = 0;
      // Heapify bottom-up: O(n).
      this._items = live;
      for (let i = (live.length >> 1) - 1; i >= 0; i--) this._siftDown(i);
    }
  }

  clear(): void {
    this._items = [];
    this.deadCount = 0;
  }

  private _popTop(): void {
    const items = this._items;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      this._siftDown(0);
    }
  }

  private _siftDown(start: number): void {
    const items = this._items;
    const n = items.length;
    const entry = items[start]!;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!before(child, entry)) break;
      items[i] = child;
      i = c;
    }
    items[i] = entry;
  }
}
