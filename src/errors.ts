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

named(CancelledError, "CancelledError");

/**
 * Makes the `CancelledError`s the loop throws into cancelled coroutines. They
 * skip the `Error` constructor: a stack would only show loop internals, and
 * building even an empty one costs V8 about as much as the `generator.throw()`
 * that delivers the error (W6 benchmark: 100k cancellations). They are
 * `instanceof CancelledError` and `instanceof Error`, and their `stack` is
 * the header alone (`CancelledError: msg`), as before; only
 * `util.types.isNativeError()` tells them apart.
 */
const LoopCancelledError = function (this: CancelledError, message: string | undefined) {
  // The prototype's `message` is "": an own one only when there is a message,
  // non-enumerable as on native errors.
  if (message !== undefined && message !== "") {
    Object.defineProperty(this, "message", { value: message, writable: true, enumerable: false, configurable: true });
  }
} as unknown as new (message: string | undefined) => CancelledError;
LoopCancelledError.prototype = CancelledError.prototype;

// Errors made by the constructor have their own `stack`; the loop's read this.
Object.defineProperty(CancelledError.prototype, "stack", {
  get(this: CancelledError): string {
    return this.message === "" ? this.name : `${this.name}: ${this.message}`;
  },
  set(this: CancelledError, value: unknown) {
    Object.defineProperty(this, "stack", { value, writable: true, enumerable: false, configurable: true });
  },
  enumerable: false,
  configurable: true,
});

/** A `CancelledError` made by the loop itself (see `LoopCancelledError`). @internal */
export function loopCancelledError(message: string | undefined): CancelledError {
  return new LoopCancelledError(message);
}

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

/**
 * The error for a task awaiting something that waits for that very task
 * (`yield* gather(currentTask())`): it would never finish. @internal
 */
export function awaitsItself(where: string, taskName: string, what: string): RuntimeError {
  return new RuntimeError(`${where}: task '${taskName}' cannot await itself (it is ${what}): this would never finish`);
}

/**
 * What a failure with no value becomes where it enters a future: `throw null`
 * in a coroutine, `Promise.reject()`, `subscriber.error(undefined)`. JavaScript
 * may throw anything, but a nullish failure carries no message and no stack,
 * and `exception()` returns `null` for "no exception" (asyncio's contract), so
 * it is kept as an Error saying where it came from (`source`, e.g. "coroutine
 * threw") instead. Any other value is kept as thrown. @internal
 */
export function nullishFailure(e: unknown, source: string): unknown {
  return e === undefined || e === null ? new RuntimeError(`${source} ${String(e)}`) : e;
}

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
export class ExceptionGroup<E = Error> extends AggregateError {
  /**
   * The failures, in the order they happened. They are `Error`s unless code threw
   * something else (`throw "x"` in a task): narrow with `instanceof` when unsure.
   */
  declare readonly errors: E[];
  constructor(message: string, errors: Iterable<E>) {
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

/**
 * `run()` (or `loop.runUntilComplete()`) waited on a task that nothing can
 * ever wake: the process was about to exit with no callback ready, no timer,
 * no I/O and no outside work left that could settle it (on the virtual
 * clock: no virtual timer the clock could jump to). Go's runtime says "all
 * goroutines are asleep - deadlock!"; CPython would hang forever; Node would
 * exit silently with code 0. The pending tasks, what each waits on, and (in
 * debug mode) where each was created are in `taskTree`, also written to
 * stderr; the process exit code is set to 1.
 *
 * @example
 * ```ts
 * run(function* () {
 *   yield* new Event().wait(); // nobody will ever set it
 * }).catch((e) => {
 *   if (e instanceof DeadlockError) console.error(e.taskTree);
 * });
 * ```
 */
export class DeadlockError extends RuntimeError {
  /** The task tree at the moment the deadlock was found (the text written to stderr). */
  readonly taskTree: string;
  constructor(message?: string, taskTree = "") {
    super(message);
    this.taskTree = taskTree;
  }
}
named(DeadlockError, "DeadlockError");

/**
 * `run()` was interrupted by Ctrl-C (SIGINT), as Python's
 * `KeyboardInterrupt`: the first SIGINT cancelled the main task, its
 * `catch`/`finally` blocks ran (and could wait), then `run()` rejected with
 * this error and the process exit code was set to 130. A second SIGINT exits
 * at once. `run(main, { handleSigint: false })` leaves SIGINT to Node.
 *
 * @example
 * ```ts
 * run(main).catch((e) => {
 *   if (e instanceof KeyboardInterrupt) console.error("interrupted; cleanup ran");
 * });
 * ```
 */
export class KeyboardInterrupt extends Error {
  constructor(message?: string) {
    super(message ?? "");
  }
}
named(KeyboardInterrupt, "KeyboardInterrupt");
