/**
 * `Condition`: asyncio's condition variable over a `Lock`.
 *
 * @module
 */
import type { Coroutine, CoroutineLike } from "./coroutines.js";
import { describe } from "./coroutines.js";
import { CancelledError, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { checkBody, Held, holdOf, runHeld } from "./held.js";
import { boundLoop } from "./internal/loop-bound.js";
import { ParkingLot, WAKE } from "./internal/parking-lot.js";
import { Lock } from "./lock.js";
import { FINISHED, PENDING } from "./internal/future-state.js";

/**
 * A condition variable (asyncio's `Condition`): tasks holding its lock
 * `wait()` until another task `notify()`s them. Waiters are notified in the
 * order they started waiting. `wait()` always re-acquires the lock before it
 * returns or throws, even when cancelled, and re-throws the original
 * `CancelledError`; a waiter cancelled after it was notified passes the
 * notification to the next waiter, so a `notify()` is never lost.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const items: number[] = [];
 * function* consumer(): Coroutine<number> {
 *   return yield* cond.withLock(function* () {
 *     yield* cond.waitFor(() => items.length > 0);
 *     return items.shift()!;
 *   });
 * }
 * function* producer(): Coroutine<void> {
 *   yield* cond.withLock(function* () {
 *     items.push(1);
 *     cond.notify();
 *   });
 * }
 * ```
 * @throws TypeError if `lock` is given and is not a `Lock`
 */
export class Condition {
  /** @internal */ readonly _lock: Lock;
  /** @internal */ readonly _lot = new ParkingLot("Condition.wait");
  /** @internal */ _loop: EventLoop | null = null;

  /** A condition over `lock`, or over a new `Lock`. */
  constructor(lock?: Lock) {
    if (lock === undefined) lock = new Lock();
    else if (!(lock instanceof Lock)) {
      throw new TypeError(`new Condition(lock): 'lock' must be a Lock, got ${describe(lock)}`);
    }
    this._lock = lock;
  }

  /** Whether the underlying lock is held. */
  locked(): boolean {
    return this._lock._locked;
  }

  /** Acquires the underlying lock (see `Lock.acquire`). */
  acquire(): CoroutineLike<true> {
    return this._lock.acquire();
  }

  /**
   * Releases the underlying lock.
   * @throws RuntimeError if it is not held
   */
  release(): void {
    this._lock.release();
  }

  /** Acquires the lock and evaluates to a `Held` handle for `using`. */
  hold(): Coroutine<Held> {
    return holdOf(this._lock);
  }

  /**
   * Runs `body` holding the lock; releases it on return, exception and
   * cancellation.
   * @throws TypeError at once if `body` is not a function
   */
  withLock<R>(body: () => CoroutineLike<R>): Coroutine<R> {
    checkBody("Condition.withLock(body)", body);
    return runHeld(this._lock, body);
  }

  /**
   * Releases the lock, waits until notified, re-acquires the lock; evaluates
   * to `true`. May return spuriously: re-check your condition (or use
   * `waitFor`).
   * @throws RuntimeError (when run) if the lock is not held
   */
  wait(): Coroutine<true> {
    return conditionWait(this);
  }

  /**
   * Waits until `predicate()` is truthy and evaluates to its value; the lock
   * must be held unless the predicate is already true.
   *
   * @example
   * ```ts
   * yield* cond.withLock(function* () { yield* cond.waitFor(() => done); });
   * ```
   * @throws TypeError at once if `predicate` is not a function
   */
  waitFor<R>(predicate: () => R): Coroutine<R> {
    if (typeof predicate !== "function") {
      throw new TypeError(`Condition.waitFor(predicate): 'predicate' must be a function, got ${describe(predicate)}`);
    }
    return conditionWaitFor(this, predicate);
  }

  /**
   * Wakes up to `n` waiting tasks (oldest first). They return from `wait()`
   * once they get the lock, so release it after notifying.
   * @throws RuntimeError if the lock is not held
   * @throws TypeError if `n` is not a number; RangeError if it is negative or NaN
   */
  notify(n = 1): void {
    if (typeof n !== "number") throw new TypeError(`Condition.notify(n): 'n' must be a number, got ${describe(n)}`);
    if (Number.isNaN(n) || n < 0) {
      throw new RangeError(`Condition.notify(n): 'n' must be a number >= 0, got ${describe(n)}`);
    }
    if (!this._lock._locked) throw new RuntimeError("cannot notify on un-acquired lock");
    this._notify(n);
  }

  /**
   * Wakes every waiting task.
   * @throws RuntimeError if the lock is not held
   */
  notifyAll(): void {
    this.notify(this._lot.size);
  }

  toString(): string {
    const n = this._lot.size;
    return `<Condition [${this.locked() ? "locked" : "unlocked"}${n > 0 ? `, waiters:${n}` : ""}]>`;
  }

  /** @internal */
  _notify(n: number): void {
    for (let i = 0; i < n && this._lot.wakeFirst(WAKE); i++);
  }
}

function* conditionWait(cond: Condition): Coroutine<true> {
  if (!cond._lock._locked) throw new RuntimeError("cannot wait on un-acquired lock");
  const w = cond._lot.park(boundLoop(cond));
  cond._lock.release();
  let failed = false;
  let failure: unknown;
  try {
    yield* w;
  } catch (e) {
    failed = true;
    failure = e;
    if (w._state === PENDING) w.cancel(); // something other than a cancel was thrown in
  }
  // The caller holds the lock again when wait() ends, however it ends
  // (bpo-32841, bpo-42600): keep trying through cancellations.
  for (;;) {
    try {
      yield* cond._lock.acquire();
      break;
    } catch (e) {
      if (!(e instanceof CancelledError)) {
        if (w._state === FINISHED) cond._notify(1);
        throw e;
      }
      if (!failed) {
        failed = true;
        failure = e;
      }
    }
  }
  if (failed) {
    // Notified, but not returning normally: the notification goes to the
    // next waiter instead of being lost (gh-112202).
    if (w._state === FINISHED) cond._notify(1);
    throw failure; // the original CancelledError (gh-111693)
  }
  return true;
}

function* conditionWaitFor<R>(cond: Condition, predicate: () => R): Coroutine<R> {
  let result = predicate();
  while (!result) {
    yield* cond.wait();
    result = predicate();
  }
  return result;
}
