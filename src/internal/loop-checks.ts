/**
 * Small helpers of the loop: argument checks with clear messages, environment
 * flags, and the real-time clock that drain budgets and debug timings use.
 */
import { describe } from "../coroutines.js";
import type { EventLoop } from "../event-loop.js";

/** Milliseconds from a monotonic clock where there is one. */
export const perfNow: () => number = typeof performance !== "undefined" ? () => performance.now() : () => Date.now();

/** An environment variable, on hosts that have `process.env`. */
export function envFlag(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name];
}

/** @throws TypeError for a non-number, RangeError for a negative or non-finite delay */
export function checkDelay(name: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`'${name}' must be a number of milliseconds, got ${describe(value)}`);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`'${name}' must be a finite number of milliseconds >= 0, got ${describe(value)}`);
  }
  return value;
}

/** @throws TypeError if `fn` is not a function */
export function checkCallback(name: string, fn: unknown): void {
  if (typeof fn !== "function") {
    throw new TypeError(`'${name}' must be a function, got ${describe(fn)}`);
  }
}

/**
 * Whether `x` is an EventLoop: the one test, duck-typed (the futures and
 * tasks below the loop cannot import its class). An EventLoop's `_debug` is
 * always a boolean, so this costs one field read.
 */
export function isEventLoop(x: unknown): x is EventLoop {
  return typeof x === "object" && x !== null && typeof (x as EventLoop)._debug === "boolean";
}

/** `loop` as an argument: an EventLoop. @throws TypeError naming `where` otherwise */
export function checkLoop(where: string, loop: unknown): EventLoop {
  if (!isEventLoop(loop)) throw new TypeError(`${where}: 'loop' must be an EventLoop, got ${describe(loop)}`);
  return loop;
}
