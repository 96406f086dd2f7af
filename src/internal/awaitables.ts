/**
 * Argument checks and conversions shared by the composition functions
 * (`gather`, `wait`, `waitFor`, `timeout`, `shield`, `asCompleted`, task
 * groups). Library plumbing, except the public type `AwaitedOf`.
 *
 * @module
 */
import { isObservable, type Observable } from "rxjs";
import type { Awaitable, CoroutineLike, Suspend } from "../coroutines.js";
import { describe, isCoroutine } from "../coroutines.js";
import { RuntimeError, TimeoutError } from "../errors.js";
import type { EventLoop } from "../event-loop.js";
import { getRunningLoop } from "../running-loop.js";
import { Future, isFuture } from "../futures.js";
import { ObservableFuture, PromiseFuture } from "../promise-future.js";
import { Task, type TaskOptions } from "../tasks.js";
import { PENDING } from "./future-state.js";
import { checkOptionKeys } from "./loop-checks.js";

/** The result type of anything `ensureFuture` accepts (a `FutureLike`). */
export type AwaitedOf<A> =
  A extends Awaitable<infer T> ? T : A extends PromiseLike<infer T> ? T : A extends Observable<infer T> ? T : never;

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === "object" || typeof x === "function") && x !== null && typeof (x as PromiseLike<unknown>).then === "function";
}

/** Iterables that are surely a mistake where one awaitable is expected. */
function isPlainCollection(x: object): boolean {
  return Array.isArray(x) || x instanceof Set || x instanceof Map || ArrayBuffer.isView(x);
}

/** Whether `x` is something {@link toFuture} can wait on. */
export function isAwaitableLike(x: unknown): boolean {
  if (typeof x !== "object" || x === null) return isThenable(x);
  if (x instanceof Future || isCoroutine(x) || isThenable(x) || isObservable(x)) return true;
  return typeof (x as Partial<Awaitable<unknown>>)[Symbol.iterator] === "function" && !isPlainCollection(x);
}

/** The TypeError for an argument that is not awaitable. */
export function notAwaitable(where: string, what: string, x: unknown): TypeError {
  let hint = "";
  if (typeof x === "function") hint = " (call the coroutine function: pass fn(), not fn)";
  else if (typeof x === "object" && x !== null && isPlainCollection(x)) hint = " (spread it: pass ...items; for many items, gatherAll(items))";
  return new TypeError(
    `${where}: ${what} must be a coroutine, a Future/Task, a promise or an Observable, got ${describe(x)}${hint}`,
  );
}

/** Wraps a `yield*`-able that is not a full coroutine (no `throw`) so a task can drive it. */
function* awaitIt<T>(aw: Awaitable<T>): Generator<Suspend, T, unknown> {
  return yield* aw;
}

/**
 * A Future for `x` on `loop` (the running loop when `null`): futures as they
 * are, coroutines scheduled as tasks, promises and observables wrapped.
 * `taskOptions` lets a caller making many tasks share one options object.
 * @throws TypeError for a non-awaitable, RuntimeError for a future of another loop
 */
export function toFuture<T>(
  x: unknown,
  loop: EventLoop | null,
  where: string,
  what: string,
  taskOptions?: TaskOptions,
): Future<T> {
  if (isFuture(x)) {
    if (loop !== null && x._loop !== loop) {
      throw new RuntimeError(`${where}: ${what} is a future of another event loop`);
    }
    return x as Future<T>;
  }
  if (!isAwaitableLike(x)) throw notAwaitable(where, what, x);
  const l = loop ?? getRunningLoop();
  const opts = taskOptions ?? { loop: l };
  if (isCoroutine(x)) return new Task<T>(x as CoroutineLike<T>, opts);
  if (isObservable(x)) return new ObservableFuture<T>(l, x as Observable<T>);
  if (isThenable(x)) return new PromiseFuture<T>(l, x as PromiseLike<T>, null);
  return new Task<T>(awaitIt(x as Awaitable<T>), opts);
}

/**
 * Checks every item before any is wrapped (so a bad one starts no task) and
 * returns the loop to use: that of the first future, else the running loop
 * (`null` when there is none and nothing needs it yet).
 * @throws TypeError naming the first bad item; RuntimeError if futures of two loops are mixed
 */
export function checkAwaitables(
  where: string,
  items: ArrayLike<unknown>,
  name: string,
  count = items.length,
): EventLoop | null {
  let loop: EventLoop | null = null;
  for (let i = 0; i < count; i++) {
    const a = items[i];
    if (isFuture(a)) {
      if (loop === null) loop = a._loop;
      else if (a._loop !== loop) throw new RuntimeError(`${where}: ${name}[${i}] is a future of another event loop`);
    } else if (!isCoroutine(a) && !isAwaitableLike(a)) {
      throw notAwaitable(where, `${name}[${i}]`, a);
    }
  }
  return loop;
}

/**
 * `yield*`-able form of `x`: awaitables as they are (a coroutine runs inline in
 * the caller's task, as asyncio's `await coro`), promises and observables
 * through a future.
 */
export function toAwaitable<T>(x: unknown, where: string, what: string): Awaitable<T> {
  if (x instanceof Future || isCoroutine(x)) return x as Awaitable<T>;
  if (!isAwaitableLike(x)) throw notAwaitable(where, what, x);
  if (isObservable(x) || isThenable(x)) return toFuture<T>(x, null, where, what);
  return x as Awaitable<T>;
}

/**
 * Checks a timeout in ms: `null` (or `Infinity`) means none. `undefined` is
 * accepted only where `optional` (an absent option).
 * @throws TypeError for a non-number, RangeError for NaN or a negative number
 */
export function checkTimeout(where: string, name: string, value: unknown, optional: boolean): number | null {
  if (value === null || (value === undefined && optional)) return null;
  if (typeof value !== "number") {
    throw new TypeError(`${where}: '${name}' must be a number of milliseconds or null, got ${describe(value)}`);
  }
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(`${where}: '${name}' must be >= 0 ms (or null for no timeout), got ${describe(value)}`);
  }
  return value === Infinity ? null : value;
}

/** Checks that `options` is an object with only the `allowed` keys. */
export function checkOptions(where: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
  }
  checkOptionKeys(where, options, allowed);
  return options as Record<string, unknown>;
}

/** The options object at the end of an argument list, if there is one. */
export function isOptionsObject(x: unknown): boolean {
  return (
    typeof x === "object" &&
    x !== null &&
    !(x instanceof Future) &&
    !isThenable(x) &&
    !isObservable(x) &&
    typeof (x as Partial<Awaitable<unknown>>)[Symbol.iterator] !== "function"
  );
}

/** A `TimeoutError` caused by `cause` (asyncio's `raise TimeoutError from exc`). */
export function timeoutErrorFrom(cause: unknown, message = "timed out"): TimeoutError {
  const err = new TimeoutError(message);
  (err as Error & { cause?: unknown }).cause = cause;
  return err;
}

/** Done callback that wakes a waiter future (asyncio's `_release_waiter`). */
export function releaseWaiter(waiter: Future<void>): void {
  if (waiter._state === PENDING) waiter.setResult(undefined);
}
