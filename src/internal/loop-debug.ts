/**
 * Debug-mode and error-report helpers of the loop: timing a callback, the
 * report of exceptions nobody retrieved, and the text of the default report.
 */
import { describe } from "../coroutines.js";
import type { EventLoop } from "../event-loop.js";
import type { ExceptionContext } from "../event-loop-types.js";
import type { Runnable } from "../handles.js";
import type { Future } from "../futures.js";
import { F_LOG_TRACEBACK } from "./future-state.js";
import { Task } from "../tasks.js";
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
    const isTask = fut instanceof Task;
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
