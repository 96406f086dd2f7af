/**
 * `run()`: asyncio.run (asyncio's `runners` module).
 *
 * @module
 */
import type { ClockKind, EventLoopOptions } from "./event-loop.js";
import { EventLoop } from "./event-loop.js";
import { describe, isCoroutine } from "./coroutines.js";
import { RuntimeError } from "./errors.js";
import { _getRunningLoop } from "./running-loop.js";
import { DEFAULT_EXECUTOR_SHUTDOWN_TIMEOUT } from "./loop-executor.js";
import type { LoopHost } from "./host.js";
import type { TaskInput } from "./tasks.js";
import type { Task } from "./tasks.js";
import { checkTraceOption, startRunTrace, type RunTraceOption } from "./trace/run-trace.js";

/** Options of `run()`. */
export interface RunOptions {
  /** `"real"` or `"virtual"` (default: env `RX_ASYNCIO_CLOCK`, else `"real"`). */
  clock?: ClockKind;
  /** Debug mode (default: env `RX_ASYNCIO_DEBUG=1`). */
  debug?: boolean;
  /** The host (default: RxJS 7 schedulers). */
  host?: LoopHost;
  /**
   * Trace the tasks: a file written when `run()` ends (`.json` Chrome trace,
   * `.svg` timeline, `.txt` marbles), a tracer such as a `TraceRecorder`, or
   * `false` (default: env `RX_ASYNCIO_TRACE=file.json`, else off).
   */
  trace?: RunTraceOption;
}

function envClock(): ClockKind {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.RX_ASYNCIO_CLOCK === "virtual" ? "virtual" : "real";
}

/** A new event loop (asyncio's `new_event_loop`). */
export function newEventLoop(options: EventLoopOptions = {}): EventLoop {
  return new EventLoop(options);
}

/**
 * Runs `main` on a new loop and closes it: when `main` is done, every task still
 * pending is cancelled and awaited, exceptions nobody retrieved are reported,
 * and the loop is closed, leaving no timer behind. Resolves with main's result,
 * rejects with its exception.
 *
 * @example
 * ```ts
 * function* main(): Coroutine<string> {
 *   yield* sleep(1000);
 *   return "done";
 * }
 * run(main).then(console.log);
 * ```
 * @throws RuntimeError when called from inside a running loop
 */
export function run<T>(main: TaskInput<T>, options: RunOptions = {}): Promise<T> {
  if (_getRunningLoop() !== null) {
    throw new RuntimeError("run() cannot be called from a running event loop");
  }
  if (!isCoroutine(main) && typeof main !== "function") {
    throw new TypeError(`run(main): 'main' must be a coroutine or a coroutine function, got ${describe(main)}`);
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`run(main, options): 'options' must be an object, got ${describe(options)}`);
  }
  checkTraceOption(options.trace);
  const loop = new EventLoop({
    clock: options.clock ?? envClock(),
    ...(options.debug !== undefined ? { debug: options.debug } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
  const endTrace = startRunTrace(loop, options.trace);
  return finish(loop, loop.runUntilComplete(main), endTrace);
}

async function finish<T>(loop: EventLoop, result: Promise<T>, endTrace: (() => void) | null = null): Promise<T> {
  try {
    return await result;
  } finally {
    try {
      await cancelAllTasks(loop);
      // asyncio.run: wait for the default executor's jobs (at most 300 s), then its workers are gone.
      if (loop._defaultExecutor !== null) {
        await loop.runUntilComplete(loop.shutdownDefaultExecutor(DEFAULT_EXECUTOR_SHUTDOWN_TIMEOUT));
      }
    } finally {
      loop._reportUnretrieved();
      loop.close();
      if (endTrace !== null) endTrace();
    }
  }
}

/** Cancels every pending task of `loop`, waits for them, reports their failures. */
async function cancelAllTasks(loop: EventLoop): Promise<void> {
  const pending = Array.from(loop._tasks);
  if (pending.length === 0) return;
  for (const t of pending) t.cancel();
  const all = loop.createFuture<void>();
  let left = pending.length;
  const one = () => {
    if (--left === 0 && !all.done()) all.setResult(undefined);
  };
  for (const t of pending) t.addDoneCallback(one);
  await loop.runUntilComplete(all);
  for (const t of pending as Task<unknown>[]) {
    if (t.cancelled()) continue;
    const exc = t.exception();
    if (exc !== null) {
      loop.callExceptionHandler({ message: "unhandled exception during run() shutdown", exception: exc, task: t });
    }
  }
}
