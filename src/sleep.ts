/**
 * `sleep(ms, value?)`: suspend the current task.
 *
 * @module
 */
import type { CoroutineLike, Suspend } from "./coroutines.js";
import { describe } from "./coroutines.js";
import type { EventLoop } from "./event-loop.js";
import { getRunningLoop, type Runnable } from "./events.js";
import { F_BLOCKING, Future } from "./futures.js";
import { TIMER_OFF, type TimerEntry } from "./internal/timer-heap.js";

/**
 * A future that is its own timer-heap entry: one object per sleep, no handle
 * and no closure. Cancelling it marks the heap entry dead (lazy removal).
 * @internal
 */
export class SleepFuture<T> extends Future<T> implements TimerEntry, Runnable {
  declare _when: number;
  declare _seq: number;
  declare _timerState: number;
  /** @internal The delay asked for (ms): what traces call this sleep. */
  declare readonly _delay: number;

  constructor(loop: EventLoop, when: number, value: T, delay: number) {
    super(loop);
    this._when = when;
    this._seq = 0;
    this._timerState = TIMER_OFF;
    this._delay = delay;
    // The value to finish with waits in `_result`, which nobody reads while
    // the future is pending: one field less per sleeping task.
    this._result = value;
    loop._addTimer(this, delay);
  }

  _run(): void {
    if (this._state === 0) {
      this._state = 1;
      this._scheduleCallbacks();
    }
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    this._loop._timerCancelled(this);
    return true;
  }

  _label(): string {
    return `sleep until ${this._when}`;
  }

  override _traceLabel(): string {
    return `sleep until ${this._when}`;
  }
}

const S_START = 0;
const S_YIELDED = 1;
const S_DONE = 2;

/**
 * The coroutine object `sleep()` returns: a hand-written iterator, so a sleep
 * costs one small object (plus one timer future when `ms > 0`), not a generator.
 */
class SleepOp<T> implements Iterator<Suspend, T, unknown> {
  private declare _step: number;
  private declare _fut: SleepFuture<T> | null;
  private declare readonly _ms: number;
  private declare readonly _value: T;

  constructor(ms: number, value: T) {
    this._step = S_START;
    this._fut = null;
    this._ms = ms;
    this._value = value;
  }

  next(): IteratorResult<Suspend, T> {
    if (this._step === S_START) {
      this._step = S_YIELDED;
      if (this._ms <= 0) return { done: false, value: undefined };
      const loop = getRunningLoop();
      const fut = new SleepFuture<T>(loop, loop.time() + this._ms, this._value, this._ms);
      this._fut = fut;
      fut._flags |= F_BLOCKING;
      return { done: false, value: fut as Future<unknown> };
    }
    if (this._step === S_YIELDED) {
      this._step = S_DONE;
      const fut = this._fut;
      if (fut !== null) {
        this._fut = null;
        return { done: true, value: fut.result() };
      }
      return { done: true, value: this._value };
    }
    return { done: true, value: undefined as T };
  }

  throw(e: unknown): IteratorResult<Suspend, T> {
    this._abandon();
    throw e;
  }

  return(value?: T): IteratorResult<Suspend, T> {
    this._abandon();
    return { done: true, value: value as T };
  }

  [Symbol.iterator](): this {
    return this;
  }

  private _abandon(): void {
    this._step = S_DONE;
    const fut = this._fut;
    this._fut = null;
    if (fut !== null && fut._state === 0) fut.cancel();
  }
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
  return new SleepOp<T>(ms, value as T) as SleepAwaitable<T>;
}

/** What `sleep()` returns: a coroutine object to `yield*` (once). */
export type SleepAwaitable<T> = CoroutineLike<T>;
