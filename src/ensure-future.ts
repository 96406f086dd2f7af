/**
 * `ensureFuture`: one Future for anything awaitable.
 *
 * @module
 */
import { isObservable, type Observable } from "rxjs";
import type { Awaitable } from "./coroutines.js";
import { describe, isCoroutine } from "./coroutines.js";
import { RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { getRunningLoop } from "./running-loop.js";
import { Future, isFuture } from "./futures.js";
import { ObservableFuture, PromiseFuture } from "./promise-future.js";
import { checkTaskOptions } from "./tasks.js";

/** Anything `ensureFuture` accepts. */
export type FutureLike<T> = Awaitable<T> | PromiseLike<T> | Observable<T>;

/**
 * A Future for `x`: a future or task as it is; a coroutine scheduled as a task;
 * a promise (async functions, `fetch`, `fs/promises`) or an observable (its last
 * value at completion). Cancelling the future unsubscribes the observable.
 *
 * @example
 * ```ts
 * const body = yield* ensureFuture(fetch(url).then((r) => r.text()));
 * const last = yield* ensureFuture(interval(10).pipe(take(3))); // 2
 * ```
 * @throws TypeError for anything else
 */
export function ensureFuture<T>(x: FutureLike<T>, options: { loop?: EventLoop } = {}): Future<T> {
  checkTaskOptions("ensureFuture(x, options)", options);
  if (isFuture(x)) {
    if (options.loop !== undefined && x._loop !== options.loop) {
      throw new RuntimeError("ensureFuture(x): the future belongs to another loop than 'loop'");
    }
    return x as Future<T>;
  }
  if (isCoroutine(x)) return (options.loop ?? getRunningLoop()).createTask(x as never) as Future<T>;
  if (isObservable(x)) return new ObservableFuture<T>(options.loop ?? getRunningLoop(), x as Observable<T>);
  if ((typeof x === "object" || typeof x === "function") && x !== null && typeof (x as PromiseLike<T>).then === "function") {
    return new PromiseFuture<T>(options.loop ?? getRunningLoop(), x as PromiseLike<T>, null);
  }
  throw new TypeError(
    `ensureFuture(x): 'x' must be a coroutine, a Future, a promise or an Observable, got ${describe(x)}` +
      (typeof x === "function" ? " (call the coroutine function: pass fn(), not fn)" : ""),
  );
}
