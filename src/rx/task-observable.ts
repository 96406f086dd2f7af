/**
 * Tasks as cold observables.
 *
 * @module
 */
import { Observable } from "rxjs";
import type { AsyncTaskFunction, CoroutineFunction } from "../coroutines.js";
import { describe } from "../coroutines.js";
import type { EventLoop } from "../event-loop.js";
import type { Future } from "../futures.js";
import { checkTaskOptions } from "../tasks.js";
import { subscriptionLoop } from "./internals.js";

/** Options of `task()`. */
export interface TaskObservableOptions {
  /** The name of each task created. */
  name?: string;
  /** The loop (default: the running loop, else `rxLoop()`). */
  loop?: EventLoop;
}

/**
 * A cold observable of a coroutine function: each subscription creates a new
 * task (its first step on the loop's next iteration), emits its result once and
 * completes, or errors with its exception. Unsubscribing before it is done
 * cancels the task; its cleanup still runs to the end on the loop.
 *
 * @example
 * ```ts
 * function* fetchData(): Coroutine<string> { yield* sleep(2); return "Data"; }
 * testScheduler.run(({ expectObservable }) => {
 *   expectObservable(task(fetchData)).toBe("--(a|)", { a: "Data" });
 * });
 * ```
 */
export function task<T>(coroFn: CoroutineFunction<T> | AsyncTaskFunction<T>, options: TaskObservableOptions = {}): Observable<T> {
  if (typeof coroFn !== "function") {
    throw new TypeError(
      `task(coroFn): 'coroFn' must be a coroutine function (each subscription calls it), got ${describe(coroFn)}`,
    );
  }
  // Checked now: a bad option found at subscribe time would surface as an RxJS unhandled error.
  checkTaskOptions("task(coroFn, options)", options);
  return new Observable<T>((subscriber) => {
    const t = subscriptionLoop(options.loop).createTask<T>(coroFn, options.name === undefined ? {} : { name: options.name });
    const onDone = (f: Future<T>) => f._emitTo(subscriber);
    t.addDoneCallback(onDone);
    return () => {
      if (!t.done()) {
        t.removeDoneCallback(onDone);
        t.cancel();
      }
    };
  });
}
