/**
 * `Future`: a result that will be set later (asyncio's `futures` module).
 *
 * @module
 */
import { Observable, observable as symbolObservable, type Subscriber } from "rxjs";
import type { Coroutine, Suspend } from "./coroutines.js";
import { describe } from "./coroutines.js";
import { CancelledError, InvalidStateError, loopCancelledError, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { DoneCallbackHandle, type Runnable } from "./handles.js";
import { bindToContext, type ContextCallback } from "./contextvars.js";
import { CANCELLED, F_BLOCKING, F_EXCEPTION, F_LOG_TRACEBACK, FINISHED, PENDING, STATE_BITS } from "./internal/future-state.js";
import { checkLoop } from "./internal/loop-checks.js";
import { suspendWith } from "./internal/suspend-result.js";
import { getRunningLoop } from "./running-loop.js";

/**
 * What a future made before it has a loop is given instead of one: `sleep()`
 * returns its own timer future, which binds to the loop that first steps it.
 * Until then `_loop` is `null`, and `isFuture()` says no. @internal
 */
export const UNBOUND = Object.freeze({ unbound: true }) as unknown as EventLoop;

/** A done callback: called (through `callSoon`) with the finished future. */
export type DoneCallback<T> = (fut: Future<T>) => void;

/** A callback slot: a function, or a task to wake (the fast path, no allocation). */
type Callback = DoneCallback<never> | Runnable;

/**
 * A result that is set later, as asyncio's `Future`. `yield*` a future inside a
 * coroutine to wait for it; `await` it in async code; `from(fut)` in RxJS.
 *
 * @example
 * ```ts
 * function* main(): Coroutine<number> {
 *   const fut = getRunningLoop().createFuture<number>();
 *   getRunningLoop().callLater(100, () => fut.setResult(42));
 *   return yield* fut; // 42, after 100 ms
 * }
 * ```
 */
export class Future<T = unknown> implements PromiseLike<T> {
  // Fields are declared here and assigned in the constructor, and kept few:
  // every task is a Future, and a program with 100k pending tasks pays for each
  // slot 100k times. What each slot and `_flags` bit means, in each state, is
  // the table in internal/future-state.ts.
  /** @internal */ declare readonly _loop: EventLoop;
  /** @internal The result; also the cancel message (see internal/future-state.ts). */ declare _result: T | undefined;
  /** @internal The exception; also a CancelledError or one to throw in (see internal/future-state.ts). */
  declare _exception: unknown;
  /** @internal A function or task, an array of them, or `null`. */ declare _callbacks: Callback | Callback[] | null;
  /** @internal F_* bits, and a Task's cancel count above them (internal/future-state.ts). */ declare _flags: number;

  /** A pending future on `loop` (the running loop when omitted). */
  constructor(loop?: EventLoop) {
    this._result = undefined;
    this._exception = undefined;
    this._callbacks = null;
    this._flags = 0;
    if (loop === UNBOUND) {
      // A sleep() not awaited yet: it binds to the loop that starts it.
      this._loop = null as unknown as EventLoop;
      return;
    }
    const l = loop == null ? getRunningLoop() : checkLoop("new Future(loop)", loop);
    this._loop = l;
    if (l._debug) l._recordSource(this);
  }

  /**
   * @internal PENDING, FINISHED or CANCELLED: the low bits of `_flags`
   * (internal/future-state.ts), so a future has one number field for its
   * state and its flags, not two (8 bytes per pending task and sleep).
   * The kernel's hot paths (this file, tasks, sleep, gather, wait, the
   * waiting operations) read `_flags & STATE_BITS` instead: until V8
   * optimizes a caller, each accessor read is a call.
   */
  get _state(): number {
    return this._flags & STATE_BITS;
  }

  set _state(state: number) {
    this._flags = (this._flags & ~STATE_BITS) | state;
  }

  /** @internal Where it was created, when the loop was in debug mode then. */
  get _sourceTraceback(): string | undefined {
    return this._loop === null ? undefined : this._loop._sourceOf(this);
  }

  /**
   * @internal The cancel message. It lives in `_result`, which a cancelled
   * future, or a task with a cancel pending, has no other use for. (A pending
   * sleep keeps its value there: never read this on one.)
   */
  get _cancelMessage(): string | undefined {
    return (this._flags & STATE_BITS) === FINISHED ? undefined : (this._result as string | undefined);
  }

  set _cancelMessage(msg: string | undefined) {
    this._result = msg as T;
  }

  /** @internal True while an exception is set and nobody has looked at it. */
  get _logTraceback(): boolean {
    return (this._flags & F_LOG_TRACEBACK) !== 0;
  }

  /** Whether it has a result, an exception, or was cancelled. */
  done(): boolean {
    return (this._flags & STATE_BITS) !== PENDING;
  }

  /** Whether it was cancelled. */
  cancelled(): boolean {
    return (this._flags & STATE_BITS) === CANCELLED;
  }

  /**
   * The result. Throws the exception if one was set, `CancelledError` if it was
   * cancelled, `InvalidStateError` if it is still pending.
   */
  result(): T {
    if ((this._flags & STATE_BITS) === FINISHED) {
      if (this._logTraceback) this._retrieved();
      if ((this._flags & F_EXCEPTION) !== 0) throw this._exception;
      return this._result as T;
    }
    if ((this._flags & STATE_BITS) === CANCELLED) throw this._makeCancelledError();
    throw new InvalidStateError("Result is not ready: the future is still pending");
  }

  /**
   * The exception, or `null` if the future finished normally. Throws
   * `CancelledError` if it was cancelled, `InvalidStateError` if pending.
   */
  exception(): unknown {
    if ((this._flags & STATE_BITS) === FINISHED) {
      if (this._logTraceback) this._retrieved();
      return (this._flags & F_EXCEPTION) !== 0 ? this._exception : null;
    }
    if ((this._flags & STATE_BITS) === CANCELLED) throw this._makeCancelledError();
    throw new InvalidStateError("Exception is not set: the future is still pending");
  }

  /**
   * Marks the future done with `value` and schedules its callbacks.
   * @throws InvalidStateError if it is already done; RuntimeError if its loop is closed
   */
  setResult(value: T): void {
    if ((this._flags & STATE_BITS) !== PENDING) throw new InvalidStateError(`invalid state: the future is already ${this._stateName()}`);
    if (this._loop._closed) throwLoopClosed("setResult()");
    this._result = value;
    this._flags |= FINISHED; // from PENDING (0): no state bits to clear
    this._scheduleCallbacks();
  }

  /**
   * Marks the future done with `exception` and schedules its callbacks. Any
   * value but `null` and `undefined` is a failure (`throw "x"` is legal
   * JavaScript); those two are refused, since `exception()` could not tell
   * them from "no exception": pass an Error.
   * @throws TypeError if `exception` is null or undefined; InvalidStateError if it is already done; RuntimeError if its loop is closed
   */
  setException(exception: unknown): void {
    if ((this._flags & STATE_BITS) !== PENDING) throw new InvalidStateError(`invalid state: the future is already ${this._stateName()}`);
    if (this._loop._closed) throwLoopClosed("setException()");
    if (exception === undefined || exception === null) {
      throw new TypeError(`setException(exception): 'exception' must be an Error (any value but null or undefined), got ${describe(exception)}`);
    }
    this._fail(exception);
  }

  /** @internal Finishes the future with an exception (not nullish: see `nullishFailure`). */
  _fail(exception: unknown): void {
    this._exception = exception;
    this._flags = (this._flags & ~STATE_BITS) | FINISHED | F_LOG_TRACEBACK | F_EXCEPTION;
    this._loop._unretrieved.add(this);
    this._scheduleCallbacks();
  }

  /** @internal Whether it finished with an exception (the F_EXCEPTION bit). */
  get _failed(): boolean {
    return (this._flags & F_EXCEPTION) !== 0;
  }

  /**
   * Cancels the future: it becomes done and its callbacks are scheduled.
   * Returns `false` if it was already done.
   */
  cancel(msg?: string): boolean {
    if ((this._flags & STATE_BITS) !== PENDING) return false;
    this._flags |= CANCELLED; // from PENDING (0)
    this._cancelMessage = msg;
    this._scheduleCallbacks();
    return true;
  }

  /**
   * Calls `fn(future)` through `callSoon` once the future is done (at once,
   * through `callSoon`, if it already is). Never synchronous.
   * @throws RuntimeError if the future's loop is closed (the callback could never run)
   */
  addDoneCallback(fn: DoneCallback<T>): void {
    if (typeof fn !== "function") {
      throw new TypeError(`addDoneCallback(fn): 'fn' must be a function, got ${describe(fn)}`);
    }
    if (this._loop._closed) throwLoopClosed("addDoneCallback()");
    // It runs in a copy of the context current now (asyncio's add_done_callback).
    const cb = bindToContext(fn) as DoneCallback<T>;
    if ((this._flags & STATE_BITS) !== PENDING) {
      this._loop._pushReady(new DoneCallbackHandle(cb, this));
      return;
    }
    this._addCallback(cb as DoneCallback<never>);
  }

  /** Removes every registration of `fn`; returns how many were removed. */
  removeDoneCallback(fn: DoneCallback<T>): number {
    const cbs = this._callbacks;
    if (cbs === null) return 0;
    if (!Array.isArray(cbs)) {
      if (cbs === fn || (cbs as Partial<ContextCallback<never>>)._fn === fn) {
        this._callbacks = null;
        return 1;
      }
      return 0;
    }
    const kept = cbs.filter((cb) => cb !== fn && (cb as Partial<ContextCallback<never>>)._fn !== fn);
    const removed = cbs.length - kept.length;
    this._callbacks = kept.length === 0 ? null : kept;
    return removed;
  }

  /** The loop the future belongs to. */
  getLoop(): EventLoop {
    return this._loop;
  }

  /** `yield*` support: suspends until done, then gives the result (or throws). */
  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    return new FutureIter(this);
  }

  /** `await` support: settles with the result or the exception. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this._toPromise().then(onFulfilled, onRejected);
  }

  /**
   * RxJS interop (installed under RxJS's `observable` symbol, which `from()`
   * looks for first): emits the result once and completes, or errors.
   */
  asObservable(): Observable<T> {
    return new Observable<T>((subscriber) => {
      const settle = (f: Future<T>) => f._emitTo(subscriber);
      this.addDoneCallback(settle);
      return () => {
        this.removeDoneCallback(settle);
      };
    });
  }

  toString(): string {
    return `<${this.constructor.name} ${this._stateName()}>`;
  }

  /**
   * @internal The one Future-to-Observable step: a done future's outcome to
   * `subscriber`, as its result then completion, or as an error.
   */
  _emitTo(subscriber: Subscriber<T>): void {
    let v: T;
    try {
      v = this.result();
    } catch (e) {
      subscriber.error(e);
      return;
    }
    subscriber.next(v);
    subscriber.complete();
  }

  /** @internal */
  _toPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (f: Future<T>) => {
        try {
          resolve(f.result());
        } catch (e) {
          reject(e);
        }
      };
      // A finished future settles without the loop, which may be closed by now.
      if ((this._flags & STATE_BITS) !== PENDING) {
        settle(this);
        return;
      }
      // Promise code waiting on the loop: the virtual clock may move on for it
      // (an async-function task awaiting a sleep must not deadlock).
      const loop = this._loop;
      // A closed loop runs no callback again: the promise would never settle.
      if (loop._closed) {
        reject(new RuntimeError("Event loop is closed: awaiting a pending future of a closed loop would never settle"));
        return;
      }
      loop._beginLoopWait();
      this._addCallback(((f: Future<T>) => {
        loop._endLoopWait();
        settle(f);
      }) as DoneCallback<never>);
    });
  }

  /** @internal */
  _addCallback(cb: Callback): void {
    const cbs = this._callbacks;
    if (cbs === null) this._callbacks = cb;
    else if (Array.isArray(cbs)) cbs.push(cb);
    else this._callbacks = [cbs, cb];
  }

  /** @internal Removes a task waiting on this future (a task that stops waiting). */
  _removeWaiter(r: Runnable): void {
    const cbs = this._callbacks;
    if (cbs === r) this._callbacks = null;
    else if (Array.isArray(cbs)) {
      const i = cbs.indexOf(r);
      if (i >= 0) cbs.splice(i, 1);
    }
  }

  /** @internal */
  _scheduleCallbacks(): void {
    const cbs = this._callbacks;
    if (cbs === null) return;
    this._callbacks = null;
    const loop = this._loop;
    if (!Array.isArray(cbs)) {
      loop._pushReady(typeof cbs === "function" ? new DoneCallbackHandle(cbs as DoneCallback<T>, this) : cbs);
      return;
    }
    for (let i = 0; i < cbs.length; i++) {
      const c = cbs[i]!;
      loop._pushReady(typeof c === "function" ? new DoneCallbackHandle(c as DoneCallback<T>, this) : c);
    }
  }

  /** @internal */
  _makeCancelledError(): CancelledError {
    return (this._exception ??= loopCancelledError(this._cancelMessage)) as CancelledError;
  }

  /** @internal */
  _retrieved(): void {
    this._flags &= ~F_LOG_TRACEBACK;
    this._loop._unretrieved.delete(this);
  }

  /** @internal What a task waiting on this future waits on, for traces and task trees. */
  _traceLabel(): string {
    return "future";
  }

  /** @internal */
  _stateName(): string {
    return (this._flags & STATE_BITS) === PENDING ? "pending" : (this._flags & STATE_BITS) === CANCELLED ? "cancelled" : "finished";
  }
}

Object.defineProperty(Future.prototype, symbolObservable, {
  value: Future.prototype.asObservable,
  writable: true,
  configurable: true,
});

/**
 * A closed loop drops its ready queue and never runs again, so a callback
 * scheduled on it would be lost without a word: CPython's `call_soon` raises
 * here too (`RuntimeError: Event loop is closed`).
 */
function throwLoopClosed(what: string): never {
  throw new RuntimeError(`Event loop is closed: ${what} on a future of a closed loop (its callbacks could never run)`);
}

/**
 * The iterator behind `yield* future`: yields the future once (flagged as a
 * proper `yield*`, so a bare `yield fut` is caught as a mistake), then returns
 * its result or throws its exception into the coroutine.
 */
class FutureIter<T> implements Iterator<Suspend, T, unknown> {
  private declare _yielded: boolean;
  private declare readonly _fut: Future<T>;

  constructor(fut: Future<T>) {
    this._fut = fut;
    this._yielded = false;
  }

  next(): IteratorResult<Suspend, T> {
    const fut = this._fut;
    if ((fut._flags & STATE_BITS) !== PENDING) return { done: true, value: fut.result() };
    if (this._yielded) {
      throw new RuntimeError("yield* resumed before the future was done (was the coroutine stepped by hand?)");
    }
    this._yielded = true;
    fut._flags |= F_BLOCKING;
    return suspendWith(fut as Future<unknown>);
  }

  throw(e: unknown): IteratorResult<Suspend, T> {
    throw e;
  }

  return(value?: T): IteratorResult<Suspend, T> {
    return { done: true, value: value as T };
  }
}

/**
 * Whether `x` is a Future (or Task). A `sleep()` not awaited yet is a
 * coroutine, as in asyncio, though it becomes its own future once started.
 */
export function isFuture(x: unknown): x is Future<unknown> {
  return x instanceof Future && x._loop !== null;
}

/** The result type of a coroutine, future or task. */
export type ResultOf<A> = A extends Future<infer T> ? T : A extends Coroutine<infer T> ? T : never;
