/**
 * Debug-mode helpers of the loop: timing a callback, and the text of the
 * default exception report.
 */
import { describe } from "../coroutines.js";
import type { ExceptionContext } from "../event-loop-types.js";
import type { Runnable } from "../events.js";

const now = typeof performance !== "undefined" ? () => performance.now() : () => Date.now();

/** Runs `r`, reporting an escaped error to `loop`; returns how long it took (ms). */
export function runTimed(r: Runnable, loop: { callExceptionHandler(ctx: ExceptionContext): void }): number {
  const t0 = now();
  try {
    r._run();
  } catch (exception) {
    loop.callExceptionHandler({ message: "Unexpected error in the event loop", exception });
  }
  return now() - t0;
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
