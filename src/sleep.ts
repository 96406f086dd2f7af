/**
 * `sleep(ms, value?)`: suspend the current task.
 *
 * @module
 */
import type { CoroutineLike, Suspend } from "./coroutines.js";
import { describe } from "./coroutines.js";
import { type CancelledError, loopCancelledError, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import type { Runnable } from "./handles.js";
import { _getRunningLoop, getRunningLoop } from "./running-loop.js";
import { markAwaited, trackUnawaited, unawaitedState } from "./internal/loop-debug.js";
import { Future, UNBOUND } from "./futures.js";
import type { TimerEntry } from "./internal/timer-heap.js";
import { F_BLOCKING, F_EXCEPTION, F_SLEEP_DONE, F_YIELDED, FINISHED, PENDING, STATE_BITS } from "./internal/future-state.js";
import { DONE_VOID, suspendWith } from "./internal/suspend-result.js";

/**
 * What `sleep(ms)` returns for `ms > 0`: a coroutine object that is also the
 * future it waits on and its own timer-heap entry, so a sleeping task costs
 * one object here, with no handle and no closure. Until first stepped it has
 * no loop and no timer (a coroutine does nothing before it is awaited), and
 * `isFuture()` says no; the first `next()` binds it to the running loop, arms
 * the timer and suspends on itself. Cancelling it marks the heap entry dead
 * (lazy removal).
 * @internal
 */
export class SleepFuture<T> extends Future<T> implements CoroutineLike<T>, TimerEntry, Runnable {
  declare _when: number;
  declare _seq: number;

  constructor(delay: number, value: T) {
    super(UNBOUND);
    this._when = 0;
    this._seq = 0;
    // The value to finish with waits in `_result`, and the delay in
    // `_exception`, slots nobody reads while the future is pending: two fields
    // less per sleeping task (the table of double-duty slots:
    // internal/future-state.ts).
    this._result = value;
    this._exception = delay;
  }

  next(): IteratorResult<Suspend, T> {
    if (this._loop === null && (this._flags & STATE_BITS) === PENDING) {
      if (unawaitedState.count !== 0) markAwaited(this);
      const loop = getRunningLoop();
      (this as { _loop: EventLoop })._loop = loop;
      if (loop._debug) loop._recordSource(this);
      const delay = this._exception as number;
      this._when = loop.time() + delay;
      loop._addTimer(this, delay);
      this._flags |= F_BLOCKING;
      return suspendWith(this as Future<unknown>);
    }
    // The one legitimate second next(): the task resuming after the timer.
    // Anything else awaits this sleep again, or while it is awaited.
    const flags = this._flags;
    if ((flags & F_SLEEP_DONE) !== 0 || (flags & STATE_BITS) === PENDING) throw reusedCoroutine(`sleep(${this._delay})`);
    this._flags = flags | F_SLEEP_DONE;
    // Finished by its timer: the value waiting in `_result` (result() only when it failed or was cancelled).
    const value = (flags & STATE_BITS) === FINISHED && (flags & F_EXCEPTION) === 0 ? (this._result as T) : this.result();
    // A sleep without a value (nearly all) ends with the shared frozen result:
    // no 40-byte `{ done, value }` per sleep.
    return value === undefined ? (DONE_VOID as IteratorResult<Suspend, T>) : { done: true, value };
  }

  throw(e: unknown): IteratorResult<Suspend, T> {
    this._abandon();
    throw e;
  }

  return(value?: T): IteratorResult<Suspend, T> {
    this._abandon();
    return { done: true, value: value as T };
  }

  override [Symbol.iterator](): this {
    return this;
  }

  /** `await sleep(ms)` is a mistake that used to pass silently: say so. */
  override then(): never {
    throw new TypeError("sleep(ms) returns a coroutine: write `yield* sleep(ms)` in a generator (in async code: `await ensureFuture(sleep(ms))`)");
  }

  _run(): void {
    if ((this._flags & STATE_BITS) === PENDING) {
      this._flags |= FINISHED; // from PENDING (0): no state bits to clear
      this._scheduleCallbacks();
    }
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    if (this._loop !== null) this._loop._timerCancelled(this);
    return true;
  }

  override _traceLabel(): string {
    return `sleep until ${this._when}`;
  }

  /**
   * @internal The delay asked for (ms), what traces call this sleep (kept in
   * `_exception`: see the constructor); NaN if it failed, which only a caller
   * of setException() on the sleep itself can make it do.
   */
  get _delay(): number {
    return (this._flags & F_EXCEPTION) !== 0 ? NaN : (this._exception as number);
  }

  /**
   * @internal A new CancelledError each time, as CPython's
   * `_make_cancelled_error` makes one per call: `_exception`, where other
   * futures keep theirs, still holds the delay, for traces of the wait.
   */
  override _makeCancelledError(): CancelledError {
    return loopCancelledError(this._cancelMessage);
  }

  /** The task stopped waiting (cancelled, or its generator closed): the timer goes too. */
  private _abandon(): void {
    if (unawaitedState.count !== 0) markAwaited(this);
    this._flags |= F_SLEEP_DONE;
    if (this._state === PENDING) this.cancel();
  }
}

/** CPython's words for a coroutine awaited a second time. */
function reusedCoroutine(what: string): RuntimeError {
  return new RuntimeError(`cannot reuse already awaited coroutine: ${what} (each sleep() call gives a coroutine to yield* once)`);
}

const Y_START = 0;
const Y_YIELDED = 1;
const Y_DONE = 2;

/** What `sleep(0)` returns: yields once (the task is simply requeued), then gives `value`. */
class YieldOp<T> implements CoroutineLike<T> {
  private declare _step: number;
  private declare readonly _value: T;

  constructor(value: T) {
    this._step = Y_START;
    this._value = value;
  }

  next(): IteratorResult<Suspend, T> {
    if (this._step === Y_START) {
      if (unawaitedState.count !== 0) markAwaited(this);
      this._step = Y_YIELDED;
      return suspendWith(undefined);
    }
    if (this._step === Y_YIELDED) {
      this._step = Y_DONE;
      return { done: true, value: this._value };
    }
    throw reusedCoroutine("sleep(0)");
  }

  throw(e: unknown): IteratorResult<Suspend, T> {
    this._step = Y_DONE;
    throw e;
  }

  return(value?: T): IteratorResult<Suspend, T> {
    this._step = Y_DONE;
    return { done: true, value: value as T };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * What `sleep(0)` with no value returns outside debug mode: one shared,
 * frozen operation, so the most common hop of all allocates nothing (a
 * YieldOp and its final `{ done, value }` were 80 bytes per hop; issue 20's
 * W1, W3 and W8 make 100,000 hops). Its one piece of state, "this task is
 * suspended in me", is the task's F_YIELDED bit: a task is suspended in one
 * place at a time. The price: awaiting one such `sleep(0)` twice yields twice
 * instead of raising (it has no result to get wrong); debug mode returns a
 * fresh YieldOp, which refuses it, and `sleep(0, value)` always does. Frozen,
 * so no task can mark it as its own coroutine (tasks.ts, OWNER).
 */
const SHARED_YIELD: CoroutineLike<void> = Object.freeze({
  next(): IteratorResult<Suspend, void> {
    const task = _getRunningLoop()?._currentTask;
    if (task == null) throw new RuntimeError("sleep(0) was stepped outside a task (yield* it in a coroutine)");
    if ((task._flags & F_YIELDED) === 0) {
      task._flags |= F_YIELDED;
      return suspendWith(undefined);
    }
    task._flags &= ~F_YIELDED;
    return DONE_VOID;
  },
  throw(e: unknown): IteratorResult<Suspend, void> {
    clearYielded();
    throw e;
  },
  return(): IteratorResult<Suspend, void> {
    clearYielded();
    return DONE_VOID;
  },
  [Symbol.iterator]() {
    return this;
  },
});

function clearYielded(): void {
  const task = _getRunningLoop()?._currentTask;
  if (task != null) task._flags &= ~F_YIELDED;
}

/**
 * Suspends the current task for `ms` milliseconds, then evaluates to `value`.
 * `sleep(0)` just lets every other ready task run first.
 *
 * @example
 * ```ts
 * function* main(): Coroutine<string> {
 *   console.log("Hello");
 *   yield* sleep(1000);
 *   return yield* sleep(10, "World");
 * }
 * ```
 * @throws TypeError if `ms` is not a number; RangeError if it is negative or not finite
 */
export function sleep(ms: number): SleepAwaitable<void>;
export function sleep<T>(ms: number, value: T): SleepAwaitable<T>;
export function sleep<T>(ms: number, value?: T): SleepAwaitable<T> {
  if (typeof ms !== "number") throw new TypeError(`sleep(ms): 'ms' must be a number of milliseconds, got ${describe(ms)}`);
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`sleep(ms): 'ms' must be a finite number of milliseconds >= 0, got ${describe(ms)}`);
  }
  const loop = _getRunningLoop();
  const debug = loop !== null && loop._debug;
  if (ms === 0 && value === undefined && !debug) return SHARED_YIELD as CoroutineLike<T>;
  // An integral delay that arrives as a double (`x % 201`, `base * 2 ** k`) is
  // passed on as a small integer: V8 gives a class's number field one
  // representation, and once a double is stored there every later sleep boxes
  // its delay (kept in `_exception` while pending) and, on the virtual clock,
  // its `_when` in a heap number of its own: up to 32 bytes and two
  // allocations more per sleeping task, all live, copied by every scavenge
  // (W10: 20,000 sleeps of LCG delays).
  const coro = ms > 0 ? new SleepFuture<T>((ms | 0) === ms ? ms | 0 : ms, value as T) : new YieldOp<T>(value as T);
  if (debug) trackUnawaited(loop, coro, `sleep(${ms})`);
  return coro;
}

/** What `sleep()` returns: a coroutine object to `yield*` (once). */
export type SleepAwaitable<T> = CoroutineLike<T>;
