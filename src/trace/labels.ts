/**
 * What a waiting task waits on, in words, and values in short text: shared by
 * the recorder, the exports and the task tree.
 *
 * @module
 * @internal
 */
import { describe } from "../coroutines.js";
import type { Future } from "../futures.js";
import { SleepFuture } from "../sleep.js";
import { Task } from "../tasks.js";

/** A decoded wait. @internal */
export interface WaitInfo {
  label: string;
  /** For a sleep: how long it waits from `at`. */
  delay?: number;
  /** For a task awaiting a task: the awaited one. */
  task?: Task<unknown>;
}

/** Milliseconds as short text: integers as is, else at most 3 decimals. @internal */
export function fmtMs(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

/**
 * What a task waits on when it suspends on `fut`. Sleeps show the delay asked
 * for, tasks their name; any other future gives its own `_traceLabel()`
 * (primitives, executors and composites override it).
 * @internal
 */
export function waitLabel(fut: Future<unknown>): WaitInfo {
  if (fut instanceof Task) return { label: `task '${fut.getName()}'`, task: fut };
  if (fut instanceof SleepFuture) return { label: `sleep ${fmtMs(fut._delay)} ms`, delay: fut._delay };
  let label: string;
  try {
    label = String(fut._traceLabel());
  } catch {
    label = "future";
  }
  return { label };
}

/** A value in at most `max` characters, for legends, tooltips and trace args. @internal */
export function fmtValue(v: unknown, max = 60): string {
  let s: string;
  if (v instanceof Error) s = `${v.name}: ${v.message}`;
  else if (typeof v === "string") s = JSON.stringify(v);
  else if (v === undefined || v === null || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") s = String(v);
  else if (typeof v === "symbol" || typeof v === "function") s = describe(v);
  else {
    try {
      s = JSON.stringify(v) ?? describe(v);
    } catch {
      s = describe(v);
    }
  }
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}
