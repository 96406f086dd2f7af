/**
 * `run()`: asyncio.run (asyncio's `runners` module).
 *
 * @module
 */
import type { ClockKind, EventLoopOptions, LoopTracer } from "./event-loop.js";
import { EventLoop } from "./event-loop.js";
import { describe, isCoroutine } from "./coroutines.js";
import { RuntimeError } from "./errors.js";
import { _getRunningLoop } from "./running-loop.js";
import { DEFAULT_EXECUTOR_SHUTDOWN_TIMEOUT } from "./loop-executor.js";
import type { LoopHost } from "./host.js";
import { Task, toCoroutine, type TaskInput } from "./tasks.js";
import { checkSignal } from "./internal/abort-signal.js";
import { checkOptionKeys } from "./internal/loop-checks.js";
import type { TimerHandle } from "./handles.js";
import { installVirtualRxClock, type VirtualTimers } from "./internal/rx-clock.js";
import { guardSigint, keyboardInterrupt, type SigintGuard } from "./internal/sigint.js";

/**
 * The keys of `RunOptions`: any other is a typo, refused at once. (It lists
 * `handleSigint`, issue 15's Ctrl-C option, so the two changes merge either way.)
 */
const RUN_OPTIONS = ["clock", "debug", "host", "trace", "signal", "handleSigint"] as const;

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
  /**
   * Aborting it cancels `main` (the signal's reason is the cancel message);
   * `run()` then rejects with CancelledError after the usual cleanup.
   */
  signal?: AbortSignal;
  /**
   * Ctrl-C as asyncio.run handles it (default `true`): the first SIGINT
   * cancels `main`, whose `catch`/`finally` run and may wait; `run()` then
   * rejects with `KeyboardInterrupt` and the exit code is 130. A second
   * SIGINT exits at once. Only installed when nothing else listens for
   * SIGINT, and removed when `run()` ends. `false` leaves SIGINT to Node.
   */
  handleSigint?: boolean;
}

/**
 * The `trace` option of `run()`: a file to write when `run()` ends (`.json`:
 * Chrome Trace Event JSON for Perfetto / chrome://tracing; `.svg`: an SVG
 * timeline; `.txt`: the marble timeline), a tracer to record into (e.g. a
 * `TraceRecorder` you export yourself afterwards), or `false` to ignore env
 * `RX_ASYNCIO_TRACE`.
 */
export type RunTraceOption = string | LoopTracer | false;

/**
 * Records a run into a file: the hook the trace layer installs
 * (trace/run-trace.ts), so `run()` does not load the recorder and the three
 * exporters unless the app does.
 */
let runTraceWriter: ((loop: EventLoop, path: string) => () => void) | null = null;

/** @internal Installs the trace layer's side of the `trace` option. */
export function setRunTraceWriter(writer: (loop: EventLoop, path: string) => () => void): void {
  runTraceWriter = writer;
}

function envTrace(): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = proc?.env?.RX_ASYNCIO_TRACE;
  return v === undefined || v === "" ? undefined : v;
}

const NO_TRACE_LAYER =
  "the trace layer was not loaded (a bundler dropped it as unused): pass a TraceRecorder as 'trace' and call writeTrace(recorder, path) after run()";

/** Checks `run()`'s `trace` option before any loop exists. */
function checkTraceOption(option: unknown): void {
  if (option === undefined || option === false) return;
  if (typeof option === "string") {
    if (option === "") throw new TypeError("run(main, options): 'trace' must be a file path, a tracer or false, got \"\"");
    if (runTraceWriter === null) throw new RuntimeError(`run(main, options): 'trace' is a file path, but ${NO_TRACE_LAYER}`);
    return;
  }
  if (
    typeof option === "object" &&
    option !== null &&
    typeof (option as LoopTracer).taskCreated === "function" &&
    typeof (option as LoopTracer).stepStarted === "function" &&
    typeof (option as LoopTracer).stepEnded === "function"
  ) {
    return;
  }
  throw new TypeError(`run(main, options): 'trace' must be a file path, a tracer (e.g. a TraceRecorder) or false, got ${describe(option)}`);
}

/**
 * Turns tracing on for a `run()` loop; returns what to call once the loop is
 * closed (it detaches the tracer, and writes the file), or `null`.
 */
function startRunTrace(loop: EventLoop, option: RunTraceOption | undefined): (() => void) | null {
  const target = option === undefined ? envTrace() : option;
  if (target === undefined || target === false) return null;
  if (typeof target !== "string") {
    loop.setTrace(target);
    return () => loop.setTrace(null);
  }
  if (runTraceWriter === null) {
    loop.logger.warn(`rx-asyncio: RX_ASYNCIO_TRACE=${target} is ignored: ${NO_TRACE_LAYER}`);
    return null;
  }
  return runTraceWriter(loop, target);
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
 * On the virtual clock the whole program runs in virtual time: for the run's
 * duration RxJS's `asyncScheduler` (what `delay(100)`, `interval(1000)` or
 * `timer(5)` use when given no scheduler) runs on the loop's clock, as
 * `TestScheduler.run` does for its callback, and is restored afterwards.
 *
 * @example
 * ```ts
 * function* main(): Coroutine<string> {
 *   yield* sleep(1000);
 *   return "done";
 * }
 * run(main).then(console.log);
 * ```
 * @throws RuntimeError when called from inside a running loop, or for a
 *   virtual-clock run while RxJS's clock is already virtual (inside
 *   `TestScheduler.run` or another virtual-clock `run()`)
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
  checkOptionKeys("run(main, options)", options, RUN_OPTIONS);
  checkTraceOption(options.trace);
  checkSignal("run(main, options)", options.signal);
  if (options.handleSigint !== undefined && typeof options.handleSigint !== "boolean") {
    throw new TypeError(`run(main, options): 'handleSigint' must be a boolean, got ${describe(options.handleSigint)}`);
  }
  const loop = new EventLoop({
    clock: options.clock ?? envClock(),
    ...(options.debug !== undefined ? { debug: options.debug } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
  let restoreRx: (() => void) | null = null;
  if (loop.clock() === "virtual") {
    try {
      restoreRx = installVirtualRxClock(loopAsRxClock(loop), "run(main, { clock: 'virtual' })");
    } catch (e) {
      loop.close();
      throw e;
    }
  }
  const endTrace = startRunTrace(loop, options.trace);
  let mainTask: Task<T>;
  try {
    mainTask = new Task<T>(toCoroutine(main, "run(main)"), options.signal === undefined ? { loop } : { loop, signal: options.signal });
  } catch (e) {
    // Nothing ran: leave no virtual RxJS clock, trace or loop behind.
    if (restoreRx !== null) restoreRx();
    if (endTrace !== null) endTrace();
    loop.close();
    throw e;
  }
  const sigint = options.handleSigint === false ? null : guardSigint(mainTask as Task<unknown>);
  return finish(loop, loop.runUntilComplete(mainTask), endTrace, restoreRx, sigint);
}

/**
 * The virtual loop as RxJS's clock: `asyncScheduler`'s timers become loop
 * timers. Each armed one counts as waiting on the loop (its subscriber can
 * only move when the loop does), so `await firstValueFrom(timer(5))` in an
 * async main does not hold the virtual clock still.
 */
function loopAsRxClock(loop: EventLoop): VirtualTimers {
  return {
    now: () => loop.time(),
    arm(fn, ms, repeat) {
      let handle: TimerHandle | null = null;
      let live = true;
      const stop = () => {
        if (live) {
          live = false;
          loop._endLoopWait();
        }
      };
      const fire = () => {
        handle = null;
        if (repeat) handle = loop.callLater(ms, fire);
        else stop();
        fn();
      };
      loop._beginLoopWait();
      handle = loop.callLater(ms, fire);
      return {
        cancel() {
          if (handle !== null && !loop.isClosed()) handle.cancel();
          handle = null;
          stop();
        },
      };
    },
  };
}

async function finish<T>(
  loop: EventLoop,
  result: Promise<T>,
  endTrace: (() => void) | null = null,
  restoreRx: (() => void) | null = null,
  sigint: SigintGuard | null = null,
): Promise<T> {
  try {
    return await result;
  } catch (e) {
    // Thrown once the cleanup below is done, as asyncio raises KeyboardInterrupt.
    throw sigint !== null && sigint.interrupted ? keyboardInterrupt(e) : e;
  } finally {
    try {
      await cancelAllTasks(loop);
      // asyncio.run: wait for the default executor's jobs (at most 300 s), then its workers are gone.
      if (loop._defaultExecutor !== null) {
        await loop.runUntilComplete(loop.shutdownDefaultExecutor(DEFAULT_EXECUTOR_SHUTDOWN_TIMEOUT));
      }
    } finally {
      loop._reportUnretrieved();
      if (restoreRx !== null) restoreRx();
      loop.close();
      if (endTrace !== null) endTrace();
      if (sigint !== null) sigint.remove();
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
