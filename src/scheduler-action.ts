/**
 * The action behind `EventLoop.schedule()`: how RxJS operators run on the loop.
 *
 * @module
 */
import { Subscription, type SchedulerAction } from "rxjs";
import type { EventLoop } from "./event-loop.js";
import type { Handle } from "./handles.js";

function runAction(action: LoopAction<unknown>): void {
  action._execute();
}

/**
 * One logical RxJS action. `this.schedule(state, delay)` inside its work
 * reschedules the same action, so unsubscribing the subscription that the first
 * `schedule()` returned also cancels every later reschedule (what `timer` and
 * `interval` rely on). Errors thrown by the work go to the loop's exception
 * handler, never into the host.
 *
 * While it is armed it counts as outside code waiting on the loop (as a
 * promise awaiting a loop future does): its subscriber, often a promise
 * (`firstValueFrom(timer(3, loop))`), can only move when the loop does, so it
 * must not hold a virtual clock still the way real outside work does.
 * @internal
 */
export class LoopAction<T> extends Subscription implements SchedulerAction<T> {
  private _handle: Handle | null = null;
  private _state: T | undefined = undefined;
  /** Counted in the loop's waits on it (armed, not yet run for the last time). */
  private _waiting = false;

  constructor(
    private readonly _loop: EventLoop,
    private _work: ((this: SchedulerAction<T>, state?: T) => void) | null,
  ) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this._state = state;
    if (this._handle !== null) this._handle.cancel();
    // RxJS passes negative delays (a past Date) and expects "now"; Infinity means never.
    if (delay === Infinity) {
      this._handle = null;
      this._stopWaiting();
      return this;
    }
    if (!this._waiting) {
      this._waiting = true;
      this._loop._beginLoopWait();
    }
    const d = Number.isFinite(delay) && delay > 0 ? delay : 0;
    this._handle =
      d > 0
        ? this._loop.callLater(d, runAction, this as LoopAction<unknown>)
        : this._loop.callSoon(runAction, this as LoopAction<unknown>);
    return this;
  }

  /** @internal */
  _execute(): void {
    this._handle = null;
    const work = this._work;
    if (this.closed || work === null) {
      this._stopWaiting();
      return;
    }
    try {
      work.call(this, this._state);
    } catch (exception) {
      // Reported here rather than by the handle, so the report names the RxJS work, not `runAction`.
      this._loop.callExceptionHandler({ message: `Exception in RxJS work ${work.name || "<anonymous>"}`, exception, action: this });
    }
    // Not rescheduled by its work: nothing of it waits on the loop any more.
    if (this._handle === null) this._stopWaiting();
  }

  private _stopWaiting(): void {
    if (this._waiting) {
      this._waiting = false;
      this._loop._endLoopWait();
    }
  }

  override unsubscribe(): void {
    if (this.closed) return;
    if (this._handle !== null) {
      this._handle.cancel();
      this._handle = null;
    }
    this._stopWaiting();
    this._work = null;
    this._state = undefined;
    super.unsubscribe();
  }
}
