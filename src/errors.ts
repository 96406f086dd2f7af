/**
 * The exceptions of rx-asyncio, named as in Python's asyncio. Every one is an
 * `Error`, so `instanceof Error` and stack traces work as JavaScript users expect.
 *
 * @module
 */
import { describe } from "./coroutines.js";

/**
 * Names the class on its prototype: ES2022 classes extending `Error` already
 * get the right prototype chain, so nothing is done per instance.
 */
function named(ctor: { prototype: Error }, name: string): void {
  Object.defineProperty(ctor.prototype, "name", { value: name, enumerable: false, configurable: true, writable: true });
}

/**
 * Thrown into a coroutine at its pending `yield*` when its task is cancelled, and
 * by `result()` of a cancelled future. Catch it to clean up, then re-throw it.
 *
 * @example
 * ```ts
 * try { yield* sleep(10_000); }
 * catch (e) { if (e instanceof CancelledError) console.log("cleanup"); throw e; }
 * ```
 */
export class CancelledError extends Error {
  constructor(message?: string) {
    super(message ?? "");
  }
}

/**
 * A `CancelledError` made by the loop itself, without a stack trace: its stack
 * would only show loop internals, and capturing it dominated the cost of
 * cancelling (W6 benchmark: 100k cancellations). @internal
 */
export function loopCancelledError(message: string | undefined): CancelledError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new CancelledError(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
named(CancelledError, "CancelledError");

/** A deadline passed: thrown by `waitFor`, `timeout` scopes and `wait_for`-style helpers. */
export class TimeoutError extends Error {
  constructor(message?: string) {
    super(message ?? "");
  }
}
named(TimeoutError, "TimeoutError");

/** An operation was not allowed in the object's current state (`result()` of a pending future, ...). */
export class InvalidStateError extends Error {
  constructor(message?: string) {
    super(message ?? "");
  }
}
named(InvalidStateError, "InvalidStateError");

/**
 * Where CPython raises `RuntimeError`: `run()` inside a running loop, `setResult`
 * on a task, releasing an unlocked lock, a closed loop, a bad `yield`.
 */
export class RuntimeError extends Error {
  constructor(message?: string) {
    super(message ?? "");
  }
}
named(RuntimeError, "RuntimeError");

/** `getNowait()` on an empty queue. */
export class QueueEmpty extends Error {
  constructor(message?: string) {
    super(message ?? "");
  }
}
named(QueueEmpty, "QueueEmpty");

/** `putNowait()` on a full queue. */
export class QueueFull extends Error {
  constructor(message?: string) {
    super(message ?? "");
  }
}
named(QueueFull, "QueueFull");

/** `put()`/`get()` on a queue that was shut down. */
export class QueueShutDown extends Error {
  constructor(message?: string) {
    super(message ?? "");
  }
}
named(QueueShutDown, "QueueShutDown");

/** A `Barrier` was reset or aborted while tasks waited on it. */
export class BrokenBarrierError extends Error {
  constructor(message?: string) {
    super(message ?? "");
  }
}
named(BrokenBarrierError, "BrokenBarrierError");

/**
 * Several failures thrown together, as by a `TaskGroup`. A subclass of
 * `AggregateError`: the failures are in `errors`, in the order they happened.
 */
export class ExceptionGroup extends AggregateError {
  /** The failures, in the order they happened. */
  declare readonly errors: unknown[];
  constructor(message: string, errors: Iterable<unknown>) {
    if (typeof message !== "string") {
      throw new TypeError(`ExceptionGroup(message, errors): 'message' must be a string, got ${describe(message)}`);
    }
    if (typeof errors !== "object" || errors === null || typeof (errors as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new TypeError(
        `ExceptionGroup(message, errors): 'errors' must be an iterable (an array) of errors, got ${describe(errors)}`,
      );
    }
    const list = Array.from(errors);
    if (list.length === 0) {
      throw new TypeError("ExceptionGroup: argument 'errors' must not be empty");
    }
    super(list, `${message} (${list.length} sub-exception${list.length === 1 ? "" : "s"})`);
  }
}
named(ExceptionGroup, "ExceptionGroup");
