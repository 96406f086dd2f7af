/**
 * The types around `EventLoop`: options, exception-handler contexts, tracer hooks.
 *
 * @module
 */
import type { EventLoop } from "./event-loop.js";
import type { Handle } from "./handles.js";
import type { Future } from "./futures.js";
import type { LoopHost } from "./host.js";
import type { Task } from "./tasks.js";

/** Which clock a loop keeps. */
export type ClockKind = "real" | "virtual";

/** Options of `new EventLoop()` / `newEventLoop()`. */
export interface EventLoopOptions {
  /**
   * `"real"` (default, unless env `RX_ASYNCIO_CLOCK=virtual`) reads the host clock. `"virtual"` starts at 0 and jumps to
   * the next timer whenever nothing is ready and nothing outside the loop is
   * pending, so an hour of sleeps takes milliseconds, the same on every run.
   */
  clock?: ClockKind;
  /** Debug mode (default: env `RX_ASYNCIO_DEBUG=1`). */
  debug?: boolean;
  /** The host that gives the clock and wake-ups (default: RxJS 7 schedulers). */
  host?: LoopHost;
}

/** What the exception handler is told. */
export interface ExceptionContext {
  message: string;
  exception?: unknown;
  future?: Future<unknown>;
  task?: Task<unknown>;
  handle?: Handle;
  /** In debug mode: the stack where the task, future or handle was created. */
  sourceTraceback?: string;
  [key: string]: unknown;
}

/** A custom exception handler: `loop.setExceptionHandler((loop, ctx) => ...)`. */
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/**
 * Hooks a tracer gets from the loop (trio's `Instrument`, reduced to tasks).
 * `stepEnded` gets the future the task now waits on (`null`: none, because it is
 * done, yielded to the loop, or is retrying).
 */
export interface LoopTracer {
  taskCreated(task: Task<unknown>, parent: Task<unknown> | null): void;
  stepStarted(task: Task<unknown>): void;
  stepEnded(task: Task<unknown>, awaiting: Future<unknown> | null): void;
  /** Called by `loop.setTrace(tracer)` before the first event (may throw to refuse). */
  attached?(loop: EventLoop): void;
  /** Called when `loop.setTrace()` replaces or removes this tracer. */
  detached?(loop: EventLoop): void;
}

/** Where the loop writes warnings and errors (default `console`). */
export interface LoopLogger {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}
