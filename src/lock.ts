/**
 * `Lock`: asyncio's mutual-exclusion lock, fair and cancellation-safe.
 *
 * @module
 */
import type { Coroutine, CoroutineLike, Suspend } from "./coroutines.js";
import { RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { checkBody, Held, holdOf, runHeld } from "./held.js";
import { boundLoop } from "./internal/loop-bound.js";
import { ParkingLot, Waiter, WAKE } from "./internal/parking-lot.js";
import { DONE_TRUE, ParkOnceOp } from "./internal/wait-op.js";

/**
 * A mutual-exclusion lock for tasks (asyncio's `Lock`), not owned by a
 * particular task. Waiters get the lock in the order they asked for it: a task
 * that calls `acquire()` while others wait queues behind them, even if the
 * lock happens to be free at that instant. A waiter cancelled after it was
 * woken hands its turn to the next one, so the lock is never stranded.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * function* worker(): Coroutine<void> {
 *   yield* lock.withLock(function* () {
 *     yield* sleep(10); // one worker at a time in here
 *   });
 * }
 * ```
 */
export class Lock {
  /** @internal */ _locked = false;
  /** @internal A waiter was woken and will take the lock when it runs. */
  _woken = false;
  /** @internal */ readonly _lot = new ParkingLot("Lock.acquire");
  /** @internal */ _loop: EventLoop | null = null;

  /** Whether the lock is held. */
  locked(): boolean {
    return this._locked;
  }

  /**
   * Waits until the lock is free, then takes it; evaluates to `true`. Without
   * waiters and with the lock free it takes it without suspending.
   */
  acquire(): CoroutineLike<true> {
    return new LockAcquire(this);
  }

  /**
   * Releases the lock; the longest-waiting task gets it next.
   * @throws RuntimeError if the lock is not held
   */
  release(): void {
    if (!this._locked) throw new RuntimeError("Lock is not acquired.");
    this._locked = false;
    this._wakeFirst();
  }

  /**
   * Acquires and evaluates to a `Held` handle for `using`: the lock is
   * released when the block exits, by return, exception or cancellation.
   *
   * @example
   * ```ts
   * using _held = yield* lock.hold();
   * ```
   */
  hold(): Coroutine<Held> {
    return holdOf(this);
  }

  /**
   * Runs `body` holding the lock and evaluates to its result; releases the lock
   * on return, exception and cancellation.
   *
   * @example
   * ```ts
   * const n = yield* lock.withLock(function* () { yield* sleep(1); return 42; });
   * ```
   * @throws TypeError at once if `body` is not a function
   */
  withLock<R>(body: () => CoroutineLike<R>): Coroutine<R> {
    checkBody("Lock.withLock(body)", body);
    return runHeld(this, body);
  }

  toString(): string {
    const n = this._lot.size + (this._woken ? 1 : 0);
    return `<Lock [${this._locked ? "locked" : "unlocked"}${n > 0 ? `, waiters:${n}` : ""}]>`;
  }

  /** @internal Wakes the first waiter, if any; it takes the lock when it runs. */
  _wakeFirst(): void {
    if (this._lot.size > 0) {
      this._woken = true;
      this._lot.wakeFirst(WAKE);
    }
  }
}

/** `lock.acquire()`: takes the lock at once when it can, else parks. */
class LockAcquire extends ParkOnceOp<true> {
  private declare readonly _lock: Lock;

  constructor(lock: Lock) {
    super("Lock.acquire()");
    this._lock = lock;
  }

  /** Free, and nobody ahead of us (a woken waiter or a parked one). */
  protected _ready(): boolean {
    const lock = this._lock;
    return !lock._locked && !lock._woken && lock._lot.size === 0;
  }

  protected _park(): Waiter {
    return this._lock._lot.park(boundLoop(this._lock));
  }

  protected _complete(woken: boolean): IteratorResult<Suspend, true> {
    const lock = this._lock;
    if (woken) lock._woken = false;
    lock._locked = true;
    return DONE_TRUE;
  }

  protected _name(): string {
    return "Lock.acquire()";
  }

  /** Woken, but leaving without the lock: the next waiter gets the turn (bpo-27585). */
  protected _passOn(): void {
    const lock = this._lock;
    lock._woken = false;
    lock._wakeFirst();
  }
}
