/**
 * The loop's pending tasks as an intrusive doubly linked list: O(1) add and
 * delete with no allocation (the links live on the task), where a `Set` paid a
 * hash entry per task and rehashing as it grew. Iterates oldest first.
 */

/** What the list links: any object with these two fields. */
export interface Linked<T> {
  _prevLink: T | null;
  _nextLink: T | null;
}

export class TaskList<T extends Linked<T>> implements Iterable<T> {
  private _head: T | null = null;
  private _tail: T | null = null;
  private _size = 0;

  get size(): number {
    return this._size;
  }

  add(item: T): void {
    item._prevLink = this._tail;
    item._nextLink = null;
    if (this._tail === null) this._head = item;
    else this._tail._nextLink = item;
    this._tail = item;
    this._size++;
  }

  /** Unlinks `item`; it must be in this list (tasks are removed exactly once). */
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
    this._size--;
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
