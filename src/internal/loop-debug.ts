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

/** The default report: the message, other fields, where the object was created, the error's stack. */
export function formatExceptionContext(context: ExceptionContext): string {
  const lines = [context.message || "Unhandled exception in event loop"];
  for (const key of Object.keys(context).sort()) {
    if (key === "message" || key === "exception" || key === "sourceTraceback") continue;
    lines.push(`${key}: ${String(context[key])}`);
  }
  if (context.sourceTraceback) lines.push(`Object created at (most recent call first):\n${context.sourceTraceback}`);
  if (context.exception !== undefined) {
    const e = context.exception;
    lines.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : `exception: ${describe(e)}`);
  }
  return lines.join("\n");
}
