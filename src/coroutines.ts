/**
 * Coroutines are generators: `yield*` is asyncio's `await`.
 *
 * @module
 */
import type { Future } from "./futures.js";

/**
 * What a coroutine hands its task when it suspends: the future it waits on, or
 * `undefined` to just let other tasks run (what `sleep(0)` does). You never
 * yield these yourself; `yield*` on an awaitable does it.
 */
export type Suspend = Future<unknown> | undefined;

/**
 * A coroutine returning `T`. Write one as a generator function and use `yield*`
 * where asyncio uses `await`:
 *
 * @example
 * ```ts
 * function* fetchData(): Coroutine<string> {
 *   yield* sleep(2000);
 *   return "Data";
 * }
 * ```
 */
export type Coroutine<T = unknown> = Generator<Suspend, T, unknown>;

/**
 * Anything `yield*` can wait on with a typed result: futures, tasks,
 * coroutine objects, `sleep(...)`.
 */
export interface Awaitable<T> {
  [Symbol.iterator](): Iterator<Suspend, T, unknown>;
}

/**
 * What a task can drive: any coroutine object. Generators are the usual kind;
 * `sleep()` returns a lighter hand-written one.
 */
export interface CoroutineLike<T = unknown> extends Iterator<Suspend, T, unknown> {
  throw(e: unknown): IteratorResult<Suspend, T>;
  [Symbol.iterator](): Iterator<Suspend, T, unknown>;
}

/** A function that makes a coroutine (a generator function). */
export type CoroutineFunction<T = unknown> = () => CoroutineLike<T>;

/** An async function given an `AbortSignal` that cancelling its task aborts. */
export type AsyncTaskFunction<T = unknown> = (signal: AbortSignal) => PromiseLike<T>;

/** Whether `x` is a coroutine object (a started-or-not generator, or any iterator with `throw`). */
export function isCoroutine(x: unknown): x is CoroutineLike<unknown> {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Coroutine).next === "function" &&
    typeof (x as Coroutine).throw === "function" &&
    typeof (x as Coroutine)[Symbol.iterator] === "function"
  );
}

const GeneratorFunction = function* () {}.constructor;

/** Whether `fn` is a generator function (so calling it makes a coroutine without running any of it). */
export function isCoroutineFunction(fn: unknown): fn is CoroutineFunction<unknown> {
  return typeof fn === "function" && fn instanceof GeneratorFunction;
}

/** A short, safe description of a value for error messages. @internal */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "string") return JSON.stringify(x.length > 40 ? x.slice(0, 40) + "..." : x);
  if (typeof x === "function") return `function ${x.name || "<anonymous>"}`;
  if (typeof x === "object") {
    const ctor = (x as object).constructor;
    const name = ctor && typeof ctor === "function" && ctor.name ? ctor.name : "Object";
    try {
      const s = String(x);
      if (s && !s.startsWith("[object")) return `${name} ${s.length > 60 ? s.slice(0, 60) + "..." : s}`;
    } catch {
      /* a hostile toString: fall through */
    }
    return `a ${name}`;
  }
  return String(x);
}
