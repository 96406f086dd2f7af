/**
 * `Event`: asyncio's event flag. (Inside this package import it explicitly:
 * the DOM typings declare a global `Event` too.)
 *
 * @module
 */
import type { CoroutineLike, Suspend } from "./coroutines.js";
import type { EventLoop } from "./event-loop.js";
import { boundLoop } from "./internal/loop-bound.js";
import { ParkingLot, Waiter, WAKE } from "./internal/parking-lot.js";
import { DONE_TRUE, ParkOnceOp } from "./internal/wait-op.js";

/**
 * A flag tasks can wait for (asyncio's `Event`): `set()` wakes every waiter,
 * and `wait()` returns at once while the flag is set.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * function* waiter(): Coroutine<void> {
 *   yield* ready.wait();
 *   console.log("go");
 * }
 * createTask(waiter());
 * ready.set();
 * ```
 */
export class Event {
  /** @internal */ _value = false;
  /** @internal */ readonly _lot = new ParkingLot("Event.wait");
  /** @internal */ _loop: EventLoop | null = null;

  /** Whether the flag is set. */
  isSet(): boolean {
    return this._value;
  }

  /** Sets the flag and wakes every waiting task (in the order they started waiting). */
  set(): void {
    if (!this._value) {
      this._value = true;
      this._lot.wakeAll(WAKE);
    }
  }

  /** Clears the flag: later `wait()` calls block until the next `set()`. */
  clear(): void {
    this._value = false;
  }

  /**
   * Waits until the flag is set; evaluates to `true`. Does not suspend if it
   * is set already. A task woken by `set()` returns even if `clear()` ran since.
   */
  wait(): CoroutineLike<true> {
    return new EventWait(this);
  }

  toString(): string {
    const n = this._lot.size;
    return `<Event [${this._value ? "set" : "unset"}${n > 0 ? `, waiters:${n}` : ""}]>`;
  }
}

/** `event.wait()`. */
class EventWait extends ParkOnceOp<true> {
  private declare readonly _event: Event;

  constructor(event: Event) {
    super("Event.wait()");
    this._event = event;
  }

  protected _ready(): boolean {
    return this._event._value;
  }

  protected _park(): Waiter {
    return this._event._lot.park(boundLoop(this._event));
  }

  protected _complete(): IteratorResult<Suspend, true> {
    return DONE_TRUE;
  }

  protected _name(): string {
    return "Event.wait()";
  }

  /** Every waiter is woken by `set()`: there is nothing to hand on. */
  protected _passOn(): void {}
}
