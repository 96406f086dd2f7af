/**
 * `asCompleted`: results in the order the awaitables finish (asyncio's
 * `as_completed`), as an iterable of awaitables and as an Observable.
 *
 * @module
 */
import type { FutureLike } from "./ensure-future.js";
import { Observable, observable as symbolObservable } from "rxjs";
import type { Coroutine } from "./coroutines.js";
import type { EventLoop } from "./event-loop.js";
import type { TimerHandle } from "./handles.js";
import { getRunningLoop } from "./running-loop.js";
import type { Future } from "./futures.js";
import { awaitsItself, TimeoutError } from "./errors.js";
import { checkOptions, checkTimeout } from "./internal/awaitables.js";
import { RingQueue } from "./internal/ring-queue.js";
import { collectFutures } from "./wait.js";

/** Options of `asCompleted`. */
export interface AsCompletedOptions {
  /**
   * After this many ms (from the call), every result not in yet is a
   * `TimeoutError`. Nothing is cancelled.
   */
  timeout?: number | null;
}

const WHERE = "asCompleted(aws, options)";

/** Marks "the timeout passed" in the completion order. */
const TIMED_OUT = null;

/**
 * What `asCompleted` returns. Iterate it for one awaitable per input; the
 * n-th one that is awaited gives the n-th result to arrive (or throws the n-th
 * failure, or `TimeoutError`). `futures()` gives the finished futures
 * themselves instead. `asObservable()` (and `from(...)`) emits the results in
 * completion order.
 */
export class AsCompleted<T> implements Iterable<Coroutine<T>> {
  /** @internal Finished futures in completion order (`null` = timed out). */
  readonly _order: (Future<T> | null)[] = [];
  /** @internal How many of `_order` the iterators have taken. */
  _taken = 0;
  /** @internal How many awaitables the iterators may still hand out. */
  _left: number;
  /** @internal Still pending, with our callback on them. */
  readonly _todo: Set<Future<T>>;
  /** @internal Tasks waiting for the next completion, oldest first. */
  readonly _waiters = new RingQueue<Future<void>>();
  /** @internal Observers of `asObservable()`, each with how far it has got. */
  readonly _observers = new Set<(order: (Future<T> | null)[]) => void>();
  /** @internal */ readonly _loop: EventLoop;
  /** @internal */ _timer: TimerHandle | null = null;
  /** @internal */ readonly _onCompletion = (f: Future<T>): void => {
    if (!this._todo.delete(f)) return; // the timeout was first
    this._push(f);
    if (this._todo.size === 0 && this._timer !== null) {
      this._timer.cancel();
      this._timer = null;
    }
  };

  /** @internal Use `asCompleted()`. */
  constructor(loop: EventLoop, fs: Future<T>[], timeout: number | null) {
    this._loop = loop;
    this._todo = new Set(fs);
    this._left = fs.length;
    for (const f of fs) f.addDoneCallback(this._onCompletion);
    if (fs.length > 0 && timeout !== null) this._timer = loop.callLater(timeout, () => this._onTimeout());
  }

  /** One awaitable per input: each gives the next result in completion order. */
  *[Symbol.iterator](): Iterator<Coroutine<T>> {
    while (this._left > 0) {
      this._left--;
      yield this._next(true) as Coroutine<T>;
    }
  }

  /**
   * Like iterating, but each awaitable gives the finished future itself (the
   * input task, or the task made for a coroutine), so results can be matched
   * to inputs. A timeout still throws `TimeoutError`.
   *
   * @example
   * ```ts
   * for (const next of asCompleted(tasks).futures()) {
   *   const f = yield* next;   // the input task itself (a Future)
   *   console.log(tasks.indexOf(f as Task<number>), f.result());
   * }
   * ```
   */
  *futures(): Generator<Coroutine<Future<T>>, void, unknown> {
    while (this._left > 0) {
      this._left--;
      yield this._next(false) as Coroutine<Future<T>>;
    }
  }

  /**
   * The results in completion order: each result is emitted as it arrives; the
   * first failure (or `TimeoutError`) errors the Observable. Each subscriber
   * sees every result, from the first. Unsubscribing cancels nothing (the
   * inputs are not owned by the Observable; cancel the tasks to stop them).
   */
  asObservable(): Observable<T> {
    return new Observable<T>((subscriber) => {
      let i = 0;
      const feed = (order: (Future<T> | null)[]) => {
        while (i < order.length && !subscriber.closed) {
          const f = order[i++]!;
          if (f === TIMED_OUT) {
            subscriber.error(new TimeoutError("asCompleted: timed out"));
            return;
          }
          if (f.cancelled()) {
            subscriber.error(f._makeCancelledError());
            return;
          }
          const exc = f.exception();
          if (exc !== null) {
            subscriber.error(exc);
            return;
          }
          subscriber.next(f.result());
        }
        if (i === this._total() && !subscriber.closed) subscriber.complete();
      };
      this._observers.add(feed);
      feed(this._order);
      return () => {
        this._observers.delete(feed);
      };
    });
  }

  /** @internal */
  _total(): number {
    return this._order.length + this._todo.size;
  }

  /** @internal */
  _push(f: Future<T> | null): void {
    this._order.push(f);
    this._wakeOne();
    for (const feed of this._observers) feed(this._order);
  }

  /** @internal */
  _onTimeout(): void {
    this._timer = null;
    for (const f of this._todo) {
      f.removeDoneCallback(this._onCompletion);
      this._order.push(TIMED_OUT);
    }
    this._todo.clear();
    // Wake as many waiters as there are entries to take; each takes one.
    for (let n = this._order.length - this._taken; n > 0 && this._waiters.length > 0; n--) this._wakeOne();
    for (const feed of this._observers) feed(this._order);
  }

  /** @internal Waits for the next entry in completion order and takes it. */
  *_next(resolve: boolean): Coroutine<T | Future<T>> {
    const me = this._loop._currentTask;
    if (me !== null && this._todo.has(me as Future<T>)) throw awaitsItself(WHERE, me.getName(), "in 'aws'");
    while (this._taken >= this._order.length) {
      const w = this._loop.createFuture<void>();
      this._waiters.push(w);
      try {
        yield* w;
      } catch (e) {
        // Cancelled after being woken: hand the wake-up on, so no entry is stranded.
        if (w.done() && !w.cancelled()) this._wakeOne();
        throw e;
      }
    }
    const f = this._order[this._taken++]!;
    if (f === TIMED_OUT) throw new TimeoutError("asCompleted: timed out");
    return resolve ? f.result() : f;
  }

  /** @internal */
  _wakeOne(): void {
    const waiters = this._waiters;
    while (waiters.length > 0) {
      const w = waiters.shift()!;
      if (!w.done()) {
        w.setResult(undefined);
        return;
      }
    }
  }
}

Object.defineProperty(AsCompleted.prototype, symbolObservable, {
  value: AsCompleted.prototype.asObservable,
  writable: true,
  configurable: true,
});

/**
 * Results in completion order. Iterate the returned object for one awaitable
 * per input; each `yield*` gives the next result to arrive (or throws the next
 * failure). With `timeout` (ms), results not in by then throw `TimeoutError`;
 * nothing is cancelled. `asObservable()` / `from(...)` gives the same order as
 * an Observable; `futures()` gives the finished futures instead of results.
 * Duplicates count once; `asCompleted([])` yields nothing.
 *
 * @example
 * ```ts
 * for (const next of asCompleted([fetchPage(1), fetchPage(2), fetchPage(3)], { timeout: 5000 })) {
 *   const r = yield* next; // earliest result first
 * }
 * from(asCompleted(tasks)).subscribe(console.log); // the same order, as an Observable
 * ```
 * @throws TypeError at once if `aws` is not an iterable of awaitables; RangeError for a negative timeout
 */
export function asCompleted<F extends Future<unknown>>(
  aws: Iterable<F>,
  options?: AsCompletedOptions,
): AsCompleted<F extends Future<infer T> ? T : never>;
export function asCompleted<T>(aws: Iterable<FutureLike<T>>, options?: AsCompletedOptions): AsCompleted<T>;
export function asCompleted(aws: Iterable<unknown>, options?: AsCompletedOptions): AsCompleted<unknown> {
  const opts = checkOptions(WHERE, options, ["timeout"]);
  const timeout = checkTimeout(WHERE, "timeout", opts.timeout, true);
  const fs = Array.from(collectFutures(WHERE, aws, true));
  const loop = fs.length > 0 ? fs[0]!._loop : getRunningLoop();
  return new AsCompleted<unknown>(loop, fs, timeout);
}
