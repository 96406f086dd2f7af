/**
 * The loop's timers, ordered by (when, seq) so timers due at the same time fire
 * in the order they were scheduled.
 *
 * Timers are kept in lists, one per delay (as Node's own timers are): timers
 * scheduled with the same delay on a clock that does not go back are due in
 * the order they were added, so a list is sorted by construction and adding is
 * an O(1) append. A binary min-heap orders the lists by their first timer. A
 * program with 100k sleeps of 201 distinct delays does heap work on 201 lists,
 * not on 100k timers. Cancellation is lazy, as in asyncio's `base_events`: a
 * cancelled entry stays until it reaches the front of its list or the lists are
 * rebuilt (when most entries are cancelled).
 */

/** What the heap holds: anything with a deadline and a cancelled flag. */
export interface TimerEntry {
  /** Loop time at which the entry is due. */
  _when: number;
  /** Tie-break: scheduling order. */
  _seq: number;
  /**
   * Bits; the heap owns the two of `TIMER_STATE`: neither (TIMER_OFF),
   * TIMER_ON (in the heap) or TIMER_DEAD (in the heap, cancelled: dropped when
   * it surfaces). They live in the entry's `_flags` rather than a field of
   * their own because sleeps are timer entries (a SleepFuture's `_flags` are
   * its Future bits; the table in internal/future-state.ts), and a program
   * may have 100k of them: a field is 8 bytes each.
   */
  _flags: number;
}

/** Timer state: not in a heap (neither bit). */
export const TIMER_OFF = 0;
/** Timer state bit: in the heap, due to run. Bit 9: never a Future bit of a timer entry (internal/future-state.ts). */
export const TIMER_ON = 1 << 9;
/** Timer state bit: in the heap, cancelled. */
export const TIMER_DEAD = 1 << 10;
/** The bits of `_flags` that hold the timer state. */
export const TIMER_STATE = TIMER_ON | TIMER_DEAD;

/** An entry's timer state: TIMER_OFF, TIMER_ON or TIMER_DEAD. */
export function timerState(entry: TimerEntry): number {
  return entry._flags & TIMER_STATE;
}

/** Sets an entry's timer state, keeping its other bits. */
export function setTimerState(entry: TimerEntry, state: number): void {
  entry._flags = (entry._flags & ~TIMER_STATE) | state;
}

/** Timers of one delay, due in order; `head` is the first not yet taken. */
class TimerList<T extends TimerEntry> {
  items: T[] = [];
  head = 0;
  inHeap = false;
  constructor(readonly key: number) {}

  get first(): T {
    return this.items[this.head]!;
  }

  get tailWhen(): number {
    return this.items[this.items.length - 1]!._when;
  }

  get empty(): boolean {
    return this.head >= this.items.length;
  }

  /** Drops taken entries from the array once they are the larger part. */
  trim(): void {
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Whether timer `a` runs before timer `b`: by time, then by scheduling order. */
export function timerBefore(a: TimerEntry, b: TimerEntry): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

function listBefore<T extends TimerEntry>(a: TimerList<T>, b: TimerList<T>): boolean {
  return timerBefore(a.first, b.first);
}

export class TimerHeap<T extends TimerEntry> {
  /** Lists ordered by their first entry. */
  private _heap: TimerList<T>[] = [];
  /** The list new timers of a given delay are appended to. */
  private _byKey = new Map<number, TimerList<T>>();
  private _count = 0;
  /** How many stored entries are cancelled (for the rebuild rule). */
  deadCount = 0;

  /** Entries stored, cancelled ones included. */
  get size(): number {
    return this._count;
  }

  /** Live entries (size minus the cancelled ones still stored). */
  get liveCount(): number {
    return this._count - this.deadCount;
  }

  /**
   * Adds `entry`. `key` groups entries that are due in the order they are
   * added: the delay they were scheduled with (default: their deadline).
   */
  push(entry: T, key: number = entry._when): void {
    this._count++;
    let list = this._byKey.get(key);
    if (list !== undefined && list.inHeap && !list.empty && list.tailWhen <= entry._when) {
      list.items.push(entry);
      return;
    }
    // A new list: first of its delay, or the clock went back, or the old one ran out.
    list = new TimerList<T>(key);
    list.items.push(entry);
    this._byKey.set(key, list);
    this._insert(list);
  }

  /** The earliest live entry, dropping cancelled ones from the front. */
  peek(): T | undefined {
    const heap = this._heap;
    while (heap.length > 0) {
      const list = heap[0]!;
      let moved = false;
      while (!list.empty && (list.first._flags & TIMER_DEAD) !== 0) {
        list.head++;
        this._count--;
        this.deadCount--;
        moved = true;
      }
      if (list.empty) {
        this._removeTop();
        continue;
      }
      if (!moved) return list.first;
      list.trim();
      this._siftDown(0);
      if (heap[0] === list) return list.first;
    }
    return undefined;
  }

  /** Removes and returns the earliest live entry. */
  pop(): T | undefined {
    const top = this.peek();
    if (top === undefined) return undefined;
    const list = this._heap[0]!;
    list.head++;
    this._count--;
    if (list.empty) this._removeTop();
    else {
      list.trim();
      this._siftDown(0);
    }
    return top;
  }

  /**
   * Moves every live entry due at or before `t` to `out`, in (when, seq)
   * order, marking each TIMER_OFF; returns how many. Entries are taken from
   * the front list for as long as they come before the next list's first, so
   * the heap is reordered once per run of entries, not once per entry.
   */
  takeDue(t: number, out: { push(entry: T): void }): number {
    const heap = this._heap;
    let taken = 0;
    while (heap.length > 0) {
      const list = heap[0]!;
      const items = list.items;
      const n = heap.length;
      // The next list in order is the earlier of the front's two children.
      const bound = n === 1 ? null : n === 2 || listBefore(heap[1]!, heap[2]!) ? heap[1]!.first : heap[2]!.first;
      let head = list.head;
      while (head < items.length) {
        const e = items[head]!;
        if ((e._flags & TIMER_DEAD) !== 0) {
          head++;
          this.deadCount--;
        } else if (e._when <= t && (bound === null || timerBefore(e, bound))) {
          head++;
          e._flags &= ~TIMER_ON;
          out.push(e);
          taken++;
        } else break;
      }
      this._count -= head - list.head;
      list.head = head;
      if (list.empty) {
        this._removeTop();
        continue;
      }
      list.trim();
      // Still the earliest list: its first (live) entry is not due yet.
      if (bound === null || timerBefore(list.first, bound)) break;
      this._siftDown(0);
    }
    return taken;
  }

  /** Drops every cancelled entry when they are the majority (asyncio's rule). */
  maybeCompact(): void {
    if (this.deadCount <= 100 || this.deadCount * 2 <= this._count) return;
    const lists: TimerList<T>[] = [];
    this._byKey.clear();
    for (const list of this._heap) {
      // Filtered in place of the taken slots, not from a copy of the rest
      // (a list of 100k cancelled sleeps was copied whole just to be dropped).
      const head = list.head;
      const live = list.items.filter((e, i) => i >= head && (e._flags & TIMER_DEAD) === 0);
      if (live.length === 0) {
        list.inHeap = false;
        continue;
      }
      list.items = live;
      list.head = 0;
      lists.push(list);
      const current = this._byKey.get(list.key);
      if (current === undefined || current.tailWhen <= list.tailWhen) this._byKey.set(list.key, list);
    }
    this._count -= this.deadCount;
    this.deadCount = 0;
    this._heap = lists;
    for (let i = (lists.length >> 1) - 1; i >= 0; i--) this._siftDown(i);
  }

  clear(): void {
    for (const list of this._heap) list.inHeap = false;
    this._heap = [];
    this._byKey.clear();
    this._count = 0;
    this.deadCount = 0;
  }

  private _insert(list: TimerList<T>): void {
    const heap = this._heap;
    list.inHeap = true;
    let i = heap.length;
    heap.push(list);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!listBefore(list, parent)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = list;
  }

  private _removeTop(): void {
    const heap = this._heap;
    const top = heap[0]!;
    top.inHeap = false;
    if (this._byKey.get(top.key) === top) this._byKey.delete(top.key);
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this._siftDown(0);
    }
  }

  private _siftDown(start: number): void {
    const heap = this._heap;
    const n = heap.length;
    const list = heap[start]!;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && listBefore(heap[r]!, heap[l]!) ? r : l;
      const child = heap[c]!;
      if (!listBefore(child, list)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = list;
  }
}
