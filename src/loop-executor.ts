/**
 * The event loop's side of executors: `runInExecutor`, the default executor
 * (created on first use, shut down by `run()` and `close()`). `EventLoop`'s
 * methods are thin calls into here.
 *
 * This file knows executors only through the `Executor` interface: the
 * default one is made by a factory that the executor layer installs
 * (thread-pool-executor.ts installs `new ThreadPoolExecutor()` when it is
 * loaded). So the kernel never imports the thread pool, and an app that never
 * uses an executor never loads it (a bundler drops it, and Piscina with it).
 *
 * @module
 */
import { describe } from "./coroutines.js";
import { RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import type { Executor, JobFunction, JobResult } from "./executor.js";
import type { Future } from "./futures.js";
import { PromiseFuture } from "./promise-future.js";

/** Whether `x` has the shape of an {@link Executor}. */
export function isExecutor(x: unknown): x is Executor {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Executor).runOn === "function" &&
    typeof (x as Executor).shutdown === "function"
  );
}

/** Makes the executor `runInExecutor(null, ...)` uses; installed by the executor layer. */
let defaultExecutorFactory: (() => Executor) | null = null;

/**
 * @internal The hook the executor layer installs: how to make a loop's
 * default executor on first use. Idempotent (the last one installed wins).
 */
export function setDefaultExecutorFactory(factory: () => Executor): void {
  defaultExecutorFactory = factory;
}

function makeDefaultExecutor(where: string): Executor {
  if (defaultExecutorFactory === null) {
    throw new RuntimeError(
      `${where}: no default executor: the thread-pool executor was not loaded (a bundler dropped it as unused). ` +
        "Use toThread(), or call loop.setDefaultExecutor(new ThreadPoolExecutor()), or pass an executor.",
    );
  }
  return defaultExecutorFactory();
}

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
    ex = loop._defaultExecutor ??= makeDefaultExecutor(where);
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
