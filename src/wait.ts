/**
 * `wait`: wait for some or all of a set of futures, without cancelling any
 * (asyncio's `wait`, with its `return_when` constants).
 *
 * @module
 */
import { awaitsItself } from "./errors.js";
import type { Coroutine } from "./coroutines.js";
import { describe, isCoroutine } from "./coroutines.js";
import type { Runnable, TimerHandle } from "./handles.js";
import { getRunningLoop } from "./running-loop.js";
import type { FutureLike } from "./ensure-future.js";
import { Future, isFuture } from "./futures.js";
import {
  checkAwaitables,
  checkOptions,
  checkTimeout,
  releaseWaiter,
  toFuture,
} from "./internal/awaitables.js";
import { PENDING, STATE_BITS } from "./internal/future-state.js";

/** `wait()` returns when any future finishes or is cancelled. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** `wait()` returns when any future fails (or, if none fails, when all are done). */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** `wait()` returns when all futures are done (the default). */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When `wait()` returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of `wait`. */
export interface WaitOptions {
  /** Give up after this many ms (`null`/absent: no limit). Nothing is cancelled when it passes. */
  timeout?: number | null;
  /** `FIRST_COMPLETED`, `FIRST_EXCEPTION` or `ALL_COMPLETED` (default). */
  returnWhen?: ReturnWhen;
}

const WHERE = "wait(aws, options)";

/**
 * Waits for the futures in `aws` and evaluates to `[done, pending]`, two Sets.
 * Never cancels anything, and a timeout is not an error: what is not done yet
 * is in `pending`. Coroutines (and promises, observables) are wrapped in tasks,
 * which are what the sets then hold; pass tasks to recognise them.
 *
 * @example
 * ```ts
 * const t1 = createTask(fetchA()), t2 = createTask(fetchB());
 * const [done, pending] = yield* wait([t1, t2], { returnWhen: FIRST_COMPLETED });
 * for (const t of pending) t.cancel();
 * ```
 * @throws TypeError if `aws` is not an iterable of awaitables; RangeError if it
 *   is empty, `timeout` is negative or `returnWhen` is unknown
 */
export function wait<F extends Future<unknown>>(aws: Iterable<F>, options?: WaitOptions): Coroutine<[Set<F>, Set<F>]>;
export function wait<T>(
  aws: Iterable<FutureLike<T>>,
  options?: WaitOptions,
): Coroutine<[Set<Future<T>>, Set<Future<T>>]>;
export function wait(aws: Iterable<unknown>, options?: WaitOptions): Coroutine<[Set<Future<unknown>>, Set<Future<unknown>>]> {
  const opts = checkOptions(WHERE, options, ["timeout", "returnWhen"]);
  const timeout = checkTimeout(WHERE, "timeout", opts.timeout, true);
  const returnWhen = opts.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new RangeError(
      `${WHERE}: 'returnWhen' must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${describe(returnWhen)}`,
    );
  }
  const fs = collectFutures(WHERE, aws);
  return waitImpl(fs, timeout, returnWhen);
}

/**
 * The distinct futures of an iterable argument (`wait`, `asCompleted`), in
 * order of first appearance.
 * @internal
 */
export function collectFutures(where: string, aws: unknown, allowEmpty = false): Set<Future<unknown>> {
  if (
    typeof aws !== "object" ||
    aws === null ||
    aws instanceof Future ||
    isCoroutine(aws) ||
    typeof (aws as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(`${where}: 'aws' must be an iterable (e.g. an array) of awaitables, got ${describe(aws)}`);
  }
  const items = Array.isArray(aws) ? (aws as unknown[]) : Array.from(aws as Iterable<unknown>);
  if (items.length === 0 && !allowEmpty) throw new RangeError(`${where}: 'aws' must not be empty`);
  // Check everything before wrapping anything, so a bad element starts no task.
  const loop = checkAwaitables(where, items, "aws");
  // One hash operation per future (asyncio's `set(fs)`); only the rarer
  // coroutines and promises need a map, so a repeated one is wrapped once.
  const distinct = new Set<Future<unknown>>();
  let wrapped: Map<unknown, Future<unknown>> | null = null;
  for (let i = 0; i < items.length; i++) {
    const a = items[i];
    if (isFuture(a)) {
      distinct.add(a);
      continue;
    }
    wrapped ??= new Map();
    let f = wrapped.get(a);
    if (f === undefined) {
      f = toFuture<unknown>(a, loop, where, `aws[${i}]`);
      wrapped.set(a, f);
    }
    distinct.add(f);
  }
  return distinct;
}

/**
 * Counts the futures of a `wait()` as they finish, and releases the waiter
 * when all are done or, with FIRST_COMPLETED, at the first. It sits in each
 * future's callback list as a task would: no closure and no handle per future.
 */
class CompletionCounter implements Runnable {
  constructor(
    private _left: number,
    private readonly _waiter: Future<void>,
    private readonly _first: boolean,
  ) {}

  _run(): void {
    if (--this._left <= 0 || this._first) releaseWaiter(this._waiter);
  }
}

function* waitImpl(
  distinct: Set<Future<unknown>>,
  timeout: number | null,
  returnWhen: ReturnWhen,
): Coroutine<[Set<Future<unknown>>, Set<Future<unknown>>]> {
  const loop = getRunningLoop();
  const me = loop._currentTask;
  if (me !== null && distinct.has(me)) throw awaitsItself(WHERE, me.getName(), "in 'aws'");
  const fs = Array.from(distinct);
  const waiter = loop.createFuture<void>();
  let handle: TimerHandle | null = null;
  if (timeout !== null) handle = loop.callLater(timeout, releaseWaiter, waiter);
  // FIRST_EXCEPTION must see which future finished: a done callback. The
  // other modes only count, through one Runnable.
  let counter = fs.length;
  const onCompletion =
    returnWhen === FIRST_EXCEPTION
      ? (f: Future<unknown>) => {
          counter--;
          if (counter <= 0 || (!f.cancelled() && f.exception() !== null)) releaseWaiter(waiter);
        }
      : null;
  const count = onCompletion === null ? new CompletionCounter(fs.length, waiter, returnWhen === FIRST_COMPLETED) : null;
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i]!;
    if (count === null) f.addDoneCallback(onCompletion!);
    else if ((f._flags & STATE_BITS) === PENDING) f._addCallback(count);
    else loop._pushReady(count);
  }
  try {
    yield* waiter;
  } finally {
    if (handle !== null) handle.cancel();
    for (let i = 0; i < fs.length; i++) {
      const f = fs[i]!;
      if (count === null) f.removeDoneCallback(onCompletion!);
      else if ((f._flags & STATE_BITS) === PENDING) f._removeWaiter(count);
    }
  }
  let stillPending = 0;
  for (let i = 0; i < fs.length; i++) if ((fs[i]!._flags & STATE_BITS) === PENDING) stillPending++;
  // All done (the usual end): the set of distinct futures is the done set.
  if (stillPending === 0) return [distinct, new Set()];
  const done = new Set<Future<unknown>>();
  const pending = new Set<Future<unknown>>();
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i]!;
    ((f._flags & STATE_BITS) !== PENDING ? done : pending).add(f);
  }
  return [done, pending];
}
