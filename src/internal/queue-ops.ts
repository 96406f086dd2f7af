/**
 * The operations behind `Queue.get()`, `put()`, `join()` and `consume()`:
 * hand-written coroutine objects (see `WaitOp`), so a `get()` or `put()` that
 * need not wait allocates no future and does not suspend.
 *
 * @module
 */
import type { Coroutine, CoroutineLike, Suspend } from "../coroutines.js";
import { describe } from "../coroutines.js";
import { QueueShutDown } from "../errors.js";
import type { Queue } from "../queues.js";
import { boundLoop } from "./loop-bound.js";
import { markAwaited, unawaitedState } from "./loop-debug.js";
import { Waiter, WAKE } from "./parking-lot.js";
// DONE_VOID straight from its module: a re-export is a getter in the CommonJS
// build, one call per put() until V8 optimizes the caller (W4: a million).
import { DONE_VOID } from "./suspend-result.js";
import { OP_DONE, OP_PENDING, OP_WAITING, ParkOnceOp, reused, suspendOn, WaitOp } from "./wait-op.js";

/**
 * `q.get()`: takes an item at once if nobody is ahead, else parks.
 *
 * The operation is also the iterator result it finishes with (`done`,
 * `value`): `yield*` reads the two fields at once and drops the result, so a
 * separate `{ done: true, value }` per item was one more allocation per get,
 * 40 bytes of young-generation garbage on the hottest path of a queue (W4:
 * a million gets). Until then `done` is false and `value` undefined.
 */
export class QueueGet<T> extends WaitOp<T> {
  private declare readonly _q: Queue<T>;
  /** @internal */ declare done: boolean;
  /** @internal */ declare value: T | undefined;

  constructor(q: Queue<T>) {
    super("Queue.get()");
    this._q = q;
    this.done = false;
    this.value = undefined;
  }

  next(): IteratorResult<Suspend, T> {
    const q = this._q;
    const st = this._opState;
    if (st === OP_PENDING) {
      if (unawaitedState.count !== 0) markAwaited(this);
      // An item, and no getter ahead of us (parked, or woken and not run yet).
      if (q._store.length > 0 && q._getReserved === 0 && q._getters.size === 0) {
        // The common case, written out (no call): it runs a million times in a
        // cold W4, mostly before V8 optimizes this method.
        this._opState = OP_DONE;
        this.value = q._take(); // a PriorityQueue comparator that throws leaves the item and no waiter to wake
        this.done = true;
        return this as IteratorResult<Suspend, T>;
      }
    } else if (st === OP_WAITING) {
      const why = this._resumed()._result;
      if (why === WAKE) q._getReserved--;
      // Woken getters run in the order they were woken, so one woken for an
      // item takes any item there: if a getNowait() took the item of a getter
      // woken after it, that one waits again instead (first come, first
      // served). One woken by shutdown takes only items nobody woken counts on.
      if (q._store.length > (why === WAKE ? 0 : q._getReserved)) return this._takeNow(true);
    } else {
      throw reused("Queue.get()");
    }
    if (q._isShutdown && q._store.length <= q._getReserved) {
      this._opState = OP_DONE;
      this._waiter = null;
      throw new QueueShutDown(`${q.constructor.name} is shut down and empty`);
    }
    // Resumed without an item (a getNowait() took it): wait again, keeping our place.
    const loop = boundLoop(q);
    const w = st === OP_WAITING ? q._getters.parkAgain(loop, this._waiter!._arrival) : q._getters.park(loop);
    this._waiter = w;
    this._opState = OP_WAITING;
    return suspendOn(w);
  }

  private _takeNow(resumed: boolean): IteratorResult<Suspend, T> {
    const q = this._q;
    this._opState = OP_DONE;
    this._waiter = null;
    let item: T;
    try {
      item = q._take();
    } catch (e) {
      q._wakeGetters(); // a PriorityQueue comparator threw: the item is still there
      throw e;
    }
    // Getters that queued behind us while items were there go next.
    if (resumed) q._wakeGetters();
    this.done = true;
    this.value = item;
    return this as IteratorResult<Suspend, T>;
  }

  /** Woken for an item, but leaving without it: the next getter gets the turn (bpo-23812). */
  protected _passOn(why: number): void {
    if (why !== WAKE) return;
    const q = this._q;
    q._getReserved--;
    q._wakeGetters();
  }
}

/** `q.put(item)`: puts at once if there is room and nobody is ahead, else parks. */
export class QueuePut<T> extends WaitOp<void> {
  private declare readonly _q: Queue<T>;
  private declare readonly _item: T;

  constructor(q: Queue<T>, item: T) {
    super("Queue.put()");
    this._q = q;
    this._item = item;
    if (q._checksItems) q._check(item, "put");
  }

  next(): IteratorResult<Suspend, void> {
    const q = this._q;
    const st = this._opState;
    if (st === OP_PENDING) {
      if (unawaitedState.count !== 0) markAwaited(this);
      if (q._isShutdown) return this._shutDown();
      // Room, and no putter ahead of us (parked, or woken and not run yet).
      if (q._store.length < q._cap && q._putReserved === 0 && q._putters.size === 0) {
        // The common case, written out (no call), as in QueueGet.
        this._opState = OP_DONE;
        q._add(this._item); // nobody parked: a PriorityQueue comparator that throws has nobody to wake
        return DONE_VOID;
      }
    } else if (st === OP_WAITING) {
      if (this._resumed()._result === WAKE) q._putReserved--;
      if (q._isShutdown) return this._shutDown();
      // As for getters: the first woken putter to run fills any free slot; if a
      // putNowait() took one, the putter woken last waits again.
      if (q._store.length < q._cap) return this._putNow(true);
    } else {
      throw reused("Queue.put()");
    }
    // Resumed without room (a putNowait() took the slot): wait again, keeping our place.
    const loop = boundLoop(q);
    const w = st === OP_WAITING ? q._putters.parkAgain(loop, this._waiter!._arrival) : q._putters.park(loop);
    this._waiter = w;
    this._opState = OP_WAITING;
    return suspendOn(w);
  }

  private _putNow(resumed: boolean): IteratorResult<Suspend, void> {
    const q = this._q;
    this._opState = OP_DONE;
    this._waiter = null;
    try {
      q._add(this._item);
    } catch (e) {
      q._wakePutters(); // a PriorityQueue comparator threw: the slot is still free
      throw e;
    }
    // Putters that queued behind us while there was room go next.
    if (resumed) q._wakePutters();
    return DONE_VOID;
  }

  private _shutDown(): never {
    this._opState = OP_DONE;
    this._waiter = null;
    throw new QueueShutDown(`${this._q.constructor.name} is shut down`);
  }

  /** Woken for a slot, but leaving without filling it: the next putter gets it. */
  protected _passOn(why: number): void {
    if (why !== WAKE) return;
    const q = this._q;
    q._putReserved--;
    q._wakePutters();
  }
}

/** `q.join()`. */
export class QueueJoin extends ParkOnceOp<void> {
  private declare readonly _q: Queue<unknown>;

  constructor(q: Queue<unknown>) {
    super("Queue.join()");
    this._q = q;
  }

  protected _ready(): boolean {
    return this._q._unfinished === 0;
  }

  protected _park(): Waiter {
    return this._q._joiners.park(boundLoop(this._q));
  }

  protected _complete(): IteratorResult<Suspend, void> {
    return DONE_VOID;
  }

  protected _name(): string {
    return "Queue.join()";
  }

  /** All joiners are woken together: nothing to hand on. */
  protected _passOn(): void {}
}

export function* consumeQueue<T>(q: Queue<T>, body: (item: T) => CoroutineLike<unknown> | void): Coroutine<number> {
  let n = 0;
  for (;;) {
    let item: T;
    try {
      item = yield* q.get();
    } catch (e) {
      if (e instanceof QueueShutDown) return n;
      throw e;
    }
    n++;
    try {
      const co = body(item);
      if (co !== undefined) {
        if (co === null || typeof co !== "object" || typeof co[Symbol.iterator] !== "function") {
          throw new TypeError(`consume(body): 'body' must be a generator function or return nothing, it returned ${describe(co)}`);
        }
        yield* co;
      }
    } finally {
      q.taskDone();
    }
  }
}
