/**
 * The coroutine behind a task made from a plain (usually async) function:
 * `createTask(async () => ...)`.
 *
 * It is one object that is both the coroutine the task drives and the future
 * the task waits on while the function's promise is pending, as `sleep()`'s
 * SleepFuture is. The first form was a generator that called the function
 * and then did `yield* new PromiseFuture(promise)`: a generator (about 180
 * bytes with its register file), a PromiseFuture, and the `yield*`'s
 * iterator, per task. At 100,000 async-function tasks (issue 20's W12) the
 * garbage collector took about 60% of the run, and most of what it moved was
 * that scaffolding; this object replaces all three.
 *
 * Its steps: the task's first `next()` calls the function inside the task's
 * async context (so `currentTask()` and ContextVars work after each
 * `await`), then either suspends on itself until the promise settles, or, if
 * the function returned a coroutine, hands every later step to it.
 *
 * @module
 */
import type { CoroutineLike, Suspend } from "./coroutines.js";
import { describe, isCoroutine } from "./coroutines.js";
import { RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { Future, UNBOUND } from "./futures.js";
import { abortWith, followPromise, settleFromPromise } from "./promise-future.js";
import { getRunningLoop } from "./running-loop.js";
import { runWithTaskContext, storedTask } from "./internal/async-context.js";
import { F_BLOCKING, PENDING } from "./internal/future-state.js";
import { suspendWith } from "./internal/suspend-result.js";

/** `_step`: the function has not been called. */
const AC_START = 0;
/** `_step`: suspended on this future until the function's promise settles. */
const AC_AWAITING = 1;
/** `_step`: the function returned a coroutine; every step goes to it. */
const AC_DELEGATING = 2;
/** `_step`: finished, failed or abandoned. */
const AC_DONE = 3;

/** @internal See the module comment. */
export class AsyncCall<T> extends Future<T> implements CoroutineLike<T> {
  /** @internal The function the task runs (what `rx-asyncio ps` names). */
  declare readonly _fn: (signal: AbortSignal) => unknown;
  /** @internal Where the task is (AC_*): a field of its own, not `_state`, which is the future's. */
  declare _step: number;
  /** @internal The coroutine the function returned (AC_DELEGATING), else null. */
  declare _inner: CoroutineLike<T> | null;
  /** @internal Aborted when the task is cancelled, if the function takes a signal. */
  declare _abort: AbortController | null;
  /** @internal The promise counts as outside work of the loop until it settles. */
  declare _outside: boolean;
  /** @internal What the error messages call the task's maker (`createTask(coro)`, ...). */
  declare readonly _where: string;

  constructor(fn: (signal: AbortSignal) => unknown, where: string) {
    super(UNBOUND);
    this._fn = fn;
    this._step = AC_START;
    this._inner = null;
    this._abort = null;
    this._outside = false;
    this._where = where;
  }

  next(): IteratorResult<Suspend, T> {
    const step = this._step;
    if (step === AC_START) return this._start();
    if (step === AC_DELEGATING) return this._inner!.next();
    // The one legitimate later next(): the task resuming after the promise
    // settled with a value (a failure or cancel comes in through throw()).
    if (step === AC_DONE || this._state === PENDING) {
      throw new RuntimeError(`cannot reuse already awaited coroutine: the async function ${describe(this._fn)} of a task`);
    }
    this._step = AC_DONE;
    return { done: true, value: this.result() };
  }

  throw(e: unknown): IteratorResult<Suspend, T> {
    if (this._step === AC_DELEGATING) return this._inner!.throw(e);
    this._abandon();
    throw e;
  }

  return(value?: T): IteratorResult<Suspend, T> {
    if (this._step === AC_DELEGATING && typeof this._inner!.return === "function") return this._inner!.return(value);
    this._abandon();
    return { done: true, value: value as T };
  }

  override [Symbol.iterator](): this {
    return this;
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    abortWith(this, msg);
    return true;
  }

  override _traceLabel(): string {
    return "promise";
  }

  /** The task's first step: calls the function, inside the task's async context. */
  private _start(): IteratorResult<Suspend, T> {
    this._step = AC_DONE; // until it is known to wait: a throw below ends the task
    const loop = getRunningLoop();
    (this as { _loop: EventLoop })._loop = loop;
    if (wantsSignal(this._fn)) this._abort = new AbortController();
    const r = runWithTaskContext(loop, loop._currentTask, callInTask, this as AsyncCall<unknown>);
    if (isCoroutine(r)) {
      this._abort = null;
      this._step = AC_DELEGATING;
      this._inner = r as CoroutineLike<T>;
      return this._inner.next();
    }
    if (!isPromiseLike(r)) {
      this._abort = null;
      throw new TypeError(`${this._where}: the function must return a coroutine or a promise, got ${describe(r)}`);
    }
    if (loop._debug) loop._recordSource(this);
    this._step = AC_AWAITING;
    loop._beginExternal();
    if (!this._outside) {
      // Not followed inside the task's context (no AsyncLocalStorage, not a
      // native promise, no task): closures.
      this._outside = true;
      followPromise(this, r);
    }
    this._flags |= F_BLOCKING;
    return suspendWith(this as Future<unknown>);
  }

  /** @internal */
  _settle(ok: boolean, v: unknown): void {
    settleFromPromise(this, ok, v);
  }

  /** The task stopped waiting (cancelled, or closed): the promise's outcome no longer matters. */
  private _abandon(): void {
    this._step = AC_DONE;
    if (this._state === PENDING && this._loop !== null) this.cancel();
  }
}

/**
 * Calls the task's function, inside its async context. A native promise with
 * a task behind it is followed right there, by two shared functions: its
 * reactions run with the same store (the task), whose coroutine is this
 * call. That saves the two closures and their context per task (about 170
 * bytes); a thenable of another kind is followed by closures, since it
 * calls its callbacks where it likes.
 */
function callInTask(call: AsyncCall<unknown>): unknown {
  const fn = call._fn;
  const ac = call._abort;
  const r = ac === null ? (fn as () => unknown)() : fn(ac.signal);
  if (r instanceof Promise && r.then === nativeThen && storedTask()?._coro === call) {
    call._outside = true;
    nativeThen.call(r, settledWithValue, settledWithError);
  }
  return r;
}

const nativeThen = Promise.prototype.then;

function settledWithValue(v: unknown): void {
  (storedTask()!._coro as AsyncCall<unknown>)._settle(true, v);
}

function settledWithError(e: unknown): void {
  (storedTask()!._coro as AsyncCall<unknown>)._settle(false, e);
}

/** The function an async-function task runs, if `coro` is such a task's coroutine. @internal */
export function _plainFunctionOf(coro: object): Function | undefined {
  return coro instanceof AsyncCall ? coro._fn : undefined;
}

function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === "object" || typeof x === "function") && x !== null && typeof (x as PromiseLike<unknown>).then === "function";
}

/**
 * Whether `fn` declares a parameter, so it gets an AbortSignal. `fn.length`
 * misses `async (signal = undefined) => ...` and rest parameters (both 0), so
 * a 0 is checked against the source's parameter list. Not simply always: an
 * AbortSignal costs tens of microseconds to make in Node, more than the rest
 * of an async task, and a function with no parameter cannot receive one.
 */
function wantsSignal(fn: (...args: never[]) => unknown): boolean {
  if (fn.length > 0) return true;
  const src = Function.prototype.toString.call(fn);
  const open = src.indexOf("(");
  if (open < 0) return false;
  const close = src.indexOf(")", open + 1);
  return close < 0 || src.slice(open + 1, close).trim() !== "";
}
