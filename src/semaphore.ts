/**
 * `Semaphore` and `BoundedSemaphore`: asyncio's counting semaphores, strictly
 * FIFO (gh-90155) and cancellation-safe.
 *
 * @module
 */
import type { Coroutine, CoroutineLike, Suspend } from "./coroutines.js";
import { describe } from "./coroutines.js";
import type { EventLoop } from "./event-loop.js";
import { checkBody, Held, holdOf, runHeld } from "./held.js";
import { boundLoop } from "./internal/loop-bound.js";
import { ParkingLot, Waiter, WAKE } from "./internal/parking-lot.js";
import { DONE_TRUE, ParkOnceOp } from "./internal/wait-op.js";

function checkValue(where: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`${where}: 'value' must be a number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${where}: 'value' must be an integer >= 0, got ${describe(value)}`);
  }
  return value;
}

/**
 * A counting semaphore (asyncio's `Semaphore`): `acquire()` takes one of
 * `value` permits, waiting while there are none; `release()` gives one back.
 * Waiters are served first come, first served: `release()` hands the permit
 * straight to the longest waiter, and a task that arrives while others wait
 * queues behind them. A waiter cancelled after it was handed a permit passes it
 * on, so no permit is ever leaked.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(3); // at most 3 downloads at once
 * function* download(url: string): Coroutine<string> {
 *   return yield* sem.withPermit(function* () { return yield* fetchText(url); });
 * }
 * ```
 * @throws RangeError if `value` is negative or not an integer
 */
export class Semaphore {
  /** @internal Free permits. A permit released while tasks wait goes straight to the first. */
  _value: number;
  /** @internal */ readonly _lot = new ParkingLot("Semaphore.acquire");
  /** @internal Waiters handed a permit that have not run yet: newcomers queue behind them. */
  _woken = 0;
  /** @internal */ _loop: EventLoop | null = null;

  constructor(value = 1) {
    this._value = checkValue(`new ${new.target.name}(value)`, value);
  }

  /** Whether `acquire()` would have to wait (no free permit, or tasks already waiting). */
  locked(): boolean {
    return this._value === 0 || this._lot.size > 0 || this._woken > 0;
  }

  /** Waits for a permit and takes it; evaluates to `true`. Does not suspend when one is free. */
  acquire(): CoroutineLike<true> {
    return new SemaphoreAcquire(this);
  }

  /** Gives a permit back; the longest-waiting task gets it. */
  release(): void {
    this._value++;
    this._wakeFirst();
  }

  /**
   * Acquires and evaluates to a `Held` handle for `using`: the permit is
   * released when the block exits, by return, exception or cancellation.
   *
   * @example
   * ```ts
   * using _permit = yield* sem.hold();
   * ```
   */
  hold(): Coroutine<Held> {
    return holdOf(this);
  }

  /**
   * Runs `body` holding a permit and evaluates to its result; the permit is
   * released on return, exception and cancellation.
   *
   * @example
   * ```ts
   * yield* sem.withPermit(function* () { yield* sleep(100); });
   * ```
   * @throws TypeError at once if `body` is not a function
   */
  withPermit<R>(body: () => CoroutineLike<R>): Coroutine<R> {
    checkBody(`${this.constructor.name}.withPermit(body)`, body);
    return runHeld(this, body);
  }

  toString(): string {
    const n = this._lot.size + this._woken;
    const state = this.locked() ? "locked" : `unlocked, value:${this._value}`;
    return `<${this.constructor.name} [${state}${n > 0 ? `, waiters:${n}` : ""}]>`;
  }

  /** @internal Hands the free permits to the first waiters. */
  _wakeFirst(): void {
    const lot = this._lot;
    while (this._value > 0 && lot.size > 0) {
      this._value--;
      this._woken++;
      lot.wakeFirst(WAKE);
    }
  }
}

/**
 * A semaphore that refuses to be released more often than it was acquired
 * (asyncio's `BoundedSemaphore`): `release()` beyond the initial value throws.
 *
 * @example
 * ```ts
 * const sem = new BoundedSemaphore(2);
 * sem.release(); // RangeError: BoundedSemaphore released too many times
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /** @internal */ readonly _bound: number;

  constructor(value = 1) {
    super(value);
    this._bound = this._value;
  }

  /**
   * Gives a permit back.
   * @throws RangeError if that would exceed the initial value (asyncio's ValueError)
   */
  override release(): void {
    if (this._value >= this._bound) {
      throw new RangeError(`BoundedSemaphore released too many times (value ${this._value}, bound ${this._bound})`);
    }
    super.release();
  }
}

/** `sem.acquire()`: takes a permit at once when one is free and nobody waits, else parks. */
class SemaphoreAcquire extends ParkOnceOp<true> {
  private declare readonly _sem: Semaphore;

  constructor(sem: Semaphore) {
    super("Semaphore.acquire()");
    this._sem = sem;
  }

  /** A free permit, and nobody ahead of us (parked, or woken and not run yet). */
  protected _ready(): boolean {
    const sem = this._sem;
    return sem._value > 0 && sem._lot.size === 0 && sem._woken === 0;
  }

  protected _park(): Waiter {
    return this._sem._lot.park(boundLoop(this._sem));
  }

  protected _complete(woken: boolean): IteratorResult<Suspend, true> {
    const sem = this._sem;
    if (!woken) {
      sem._value--;
      return DONE_TRUE;
    }
    // The permit was handed over when we were woken.
    sem._woken--;
    // Tasks that queued behind us while permits were free go next (gh-90155).
    if (sem._value > 0) sem._wakeFirst();
    return DONE_TRUE;
  }

  protected _name(): string {
    return "Semaphore.acquire()";
  }

  /** Woken with a permit, but leaving without it: give it to the next waiter (gh-90155). */
  protected _passOn(): void {
    const sem = this._sem;
    sem._woken--;
    sem._value++;
    sem._wakeFirst();
  }
}
