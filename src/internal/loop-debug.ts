/**
 * Debug-mode and error-report helpers of the loop: timing a callback, the
 * report of exceptions nobody retrieved, and the text of the default report.
 */
import { describe } from "../coroutines.js";
import type { EventLoop } from "../event-loop.js";
import type { ExceptionContext } from "../event-loop-types.js";
import { captureStack, type Runnable } from "../handles.js";
import type { Future } from "../futures.js";
import type { Task } from "../tasks.js";
import { F_LOG_TRACEBACK } from "./future-state.js";
import { perfNow } from "./loop-checks.js";

/** Runs `r` (debug mode): an escaped error is reported, a slow one logged with where it was created. */
export function runDebug(r: Runnable, loop: EventLoop): void {
  const t0 = perfNow();
  try {
    r._run();
  } catch (exception) {
    loop.callExceptionHandler({ message: "Unexpected error in the event loop", exception });
  }
  const dt = perfNow() - t0;
  if (dt < loop.slowCallbackDuration) return;
  const label = (r as { _traceLabel?: () => string })._traceLabel?.() ?? String(r);
  const src = (r as { _sourceTraceback?: string })._sourceTraceback;
  loop.logger.warn(
    `Executing ${label} took ${dt.toFixed(1)} ms` + (src ? `\n${label} created at (most recent call first):\n${src}` : ""),
  );
}

/** Reports (and forgets) every failed future in `unretrieved` whose exception nobody looked at. */
export function reportUnretrieved(loop: EventLoop, unretrieved: Set<Future<unknown>>): void {
  const list = Array.from(unretrieved);
  unretrieved.clear();
  for (const fut of list) {
    if (!fut._logTraceback) continue;
    fut._flags &= ~F_LOG_TRACEBACK;
    // A task has a coroutine (the loop layer sits below tasks.ts: no instanceof).
    const isTask = typeof (fut as Task<unknown>).getCoro === "function";
    loop.callExceptionHandler({
      message: `${isTask ? "Task" : "Future"} exception was never retrieved`,
      exception: fut._exception,
      ...(isTask ? { task: fut as Task<unknown> } : { future: fut }),
      sourceTraceback: fut._sourceTraceback,
    });
  }
}

/**
 * A context entry in the report. A nested context (what a failing exception
 * handler was given) shows its message and exception, not `[object Object]`;
 * a value whose `toString` throws is described instead.
 */
function contextValue(v: unknown): string {
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const c = v as { message?: unknown; exception?: unknown };
    if (typeof c.message === "string") {
      const e = c.exception;
      if (e === undefined) return c.message;
      return `${c.message}: ${e instanceof Error ? `${e.name}: ${e.message}` : describe(e)}`;
    }
  }
  try {
    return String(v);
  } catch {
    return describe(v);
  }
}

/** The default report: the message, other fields, where the object was created, the error's stack. */
export function formatExceptionContext(context: ExceptionContext): string {
  const lines = [context.message || "Unhandled exception in event loop"];
  for (const key of Object.keys(context).sort()) {
    if (key === "message" || key === "exception" || key === "sourceTraceback") continue;
    lines.push(`${key}: ${contextValue(context[key])}`);
  }
  if (context.sourceTraceback) lines.push(`Object created at (most recent call first):\n${context.sourceTraceback}`);
  if (context.exception !== undefined) {
    const e = context.exception;
    lines.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : `exception: ${describe(e)}`);
  }
  return lines.join("\n");
}

/** What a coroutine not awaited yet is reported with, if it is collected so. */
interface Unawaited {
  loop: EventLoop;
  what: string;
  stack: string;
}

/**
 * asyncio's "coroutine ... was never awaited", in debug mode, for the
 * coroutine objects the library makes (`sleep()`, `lock.acquire()`,
 * `queue.get()`, ...): a statement `sleep(10);` without `yield*` does nothing
 * and used to pass silently. A FinalizationRegistry sees the object collected
 * without ever having been stepped; the report says where it was created.
 * Generators written by the user never reach the library before they are
 * awaited, so they cannot be tracked (README: Differences from asyncio).
 */
const unawaitedRegistry =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry<Unawaited>((u) => {
        unawaitedState.count--;
        try {
          u.loop.logger.warn(`coroutine ${u.what} was never awaited\nCoroutine created at (most recent call first):\n${u.stack}`);
        } catch {
          /* a broken logger must not throw from the GC's callback */
        }
      })
    : null;

/**
 * How many coroutines are tracked: the hot paths test this one number, so
 * outside debug mode tracking costs a field read. `debugSeen`: some loop has
 * been in debug mode (it stays set): until then an operation being made need
 * not look up the running loop to learn whether to track itself (a call per
 * `put()`/`get()`, costly until V8 optimizes the caller).
 */
export const unawaitedState = { count: 0, debugSeen: false };

/**
 * Tracks `coro` (debug mode) until it is first stepped; `what` names it in the
 * report, whose stack starts `frames` calls above this one (the user's line).
 */
export function trackUnawaited(loop: EventLoop, coro: object, what: string, frames = 1): void {
  if (unawaitedRegistry === null) return;
  unawaitedState.count++;
  unawaitedRegistry.register(coro, { loop, what, stack: captureStack(2 + frames) }, coro);
}

/** `coro` is being awaited: no report. */
export function markAwaited(coro: object): void {
  if (unawaitedRegistry !== null && unawaitedRegistry.unregister(coro)) unawaitedState.count--;
}
