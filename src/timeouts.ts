/**
 * `timeout` / `timeoutAt`: a scope that cancels its body when a deadline
 * passes and turns that cancellation into `TimeoutError` (asyncio's `timeouts`
 * module, CPython 3.12+ semantics).
 *
 * The scope tells its own cancellation from anyone else's with the task's
 * cancel counter: it remembers `cancelling()` on entry and, when its deadline
 * fired, calls `uncancel()` on exit; only if no other cancel request is left
 * does `CancelledError` become `TimeoutError` (bpo-46771). A cancel already
 * requested but not yet delivered when the scope starts is never taken for the
 * scope's own, even with a deadline of 0 (gh-134471).
 *
 * One deliberate nuance: if what the body waits for finished in the very loop
 * iteration in which the deadline passes, the body resumes with that result
 * first and the deadline is checked again one iteration later (once). CPython
 * would throw the result away and raise `TimeoutError`; here a result that
 * arrives together with the timeout is not lost.
 *
 * @module
 */
import type { FutureLike } from "./ensure-future.js";
import type { Coroutine } from "./coroutines.js";
import { describe } from "./coroutines.js";
import { CancelledError, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import type { Handle } from "./handles.js";
import { getRunningLoop } from "./running-loop.js";
import { checkTimeout, timeoutErrorFrom, toAwaitable } from "./internal/awaitables.js";
import type { Task } from "./tasks.js";
import { FINISHED } from "./internal/future-state.js";

const CREATED = 0;
const ENTERED = 1;
const EXPIRING = 2;
const EXPIRED = 3;
const EXITED = 4;
const STATE_NAMES = ["created", "active", "expiring", "expired", "finished"];

/** The body of a timeout scope: gets the scope, returns what to wait for. */
export type TimeoutBody<T> = (scope: Timeout) => FutureLike<T>;

/**
 * The handle of a running timeout scope (asyncio's `Timeout`), given to the
 * body of `timeout()` / `timeoutAt()`.
 *
 * @example
 * ```ts
 * yield* timeout(1000, function* (scope) {
 *   yield* step1();
 *   scope.reschedule(scope.when()! + 500); // half a second more
 *   yield* step2();
 * });
 * ```
 */
export class Timeout {
  /** @internal */ _state = CREATED;
  /** @internal */ _when: number | null;
  /** @internal A delay to turn into a deadline on entry (`timeout()`), else `null`. */
  _delay: number | null;
  /** @internal */ _handle: Handle | null = null;
  /** @internal */ _task: Task<unknown> | null = null;
  /** @internal */ _loop: EventLoop | null = null;
  /** @internal Cancel requests that are not ours (asyncio's `_cancelling`). */
  _cancelling = 0;
  /** @internal Whether the deadline already let a same-iteration result through. */
  _deferred = false;
  /** @internal */ readonly _onTimeout = (): void => {
    if (this._state !== ENTERED) return;
    const task = this._task!;
    const waited = task._futWaiter;
    if (!this._deferred && waited !== null && waited._state === FINISHED) {
      // What the body waits for finished in this very iteration: let the body
      // take it first (once), so a result arriving with the deadline is kept.
      this._deferred = true;
      this._handle = this._loop!.callSoon(this._onTimeout);
      return;
    }
    task.cancel();
    this._state = EXPIRING;
    this._handle = null;
  };

  /** Use `timeout()` / `timeoutAt()`. @internal */
  constructor(when: number | null, delay: number | null = null) {
    this._when = when;
    this._delay = delay;
  }

  /** The deadline in loop time (ms), or `null` for none. */
  when(): number | null {
    return this._when;
  }

  /**
   * Moves the deadline to loop time `when` (`null`: no deadline). A deadline
   * already past fires on the next loop iteration.
   * @throws RuntimeError unless the scope is running and has not expired
   */
  reschedule(when: number | null): void {
    if (this._state !== ENTERED) {
      if (this._state === CREATED) throw new RuntimeError("Timeout has not been entered");
      throw new RuntimeError(`Cannot change state of ${STATE_NAMES[this._state]} Timeout`);
    }
    const w = checkWhen("reschedule(when)", when);
    this._when = w;
    if (this._handle !== null) this._handle.cancel();
    if (w === null) {
      this._handle = null;
      return;
    }
    const loop = this._loop!;
    this._handle = w <= loop.time() ? loop.callSoon(this._onTimeout) : loop.callAt(w, this._onTimeout);
  }

  /** Whether the deadline passed while the body ran. */
  expired(): boolean {
    return this._state === EXPIRING || this._state === EXPIRED;
  }

  toString(): string {
    const when = this._state === ENTERED ? ` when=${this._when === null ? "None" : this._when.toFixed(3)}` : "";
    return `<Timeout [${STATE_NAMES[this._state]}]${when}>`;
  }

  /** @internal Runs `body` inside the scope (`async with` in asyncio). */
  *_run<T>(body: TimeoutBody<T>): Coroutine<T> {
    this._enter();
    let result: T;
    try {
      result = yield* toAwaitable<T>(body(this), "timeout body", "the value it returned");
    } catch (e) {
      this._exit(true, e);
      throw e;
    }
    this._exit(false, undefined);
    return result;
  }

  private _enter(): void {
    if (this._state !== CREATED) throw new RuntimeError("Timeout has already been entered");
    const loop = getRunningLoop();
    const task = loop._currentTask;
    if (task === null) throw new RuntimeError("Timeout should be used inside a task");
    this._state = ENTERED;
    this._loop = loop;
    this._task = task;
    // A cancel requested but not delivered yet is someone else's (gh-134471).
    this._cancelling = task.cancelling() - (task._mustCancel ? 1 : 0);
    if (this._delay !== null) this._when = loop.time() + this._delay;
    this.reschedule(this._when);
  }

  private _exit(failed: boolean, exc: unknown): void {
    if (this._handle !== null) {
      this._handle.cancel();
      this._handle = null;
    }
    if (this._state === EXPIRING) {
      this._state = EXPIRED;
      if (this._task!.uncancel() <= this._cancelling && failed && exc instanceof CancelledError) {
        // No cancel request but ours is left: this one is the timeout's.
        throw timeoutErrorFrom(exc);
      }
    } else if (this._state === ENTERED) {
      this._state = EXITED;
    }
  }
}

function checkWhen(where: string, when: unknown): number | null {
  if (when === null || when === Infinity) return null;
  if (typeof when !== "number" || Number.isNaN(when) || when === -Infinity) {
    throw new TypeError(`${where}: 'when' must be a loop time in ms or null, got ${describe(when)}`);
  }
  return when;
}

function checkBody(where: string, body: unknown): void {
  if (typeof body !== "function") {
    throw new TypeError(`${where}: 'body' must be a function (scope) => coroutine, got ${describe(body)}`);
  }
}

/**
 * Runs `body(scope)` with a deadline `delay` ms after the scope starts; if it
 * is still running then, it is cancelled, its cleanup runs to the end, and
 * `TimeoutError` is thrown. `yield* timeout(...)` evaluates to the body's
 * result. `null` means no deadline (it can still be set with
 * `scope.reschedule`). A cancel from outside stays a `CancelledError`.
 * Nested scopes work: only the one whose deadline passed throws.
 *
 * @example
 * ```ts
 * try {
 *   const data = yield* timeout(1000, () => fetchData());
 * } catch (e) {
 *   if (e instanceof TimeoutError) console.log("too slow");
 * }
 * ```
 * @throws TypeError / RangeError at once for a bad `delay` (negative, NaN, not a number) or `body`
 */
export function timeout<T>(delay: number | null, body: TimeoutBody<T>): Coroutine<T> {
  const ms = checkTimeout("timeout(delay, body)", "delay", delay, false);
  checkBody("timeout(delay, body)", body);
  return new Timeout(null, ms)._run(body);
}

/**
 * `timeout()` with an absolute deadline in loop time (`getRunningLoop().time()`
 * + ms); a deadline already past fires on the next loop iteration.
 *
 * @example
 * ```ts
 * const loop = getRunningLoop();
 * yield* timeoutAt(loop.time() + 5000, function* (scope) {
 *   yield* work();
 * });
 * ```
 * @throws TypeError at once for a bad `when` or `body`
 */
export function timeoutAt<T>(when: number | null, body: TimeoutBody<T>): Coroutine<T> {
  const w = checkWhen("timeoutAt(when, body)", when);
  checkBody("timeoutAt(when, body)", body);
  return new Timeout(w)._run(body);
}
