/**
 * The one intrusive doubly linked list: the loop's pending tasks and every
 * parking lot's waiters. O(1) append, unlink and pop with no allocation (the
 * links live on the item), where a `Set` paid a hash entry per item and
 * rehashing as it grew. Iterates oldest first.
 *
 * An item is in at most one list at a time (a task in its loop's, a waiter in
 * its lot's), so one pair of link fields serves every list.
 */

/** What the list links: any object with these two fields. */
export interface Linked<T> {
  _prevLink: T | null;
  _nextLink: T | null;
}

export class LinkedList<T extends Linked<T>> implements Iterable<T> {
  private _head: T | null = null;
  private _tail: T | null = null;
  /**
   * How many items are linked. A field, read-only by convention, not a
   * getter: a parking lot's size is read on every queue, lock and semaphore
   * operation, and until V8 has optimized the caller a getter is a call.
   */
  size = 0;

  /** The oldest item, or `null`. */
  get first(): T | null {
    return this._head;
  }

  /** Appends `item`. */
  add(item: T): void {
    item._prevLink = this._tail;
    item._nextLink = null;
    if (this._tail === null) this._head = item;
    else this._tail._nextLink = item;
    this._tail = item;
    this.size++;
  }

  /** Links `item` just before `next` (at the back when `next` is `null`). */
  insertBefore(item: T, next: T | null): void {
    if (next === null) {
      this.add(item);
      return;
    }
    const prev = next._prevLink;
    item._prevLink = prev;
    item._nextLink = next;
    if (prev === null) this._head = item;
    else prev._nextLink = item;
    next._prevLink = item;
    this.size++;
  }

  /** Unlinks `item`; one that is not linked here is left alone. */
  delete(item: T): void {
    const prev = item._prevLink;
    const next = item._nextLink;
    if (prev === null) {
      if (this._head !== item) return; // not linked
      this._head = next;
    } else prev._nextLink = next;
    if (next === null) this._tail = prev;
    else next._prevLink = prev;
    item._prevLink = null;
    item._nextLink = null;
    this.size--;
  }

  /** Unlinks and returns the oldest item, or `null`. */
  shift(): T | null {
    const item = this._head;
    if (item !== null) this.delete(item);
    return item;
  }

  *[Symbol.iterator](): Iterator<T> {
    let node = this._head;
    while (node !== null) {
      const next = node._nextLink;
      yield node;
      node = next;
    }
  }
}
