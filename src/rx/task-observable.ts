/**
 * Tasks as cold observables.
 *
 * @module
 */
import { Observable } from "rxjs";
import type { AsyncTaskFunction, CoroutineFunction } from "../coroutines.js";
import { describe } from "../coroutines.js";
import { EventLoop } from "../event-loop.js";
import { _getRunningLoop } from "../events.js";
import type { Future } from "../futures.js";
import { checkTaskOptions } from "../tasks.js";

let implicitLoop: EventLoop | null = null;

/**
 * The loop that task observables use outside a running loop: it runs whenever
 * it has work, on RxJS's `asyncScheduler` clock (virtual inside
 * `TestScheduler.run`), and holds no host timer while idle.
 */
export function rxLoop(): EventLoop {
  if (implicitLoop === null || implicitLoop.isClosed()) {
    implicitLoop = new EventLoop({ clock: "real", _autoRun: true } as never);
  }
  return implicitLoop;
}

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
    const loop = options.loop ?? _getRunningLoop() ?? rxLoop();
    const t = loop.createTask<T>(coroFn, options.name === undefined ? {} : { name: options.name });
    const onDone = (f: Future<T>) => {
      if (f.cancelled()) {
        subscriber.error(f._makeCancelledError());
        return;
      }
      f._retrieved();
      if (f._exception !== undefined) subscriber.error(f._exception);
      else {
        subscriber.next(f._result as T);
        subscriber.complete();
      }
    };
    t.addDoneCallback(onDone);
    return () => {
      if (!t.done()) {
        t.removeDoneCallback(onDone);
        t.cancel();
      }
    };
  });
}
