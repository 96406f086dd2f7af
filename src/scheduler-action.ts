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
 * @internal
 */
export class LoopAction<T> extends Subscription implements SchedulerAction<T> {
  private _handle: Handle | null = null;
  private _state: T | undefined = undefined;

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
      return this;
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
    if (this.closed || work === null) return;
    try {
      work.call(this, this._state);
    } catch (exception) {
      // Reported here rather than by the handle, so the report names the RxJS work, not `runAction`.
      this._loop.callExceptionHandler({ message: `Exception in RxJS work ${work.name || "<anonymous>"}`, exception, action: this });
    }
  }

  override unsubscribe(): void {
    if (this.closed) return;
    if (this._handle !== null) {
      this._handle.cancel();
      this._handle = null;
    }
    this._work = null;
    this._state = undefined;
    super.unsubscribe();
  }
}
