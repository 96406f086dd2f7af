/**
 * `Barrier`: asyncio's barrier (3.11+).
 *
 * @module
 */
import type { Coroutine } from "./coroutines.js";
import { describe } from "./coroutines.js";
import { BrokenBarrierError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { boundLoop } from "./internal/loop-bound.js";
import { ParkingLot, WAKE } from "./internal/parking-lot.js";

/** `_state`: waiters are arriving. @internal */
export const FILLING = 0;
/** `_state`: the barrier tripped; waiters are leaving. @internal */
export const DRAINING = 1;
/** `_state`: `reset()` while waiters were in it; they leave with BrokenBarrierError. @internal */
export const RESETTING = 2;
/** `_state`: `abort()`ed. @internal */
export const BROKEN = 3;
const STATE_NAMES = ["filling", "draining", "resetting", "broken"];

/**
 * A barrier for a fixed number of tasks (asyncio's `Barrier`): each task's
 * `wait()` blocks until `parties` tasks are waiting, then all are released
 * together and each gets a distinct index in `0 .. parties-1`. A task
 * cancelled while waiting leaves the barrier (it no longer counts).
 * `reset()` and `abort()` make the tasks waiting throw `BrokenBarrierError`.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * function* worker(): Coroutine<void> {
 *   const i = yield* barrier.wait(); // the 3 workers pass together
 *   if (i === 0) console.log("all arrived");
 * }
 * ```
 * @throws RangeError if `parties` is not an integer >= 1
 */
export class Barrier {
  /** @internal */ readonly _parties: number;
  /** @internal */ _state = FILLING;
  /** @internal Tasks inside `wait()` (filling, or draining out). */
  _count = 0;
  /** @internal Tasks waiting for the barrier to fill. */
  readonly _filling = new ParkingLot("Barrier.wait");
  /** @internal Tasks waiting for a drain or reset to finish before they may enter. */
  readonly _blocked = new ParkingLot("Barrier.wait");
  /** @internal */ _loop: EventLoop | null = null;

  constructor(parties: number) {
    if (typeof parties !== "number") {
      throw new TypeError(`new Barrier(parties): 'parties' must be a number, got ${describe(parties)}`);
    }
    if (!Number.isInteger(parties) || parties < 1) {
      throw new RangeError(`new Barrier(parties): 'parties' must be an integer >= 1, got ${describe(parties)}`);
    }
    this._parties = parties;
  }

  /** How many tasks must wait for the barrier to open. */
  get parties(): number {
    return this._parties;
  }

  /** How many tasks are waiting for it to fill. */
  get nWaiting(): number {
    return this._state === FILLING ? this._count : 0;
  }

  /** Whether it is broken (aborted). */
  get broken(): boolean {
    return this._state === BROKEN;
  }

  /**
   * Waits until `parties` tasks wait, then evaluates to this task's index
   * (`0 .. parties-1`, distinct per task).
   * @throws BrokenBarrierError if the barrier is or becomes broken or reset
   */
  wait(): Coroutine<number> {
    return barrierWait(this);
  }

  /**
   * Resets the barrier to its empty state; tasks waiting on it throw
   * `BrokenBarrierError`. As in asyncio it is a coroutine: it takes effect
   * when `yield*`ed (or run as a task), not when called.
   *
   * @example
   * ```ts
   * yield* barrier.reset();
   * ```
   */
  *reset(): Coroutine<void> {
    if (this._count > 0) {
      if (this._state !== RESETTING) this._state = RESETTING;
    } else {
      this._state = FILLING;
    }
    this._wakeAll();
  }

  /**
   * Breaks the barrier: tasks waiting on it, and every later `wait()`, throw
   * `BrokenBarrierError` until `reset()`. Takes effect when `yield*`ed.
   *
   * @example
   * ```ts
   * yield* barrier.abort();
   * ```
   */
  *abort(): Coroutine<void> {
    this._state = BROKEN;
    this._wakeAll();
  }

  toString(): string {
    const extra = this._state === BROKEN ? "" : `, waiters:${this.nWaiting}/${this._parties}`;
    return `<Barrier [${STATE_NAMES[this._state]}${extra}]>`;
  }

  /** @internal Every state change wakes everyone to re-check (a condition's notify_all). */
  _wakeAll(): void {
    this._filling.wakeAll(WAKE);
    this._blocked.wakeAll(WAKE);
  }
}

function* barrierWait(b: Barrier): Coroutine<number> {
  // Entering waits while the previous round drains or resets.
  while (b._state === DRAINING || b._state === RESETTING) yield* b._blocked.park(boundLoop(b));
  if (b._state === BROKEN) throw new BrokenBarrierError("Barrier aborted");
  const index = b._count++;
  try {
    if (index + 1 === b._parties) {
      b._state = DRAINING;
      b._filling.wakeAll(WAKE);
    } else {
      while (b._state === FILLING) yield* b._filling.park(boundLoop(b));
      if (b._state === BROKEN || b._state === RESETTING) {
        throw new BrokenBarrierError("Abort or reset of barrier");
      }
    }
    return index;
  } finally {
    b._count--;
    if (b._count === 0) {
      // The last one out ends the drain or reset and lets the next round in.
      if (b._state === RESETTING || b._state === DRAINING) b._state = FILLING;
      b._blocked.wakeAll(WAKE);
    }
  }
}
