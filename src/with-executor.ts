/**
 * `withExecutor`: a `ThreadPoolExecutor` for the length of a coroutine's body
 * (asyncio's `with ThreadPoolExecutor() as ex:`).
 *
 * @module
 */
import type { Coroutine } from "./coroutines.js";
import { describe } from "./coroutines.js";
import { getRunningLoop } from "./running-loop.js";
import { PromiseFuture } from "./promise-future.js";
import { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from "./thread-pool-executor.js";

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
