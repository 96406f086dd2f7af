/**
 * The exceptions of rx-asyncio, named as in Python's asyncio. Every one is an
 * `Error`, so `instanceof Error` and stack traces work as JavaScript users expect.
 *
 * @module
 */

/** Fix the prototype chain and the `name` so `instanceof` and logs are right. */
function brand(err: Error, ctor: Function, name: string): void {
  Object.setPrototypeOf(err, ctor.prototype);
  Object.defineProperty(err, "name", { value: name, enumerable: false, configurable: true, writable: true });
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
    brand(this, CancelledError, "CancelledError");
  }
}

/** A deadline passed: thrown by `waitFor`, `timeout` scopes and `wait_for`-style helpers. */
export class TimeoutError extends Error {
  constructor(message?: string) {
    super(message ?? "");
    brand(this, TimeoutError, "TimeoutError");
  }
}

/** An operation was not allowed in the object's current state (`result()` of a pending future, ...). */
export class InvalidStateError extends Error {
  constructor(message?: string) {
    super(message ?? "");
    brand(this, InvalidStateError, "InvalidStateError");
  }
}

/**
 * Where CPython raises `RuntimeError`: `run()` inside a running loop, `setResult`
 * on a task, releasing an unlocked lock, a closed loop, a bad `yield`.
 */
export class RuntimeError extends Error {
  constructor(message?: string) {
    super(message ?? "");
    brand(this, RuntimeError, "RuntimeError");
  }
}

/** `getNowait()` on an empty queue. */
export class QueueEmpty extends Error {
  constructor(message?: string) {
    super(message ?? "");
    brand(this, QueueEmpty, "QueueEmpty");
  }
}

/** `putNowait()` on a full queue. */
export class QueueFull extends Error {
  constructor(message?: string) {
    super(message ?? "");
    brand(this, QueueFull, "QueueFull");
  }
}

/** `put()`/`get()` on a queue that was shut down. */
export class QueueShutDown extends Error {
  constructor(message?: string) {
    super(message ?? "");
    brand(this, QueueShutDown, "QueueShutDown");
  }
}

/** A `Barrier` was reset or aborted while tasks waited on it. */
export class BrokenBarrierError extends Error {
  constructor(message?: string) {
    super(message ?? "");
    brand(this, BrokenBarrierError, "BrokenBarrierError");
  }
}

/**
 * Several failures thrown together, as by a `TaskGroup`. A subclass of
 * `AggregateError`: the failures are in `errors`, in the order they happened.
 */
export class ExceptionGroup extends AggregateError {
  /** The failures, in the order they happened. */
  declare readonly errors: unknown[];
  constructor(message: string, errors: Iterable<unknown>) {
    const list = Array.from(errors);
    if (list.length === 0) {
      throw new TypeError("ExceptionGroup: argument 'errors' must not be empty");
    }
    super(list, `${message} (${list.length} sub-exception${list.length === 1 ? "" : "s"})`);
    brand(this, ExceptionGroup, "ExceptionGroup");
  }
}
