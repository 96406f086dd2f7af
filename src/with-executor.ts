/**
 * Running work on worker threads from a task: `toThread` (the loop's default
 * executor, asyncio's `to_thread`) and `withExecutor` (a `ThreadPoolExecutor`
 * for the length of a coroutine's body, asyncio's `with ThreadPoolExecutor()
 * as ex:`).
 *
 * @module
 */
import type { Coroutine } from "./coroutines.js";
import { describe } from "./coroutines.js";
import type { JobArgs, JobFunction, JobResult } from "./executor.js";
import type { Future } from "./futures.js";
import { loopRunInExecutor } from "./loop-executor.js";
import { getRunningLoop } from "./running-loop.js";
import { PromiseFuture } from "./promise-future.js";
import { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from "./thread-pool-executor.js";
import { useEnvironmentDefaultExecutor } from "./default-executor.js";

/**
 * Runs `body` with a new `ThreadPoolExecutor` and shuts it down when `body`
 * ends, however it ends, waiting for its jobs (asyncio's
 * `with ThreadPoolExecutor() as ex:`). For async code, `await using` does the
 * same.
 *
 * @example
 * ```ts
 * const total = yield* withExecutor(function* (ex) {
 *   const loop = getRunningLoop();
 *   const a = loop.runInExecutor(ex, heavy, 1);
 *   const b = loop.runInExecutor(ex, heavy, 2);
 *   return (yield* a) + (yield* b);
 * }, { maxWorkers: 2 });
 * ```
 */
export function withExecutor<T>(
  body: (executor: ThreadPoolExecutor) => Coroutine<T>,
  options: ThreadPoolExecutorOptions = {},
): Coroutine<T> {
  if (typeof body !== "function") {
    throw new TypeError(`withExecutor(body, options): 'body' must be a generator function, got ${describe(body)}`);
  }
  // Built now so bad options throw at once; it starts no thread before its first job.
  return runWith(new ThreadPoolExecutor(options), body);
}

function* runWith<T>(executor: ThreadPoolExecutor, body: (executor: ThreadPoolExecutor) => Coroutine<T>): Coroutine<T> {
  try {
    return yield* body(executor);
  } finally {
    yield* new PromiseFuture<void>(getRunningLoop(), executor.shutdown({ wait: true }), null);
  }
}

/**
 * Runs `fn(...args)` on a worker thread of the running loop's default
 * executor (asyncio's `to_thread`); a Future of its result. `fn` is a
 * self-contained function (no variables from around it: it is sent as source
 * text) or a module's export `{ module, export }`.
 *
 * @example
 * ```ts
 * function* main(): Coroutine<number> {
 *   // a declaration: its own name is part of the source sent to the worker
 *   function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 *   return yield* toThread(fib, 35); // other tasks keep running meanwhile
 * }
 * ```
 * @throws RuntimeError outside a running loop, or after the default executor was shut down
 */
export function toThread<A extends unknown[], R>(fn: JobFunction<A, R>, ...args: JobArgs<A>): Future<JobResult<R>> {
  // Named here so a bundle that keeps toThread keeps the thread pool it needs.
  useEnvironmentDefaultExecutor();
  return loopRunInExecutor(getRunningLoop(), null, fn as JobFunction<unknown[], R>, args, "toThread(fn, ...args)");
}
