/**
 * Futures fed from outside the loop: a promise or an observable. While one is
 * pending it counts as outside work, so a virtual clock does not jump past it.
 *
 * @module
 */
import { EmptyError, type Observable, type Subscription } from "rxjs";
import { CancelledError, nullishFailure } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { Future } from "./futures.js";

/**
 * A future that settles with a promise. Cancelling it aborts the
 * `AbortController` given (the async function's signal).
 * @internal
 */
export class PromiseFuture<T> extends Future<T> {
  /** @internal */
  _abort: AbortController | null;
  /** Counted as outside work until the promise settles (once). */
  /** @internal The promise counts as outside work of the loop until it settles. */
  _outside: boolean;

  constructor(loop: EventLoop, promise: PromiseLike<T>, abort: AbortController | null) {
    super(loop);
    this._abort = abort;
    this._outside = true;
    loop._beginExternal();
    followPromise(this, promise);
  }

  /** @internal */
  _settle(ok: boolean, v: unknown): void {
    settleFromPromise(this, ok, v);
  }

  override _traceLabel(): string {
    return "promise";
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    abortWith(this, msg);
    return true;
  }
}

/**
 * A cancelled follower aborts the signal its function was given (once), with
 * a `CancelledError` carrying the cancel message as the reason.
 * @internal
 */
export function abortWith(f: { _abort: AbortController | null }, msg: string | undefined): void {
  const ac = f._abort;
  f._abort = null;
  if (ac !== null) ac.abort(new CancelledError(msg));
}

/**
 * Hands `promise`'s outcome to `target._settle`, through two arrow functions
 * sharing one context (the only closures per follow). A thenable whose
 * then() throws fails as a Promise adopting it would, and the target's
 * outside work ends there: else a virtual clock never moves again.
 * @internal
 */
export function followPromise(target: { _settle(ok: boolean, v: unknown): void }, promise: PromiseLike<unknown>): void {
  try {
    promise.then(
      (v) => target._settle(true, v),
      (e: unknown) => target._settle(false, e),
    );
  } catch (e) {
    target._settle(false, e);
  }
}

/**
 * Settles `fut` with a promise's outcome: first its outside work ends (the
 * loop counted the promise as outside work while it was pending), then the
 * outcome is set unless `fut` is done already (cancelled meanwhile) or its
 * loop is closed (nothing could run its callbacks). A promise rejected with
 * nothing gets an Error that says so: a future's exception is never null or
 * undefined.
 * @internal
 */
export function settleFromPromise<T>(fut: Future<T> & { _outside: boolean }, ok: boolean, v: unknown): void {
  if (fut._outside) {
    fut._outside = false;
    fut._loop._endExternal();
  }
  if (fut.done() || fut._loop.isClosed()) return;
  if (ok) fut.setResult(v as T);
  else fut.setException(v === undefined || v === null ? new Error(`promise rejected with ${String(v)}`) : v);
}

/**
 * A future that settles with an observable's last value at completion
 * (`EmptyError` if it completes empty). Cancelling it unsubscribes.
 *
 * Unlike a promise it does not hold a virtual clock still: most observables
 * awaited on a loop run on that loop's own scheduler (`interval(10, loop)`), and
 * counting them as outside work would stop the very clock they wait for. Give
 * an observable's timers the loop as scheduler under the virtual clock.
 * @internal
 */
export class ObservableFuture<T> extends Future<T> {
  private _sub: Subscription | null = null;

  constructor(loop: EventLoop, source: Observable<T>) {
    super(loop);
    let has = false;
    let last: T | undefined;
    let live = true;
    const end = () => {
      live = false;
    };
    const sub = source.subscribe({
      next: (v) => {
        has = true;
        last = v;
      },
      error: (e: unknown) => {
        end();
        if (!this.done() && !loop.isClosed()) this.setException(nullishFailure(e, "observable errored with"));
      },
      complete: () => {
        end();
        if (this.done() || loop.isClosed()) return;
        if (has) this.setResult(last as T);
        else this.setException(new EmptyError());
      },
    });
    if (live) this._sub = sub;
  }

  override _traceLabel(): string {
    return "observable";
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    const sub = this._sub;
    this._sub = null;
    if (sub !== null) sub.unsubscribe();
    return true;
  }
}
