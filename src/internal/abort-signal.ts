/**
 * `{ signal }` options: an AbortSignal from outside (fetch's, a request's, a
 * UI's) cancels a task, with the signal's reason as the cancel message.
 *
 * @module
 */
import { describe } from "../coroutines.js";

/** What a signal-bound task offers: cancel it, and hear when it is done. */
interface Cancellable {
  cancel(msg?: string): boolean;
  addDoneCallback(fn: () => void): void;
}

/** The cancel message for an abort reason: a string as it is, an Error's message, else its text. */
export function abortMessage(reason: unknown): string {
  if (typeof reason === "string") return reason;
  if (reason instanceof Error) return reason.message;
  return String(reason);
}

/** @throws TypeError unless `signal` is an AbortSignal (or undefined) */
export function checkSignal(where: string, signal: unknown): void {
  if (signal === undefined) return;
  if (typeof signal !== "object" || signal === null || typeof (signal as AbortSignal).addEventListener !== "function" || typeof (signal as AbortSignal).aborted !== "boolean") {
    throw new TypeError(`${where}: 'signal' must be an AbortSignal, got ${describe(signal)}`);
  }
}

/**
 * Cancels `task` when `signal` aborts (at once if it already has). The
 * listener goes when the task is done, so a long-lived signal does not keep
 * finished tasks alive.
 */
export function bindSignal(task: Cancellable, signal: AbortSignal): void {
  if (signal.aborted) {
    task.cancel(abortMessage(signal.reason));
    return;
  }
  const onAbort = () => {
    task.cancel(abortMessage(signal.reason));
  };
  signal.addEventListener("abort", onAbort, { once: true });
  task.addDoneCallback(() => signal.removeEventListener("abort", onAbort));
}
