/**
 * The event loop's side of executors: `runInExecutor`, the default executor
 * (created on first use, shut down by `run()` and `close()`), and `toThread`.
 * `EventLoop`'s methods are thin calls into here.
 *
 * @module
 */
import { describe } from "./coroutines.js";
import { RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { getRunningLoop } from "./running-loop.js";
import { isExecutor, type Executor, type JobArgs, type JobFunction, type JobResult } from "./executor.js";
import type { Future } from "./futures.js";
import { PromiseFuture } from "./promise-future.js";
import { ThreadPoolExecutor } from "./thread-pool-executor.js";

/** How long `run()` lets the default executor's jobs finish before it stops them (ms; asyncio's 300 s). */
export const DEFAULT_EXECUTOR_SHUTDOWN_TIMEOUT = 300_000;

/** @internal `loop.runInExecutor(executor, fn, args)`. */
export function loopRunInExecutor<R>(
  loop: EventLoop,
  executor: Executor | null,
  fn: JobFunction<unknown[], R>,
  args: readonly unknown[],
  where = "runInExecutor(executor, fn, ...args)",
): Future<JobResult<R>> {
  loop._checkClosed();
  let ex: Executor;
  if (executor === null) {
    if (loop._executorShutdownCalled) throw new RuntimeError("Executor shutdown has been called");
    ex = loop._defaultExecutor ??= new ThreadPoolExecutor();
  } else if (isExecutor(executor)) ex = executor;
  else {
    throw new TypeError(
      `${where}: 'executor' must be an Executor (a ThreadPoolExecutor) or null, got ${describe(executor)}`,
    );
  }
  return ex.runOn(loop, fn, args, where);
}

/** @internal `loop.setDefaultExecutor(executor)`. */
export function loopSetDefaultExecutor(loop: EventLoop, executor: Executor): void {
  if (!isExecutor(executor)) {
    throw new TypeError(`setDefaultExecutor(executor): 'executor' must be an Executor (a ThreadPoolExecutor), got ${describe(executor)}`);
  }
  loop._defaultExecutor = executor;
}

/** @internal `loop.shutdownDefaultExecutor(timeout)`. */
export function loopShutdownDefaultExecutor(loop: EventLoop, timeout: number | null): Future<void> {
  if (timeout !== null && (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 0)) {
    throw new RangeError(`shutdownDefaultExecutor(timeout): 'timeout' must be null or a finite number of ms >= 0, got ${describe(timeout)}`);
  }
  loop._checkClosed();
  loop._executorShutdownCalled = true;
  const ex = loop._defaultExecutor;
  loop._defaultExecutor = null;
  const done = ex === null ? Promise.resolve() : timeout === null ? ex.shutdown({ wait: true }) : shutdownWithin(loop, ex, timeout);
  // A custom executor whose shutdown fails must not turn run()'s result into that failure.
  const reported = done.then(undefined, (exception: unknown) => {
    loop.callExceptionHandler({ message: "Error while shutting down the default executor", exception });
  });
  return new PromiseFuture<void>(loop, reported, null);
}

/**
 * Shuts `ex` down, waiting at most `ms` (real time, like a thread join) for
 * its jobs; past that, warns and cancels them, which stops their workers.
 */
function shutdownWithin(loop: EventLoop, ex: Executor, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      if (settled) return;
      loop.logger.warn(`The default executor did not finish its jobs within ${ms} ms: cancelling them and stopping its workers.`);
      ex.shutdown({ wait: true, cancelFutures: true, cancelRunning: true }).then(finish, finish);
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    ex.shutdown({ wait: true }).then(finish, finish);
  });
}

/** @internal `loop.close()`: starts the default executor's shutdown without waiting (asyncio does the same). */
export function loopCloseDefaultExecutor(loop: EventLoop): void {
  const ex = loop._defaultExecutor;
  if (ex === null) return;
  loop._defaultExecutor = null;
  ex.shutdown({ wait: false }).catch(() => undefined);
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
 *   const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
 *   return yield* toThread(fib, 35); // other tasks keep running meanwhile
 * }
 * ```
 * @throws RuntimeError outside a running loop, or after the default executor was shut down
 */
export function toThread<A extends unknown[], R>(fn: JobFunction<A, R>, ...args: JobArgs<A>): Future<JobResult<R>> {
  return loopRunInExecutor(getRunningLoop(), null, fn as JobFunction<unknown[], R>, args, "toThread(fn, ...args)");
}
