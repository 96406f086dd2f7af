/**
 * The running-loop registry (the `get_running_loop` half of asyncio's
 * `events` module): which loop's drain is on the stack, or whose async-function
 * task's continuation runs.
 *
 * @module
 */
import { RuntimeError } from "./errors.js";
import { asyncContextLoop } from "./internal/async-context.js";
import { noRunningLoopMessage } from "./internal/copies.js";
import type { EventLoop } from "./event-loop.js";

let runningLoop: EventLoop | null = null;

/** @internal Sets the loop whose callbacks are on the stack; returns the previous one. */
export function _swapRunningLoop(loop: EventLoop | null): EventLoop | null {
  const prev = runningLoop;
  runningLoop = loop;
  return prev;
}

/** Whether some loop's drain is on the stack (plain callbacks included). @internal */
export function _isDraining(): boolean {
  return runningLoop !== null;
}

/**
 * The running loop, or `null` outside one: the loop whose drain is on the
 * stack, else the loop of the async-function task whose continuation runs.
 * Mostly for library code.
 */
export function _getRunningLoop(): EventLoop | null {
  return runningLoop ?? asyncContextLoop() ?? null;
}

/**
 * The event loop running the current callback or task step.
 *
 * @throws RuntimeError outside a running loop (as asyncio's `get_running_loop`).
 * @example
 * ```ts
 * function* main(): Coroutine<void> {
 *   const loop = getRunningLoop();
 *   loop.callLater(100, () => console.log("later"));
 * }
 * ```
 */
export function getRunningLoop(): EventLoop {
  const loop = runningLoop ?? asyncContextLoop();
  if (loop === undefined) throw new RuntimeError(noRunningLoopMessage());
  return loop;
}
