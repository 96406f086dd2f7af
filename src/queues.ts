/**
 * `Queue` and `LifoQueue`: asyncio's queues (3.13, with `shutdown`), fair and
 * cancellation-safe. `PriorityQueue` is in `priority-queue.ts`.
 *
 * How no item is lost: a waiter's future is only a wake-up. Items stay in the
 * queue until the woken getter runs and takes one; `_getReserved` counts the
 * woken getters not yet run, and a newcomer's `get()` queues behind them (and
 * behind parked getters) instead of overtaking. A getter cancelled after it
 * was woken gives its turn to the next getter. Putters work the same way with
 * free slots (`_putReserved`). So a cancelled `get()` never loses an item, a
 * cancelled `put()` never adds one, and waiters are served in arrival order.
 * `getNowait()`/`putNowait()` behave as in asyncio: they take any item or
 * slot that is there; a woken waiter that finds nothing left waits again at
 * the head of the line.
 *
 * @module
 */
import type { Coroutine, CoroutineLike } from "./coroutines.js";
import { describe } from "./coroutines.js";
import { QueueEmpty, QueueFull, QueueShutDown } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { ParkingLot, WAKE, WAKE_SHUTDOWN } from "./internal/parking-lot.js";
import { consumeQueue, QueueGet, QueueJoin, QueuePut } from "./internal/queue-ops.js";
import { RingQueue } from "./internal/ring-queue.js";

/** Where a queue keeps its items; the order of `shift()` is the queue's order. @internal */
export interface ItemStore<T> {
  readonly length: number;
  push(item: T): void;
  shift(): T | undefined;
  clear(): void;
  /** The items in the order they would come out. */
  toArray(): T[];
}

/**
 * A FIFO queue for producer and consumer tasks (asyncio's `Queue`).
 * With `maxsize > 0`, `put()` waits while the queue is full (back-pressure);
 * `maxsize <= 0` (the default) means unbounded. Waiting getters and putters are
 * served in arrival order.
 *
 * @example
 * ```ts
 * const q = new Queue<number>(100);
 * function* producer(): Coroutine<void> {
 *   for (let i = 0; i < 1000; i++) yield* q.put(i); // waits while 100 are queued
 *   q.shutdown();                                    // consumers end after the last item
 * }
 * function* consumer(): Coroutine<number> {
 *   let sum = 0;
 *   yield* q.consume(function* (n) { sum += n; });
 *   return sum;
 * }
 * ```
 * @throws TypeError / RangeError if `maxsize` is not a number, or is NaN or a fraction
 */
export class Queue<T = unknown> {
  /** @internal */ _store: ItemStore<T>;
  /** @internal */ readonly _maxsize: number;
  /** @internal The bound `put()` respects (`Infinity` when unbounded). */
  readonly _cap: number;
  /** @internal */ readonly _getters = new ParkingLot("Queue.get");
  /** @internal */ readonly _putters = new ParkingLot("Queue.put");
  /** @internal */ readonly _joiners = new ParkingLot("Queue.join");
  /** @internal Woken getters that have not run yet (each will take an item). */
  _getReserved = 0;
  /** @internal Woken putters that have not run yet (each will fill a slot). */
  _putReserved = 0;
  /** @internal */ _unfinished = 0;
  /** @internal */ _isShutdown = false;
  /** @internal */ _loop: EventLoop | null = null;
  /** @internal `_check` refuses some items (a PriorityQueue): else `put()` skips the call. */
  _checksItems = false;

  constructor(maxsize = 0) {
    const where = `new ${new.target.name}(maxsize)`;
    if (typeof maxsize !== "number") {
      throw new TypeError(`${where}: 'maxsize' must be a number, got ${describe(maxsize)}`);
    }
    // A fraction has no meaning as a count of items (1.5 held 2, silently).
    if (Number.isNaN(maxsize) || (Number.isFinite(maxsize) && !Number.isInteger(maxsize))) {
      throw new RangeError(`${where}: 'maxsize' must be a whole number of items (<= 0 or Infinity for unbounded), got ${describe(maxsize)}`);
    }
    this._maxsize = maxsize;
    this._cap = maxsize > 0 ? maxsize : Infinity;
    this._store = new RingQueue<T>();
  }

  /** The bound given to the constructor (`<= 0`: unbounded). */
  get maxsize(): number {
    return this._maxsize;
  }

  /** How many items are in the queue. */
  qsize(): number {
    return this._store.length;
  }

  /** Whether the queue holds no item. */
  empty(): boolean {
    return this._store.length === 0;
  }

  /** Whether it holds `maxsize` items (never, when unbounded). */
  full(): boolean {
    return this._maxsize > 0 && this._store.length >= this._maxsize;
  }

  /**
   * Puts `item`, waiting while the queue is full. Does not suspend when there
   * is room and no other putter is waiting.
   * @throws QueueShutDown if the queue is or gets shut down
   */
  put(item: T): CoroutineLike<void> {
    return new QueuePut<T>(this, item);
  }

  /**
   * Puts `item` without waiting.
   * @throws QueueFull if the queue is full
   * @throws QueueShutDown if the queue was shut down
   */
  putNowait(item: T): void {
    if (this._isShutdown) throw new QueueShutDown(`${this.constructor.name} is shut down`);
    this._check(item, "putNowait");
    if (this.full()) throw new QueueFull(`${this.constructor.name} is full (maxsize ${this._maxsize})`);
    this._add(item);
  }

  /**
   * Removes and evaluates to the next item, waiting while the queue is empty.
   * Does not suspend when an item is there for it.
   * @throws QueueShutDown once the queue is shut down and empty
   */
  get(): CoroutineLike<T> {
    return new QueueGet<T>(this);
  }

  /**
   * Removes and returns the next item without waiting.
   * @throws QueueEmpty if the queue is empty
   * @throws QueueShutDown if it is empty and shut down
   */
  getNowait(): T {
    if (this._store.length === 0) {
      if (this._isShutdown) throw new QueueShutDown(`${this.constructor.name} is shut down and empty`);
      throw new QueueEmpty(`${this.constructor.name} is empty`);
    }
    return this._take();
  }

  /**
   * Marks one item got earlier as processed; `join()` returns when every item
   * put was marked.
   * @throws RangeError if called more times than items were put (asyncio's ValueError)
   */
  taskDone(): void {
    if (this._unfinished <= 0) throw new RangeError("taskDone() called too many times");
    if (--this._unfinished === 0) this._joiners.wakeAll(WAKE);
  }

  /** Waits until every item put has been got and marked with `taskDone()`. */
  join(): CoroutineLike<void> {
    return new QueueJoin(this);
  }

  /**
   * Shuts the queue down: `put()` throws `QueueShutDown` from now on, waiting
   * putters too; `get()` still returns the items left, then throws
   * `QueueShutDown`. With `immediate`, the items left are dropped (counted as
   * done for `join()`) and waiting getters throw at once.
   * @throws TypeError if `immediate` is not a boolean
   */
  shutdown(immediate = false): void {
    if (typeof immediate !== "boolean") {
      throw new TypeError(`${this.constructor.name}.shutdown(immediate): 'immediate' must be a boolean, got ${describe(immediate)}`);
    }
    this._isShutdown = true;
    if (immediate) {
      const dropped = this._store.length;
      this._store.clear();
      this._unfinished = Math.max(0, this._unfinished - dropped);
      if (this._unfinished === 0) this._joiners.wakeAll(WAKE);
    }
    this._getters.wakeAll(WAKE_SHUTDOWN);
    this._putters.wakeAll(WAKE_SHUTDOWN);
  }

  /**
   * Consumes items until the queue is shut down and empty: calls `body(item)`
   * for each, then `taskDone()` (also when `body` throws). Ends normally on
   * shutdown; evaluates to how many items it handled.
   *
   * @example
   * ```ts
   * yield* q.consume(function* (job) { yield* handle(job); });
   * ```
   * @throws TypeError at once if `body` is not a function
   */
  consume(body: (item: T) => CoroutineLike<unknown> | void): Coroutine<number> {
    if (typeof body !== "function") {
      throw new TypeError(`${this.constructor.name}.consume(body): 'body' must be a function, got ${describe(body)}`);
    }
    return consumeQueue(this, body);
  }

  /**
   * Gets the next item as an iterator result: `{ done: false, value }`, or
   * `{ done: true }` once the queue is shut down and empty. For plain loops:
   *
   * @example
   * ```ts
   * for (let r = yield* q.next(); !r.done; r = yield* q.next()) {
   *   total += r.value;
   *   q.taskDone();
   * }
   * ```
   */
  *next(): Coroutine<IteratorResult<T, undefined>> {
    try {
      return { done: false, value: yield* this.get() };
    } catch (e) {
      if (e instanceof QueueShutDown) return { done: true, value: undefined };
      throw e;
    }
  }

  toString(): string {
    let s = `<${this.constructor.name} maxsize=${this._maxsize}`;
    if (this._store.length > 0) s += ` _queue=[${this._store.toArray().map(describe).join(", ")}]`;
    if (this._getters.size > 0) s += ` _getters[${this._getters.size}]`;
    if (this._putters.size > 0) s += ` _putters[${this._putters.size}]`;
    if (this._unfinished > 0) s += ` tasks=${this._unfinished}`;
    if (this._isShutdown) s += " shutdown";
    return s + ">";
  }

  /** @internal Checks an item before it is queued (PriorityQueue refuses unorderable ones). */
  _check(_item: T, _method: string): void {}

  /** @internal */
  _add(item: T): void {
    this._store.push(item);
    this._unfinished++;
    // Nobody parked (the common case): no call.
    if (this._getters.size > 0) this._wakeGetters();
  }

  /** @internal */
  _take(): T {
    const item = this._store.shift() as T;
    if (this._putters.size > 0) this._wakePutters();
    return item;
  }

  /** @internal Wakes one getter per item nobody is already woken for. */
  _wakeGetters(): void {
    const lot = this._getters;
    while (lot.size > 0 && this._store.length > this._getReserved) {
      this._getReserved++;
      lot.wakeFirst(WAKE);
    }
  }

  /** @internal Wakes one putter per free slot nobody is already woken for. */
  _wakePutters(): void {
    const lot = this._putters;
    while (lot.size > 0 && this._store.length + this._putReserved < this._cap) {
      this._putReserved++;
      lot.wakeFirst(WAKE);
    }
  }
}

/**
 * A LIFO queue (asyncio's `LifoQueue`): `get()` returns the item put last.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1); stack.putNowait(2);
 * stack.getNowait(); // 2
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  constructor(maxsize = 0) {
    super(maxsize);
    this._store = new StackStore<T>();
  }
}

class StackStore<T> implements ItemStore<T> {
  private _items: T[] = [];
  get length(): number {
    return this._items.length;
  }
  push(item: T): void {
    this._items.push(item);
  }
  shift(): T | undefined {
    return this._items.pop();
  }
  clear(): void {
    this._items = [];
  }
  toArray(): T[] {
    return this._items.slice().reverse();
  }
}
