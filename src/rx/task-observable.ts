/**
 * Tasks as cold observables.
 *
 * @module
 */
import { config, Observable } from "rxjs";
import type { AsyncTaskFunction, CoroutineFunction } from "../coroutines.js";
import { describe } from "../coroutines.js";
import type { EventLoop } from "../event-loop.js";
import type { Future } from "../futures.js";
import { checkTaskOptions, type TaskOptions } from "../tasks.js";
import { subscriptionLoop } from "./internals.js";

/** Options of `task()`. */
export interface TaskObservableOptions {
  /** The name of each task created. */
  name?: string;
  /** The loop (default: the running loop, else `rxLoop()`). */
  loop?: EventLoop;
  /**
   * Aborting it cancels the running task of every subscription (the
   * observable then errors with CancelledError, the signal's reason as its
   * message); a subscription made after the abort errors at once.
   */
  signal?: AbortSignal;
}

/**
 * A task whose subscriber has gone (RxJS unsubscribed it) and whose cleanup
 * then failed: nobody downstream can receive the error. With RxJS's
 * `config.onUnhandledError` set, that is where RxJS users look for such
 * errors, so it goes there; otherwise it stays unretrieved and the loop
 * reports "exception was never retrieved", as asyncio does.
 */
function reportAfterUnsubscribe(f: Future<unknown>): void {
  const handler = config.onUnhandledError;
  if (handler === null || handler === undefined || f.cancelled() || !f._failed) return;
  const exception = f.exception();
  try {
    handler(exception);
  } catch (e) {
    f._loop.callExceptionHandler({ message: "config.onUnhandledError threw", exception: e, future: f });
  }
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
  const taskOptions: TaskOptions = {};
  if (options.name !== undefined) taskOptions.name = options.name;
  if (options.signal !== undefined) taskOptions.signal = options.signal;
  return new Observable<T>((subscriber) => {
    const loop = subscriptionLoop(options.loop);
    const t = loop.createTask<T>(coroFn, taskOptions);
    // The subscriber (often a promise: firstValueFrom) waits on the loop: it
    // must not hold a virtual clock still as real outside work would.
    loop._beginLoopWait();
    let waiting = true;
    const stopWaiting = () => {
      if (waiting) {
        waiting = false;
        loop._endLoopWait();
      }
    };
    const onDone = (f: Future<T>) => {
      stopWaiting();
      f._emitTo(subscriber);
    };
    t.addDoneCallback(onDone);
    return () => {
      stopWaiting();
      if (!t.done()) {
        t.removeDoneCallback(onDone);
        t.addDoneCallback(reportAfterUnsubscribe);
        t.cancel();
      }
    };
  });
}
