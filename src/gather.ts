/**
 * `gather`: run awaitables concurrently and collect their results in argument
 * order (asyncio's `gather`).
 *
 * @module
 */
import { describe, isCoroutine } from "./coroutines.js";
import type { CoroutineLike, Suspend } from "./coroutines.js";
import { awaitsItself } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { getRunningLoop } from "./running-loop.js";
import type { FutureLike } from "./ensure-future.js";
import { Future, isFuture } from "./futures.js";
import {
  checkAwaitables,
  checkOptions,
  isOptionsObject,
  toFuture,
  type AwaitedOf,
} from "./internal/awaitables.js";
import { _nextTaskId, _ownerOf, Task, type TaskOptions } from "./tasks.js";
import { CANCELLED, F_EXCEPTION, FINISHED, PENDING, STATE_BITS } from "./internal/future-state.js";

/** Options of `gather`. */
export interface GatherOptions {
  /**
   * Put each failure (and a `CancelledError` for each cancelled child) in the
   * results instead of failing the gather. Default `false`.
   */
  returnExceptions?: boolean;
  /** Make the coroutines' tasks eager (see `TaskOptions.eager`): each runs its first step inside `gather`. */
  eager?: boolean;
}

/** The results of `gather(...aws)`: one typed slot per argument. */
export type GatherResults<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitedOf<A[K]> };

/** The results of `gather(...aws, { returnExceptions: true })`: a result or the error, per argument. */
export type GatherSettled<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitedOf<A[K]> | Error };

/**
 * The future `gather` returns. Cancelling it cancels every child that is not
 * done yet; it then fails with `CancelledError` once they are all done.
 * @internal
 */
class GatheringFuture<R> extends Future<R> {
  /** @internal */ readonly _children: Future<unknown>[];
  /** @internal */ _nfinished = 0;
  /** @internal */ _cancelRequested = false;
  /** @internal */ readonly _returnExceptions: boolean;
  /** @internal One callback for all children: it is given the child that finished. */
  readonly _onChildDone: (child: Future<unknown>) => void;

  constructor(loop: EventLoop, children: Future<unknown>[], returnExceptions: boolean) {
    super(loop);
    this._children = children;
    this._returnExceptions = returnExceptions;
    this._onChildDone = (child) => this._childDone(child);
  }

  /** @internal What a task waiting on it waits on, in traces and the task tree. */
  override _traceLabel(): string {
    return "gather";
  }

  /**
   * `yield*` support, refusing the one await that can never end: the task
   * awaiting the gather is one of its children (the check runs in the awaiting
   * task, so handing the gather to another task stays allowed).
   */
  override [Symbol.iterator](): Iterator<Suspend, R, unknown> {
    const me = this._loop._currentTask;
    if (me !== null && (this._flags & STATE_BITS) === PENDING) {
      const i = this._children.indexOf(me);
      if (i >= 0) throw awaitsItself("gather(...aws)", me.getName(), `aws[${i}]`);
    }
    return super[Symbol.iterator]();
  }

  /** @internal Its parts, shown below it in the task tree. */
  _traceChildren(): Future<unknown>[] {
    return this._children;
  }

  /**
   * Cancels every child that is not done. Returns `false` if the gather is done
   * or no child could be cancelled (they have all finished).
   */
  override cancel(msg?: string): boolean {
    if ((this._flags & STATE_BITS) !== PENDING) return false;
    const children = this._children;
    let ret = false;
    for (let i = 0; i < children.length; i++) {
      if (children[i]!.cancel(msg)) ret = true;
    }
    // Propagate the cancellation even with returnExceptions (CPython bpo-32684).
    if (ret) this._cancelRequested = true;
    return ret;
  }

  /** @internal */
  _childDone(child: Future<unknown>): void {
    this._nfinished++;
    if ((this._flags & STATE_BITS) !== PENDING) {
      // Already failed: a late child's failure counts as seen, as in asyncio.
      if ((child._flags & STATE_BITS) === FINISHED && child._logTraceback) child._retrieved();
      return;
    }
    if (!this._returnExceptions) {
      const cf = child._flags;
      if ((cf & STATE_BITS) === CANCELLED) {
        super.setException(child._makeCancelledError());
        return;
      }
      if ((cf & F_EXCEPTION) !== 0) {
        super.setException(child.exception());
        return;
      }
    }
    if (this._nfinished !== this._children.length) return;
    const children = this._children;
    const n = children.length;
    const results = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const c = children[i]!;
      const cf = c._flags;
      if ((cf & STATE_BITS) === CANCELLED) results[i] = c._makeCancelledError();
      else if ((cf & F_EXCEPTION) !== 0) results[i] = c.exception();
      else results[i] = c._result;
    }
    if (this._cancelRequested) super.setException(child._makeCancelledError());
    else super.setResult(results as R);
  }
}

/** Where each of `args[0..end)` first appears. */
function firstIndexes(args: readonly unknown[], end: number): Map<unknown, number> {
  const m = new Map<unknown, number>();
  for (let j = 0; j < end; j++) if (!m.has(args[j])) m.set(args[j], j);
  return m;
}

/**
 * Runs awaitables concurrently; the returned Future's result is their results,
 * in argument order, as a typed tuple.
 *
 * - A failure fails the gather at once, while the other children **keep
 *   running** (asyncio's rule). To cancel the rest on the first failure, use a
 *   `TaskGroup` instead.
 * - With `{ returnExceptions: true }` failures (and a `CancelledError` for a
 *   cancelled child) are returned in their slots instead.
 * - Cancelling the returned Future cancels every child; a child cancelled by
 *   someone else fails the gather with `CancelledError` (unless
 *   `returnExceptions`).
 * - Coroutines become tasks; futures, tasks, promises and observables (their
 *   last value, e.g. task observables) are accepted too. The same object passed
 *   twice runs once. `gather()` gives `[]`.
 *
 * @example
 * ```ts
 * const [a, b] = yield* gather(fetchA(), fetchB()); // a: string, b: number
 * const settled = yield* gather(fetchA(), failing(), { returnExceptions: true });
 * ```
 * @throws TypeError for an argument that is not awaitable (naming its position)
 */
export function gather<const A extends readonly FutureLike<unknown>[]>(...aws: A): Future<GatherResults<A>>;
export function gather<const A extends readonly FutureLike<unknown>[]>(
  ...args: [...aws: A, options: GatherOptions & { returnExceptions: true }]
): Future<GatherSettled<A>>;
export function gather<const A extends readonly FutureLike<unknown>[]>(
  ...args: [...aws: A, options: GatherOptions & { returnExceptions?: false }]
): Future<GatherResults<A>>;
export function gather<const A extends readonly FutureLike<unknown>[]>(
  ...args: [...aws: A, options: GatherOptions]
): Future<GatherResults<A> | GatherSettled<A>>;
export function gather(...args: unknown[]): Future<unknown[]> {
  const n = args.length;
  if (n > 0 && isOptionsObject(args[n - 1])) return gatherArray(args, n - 1, gatherOptions("gather(...aws, options)", args[n - 1]));
  return gatherArray(args, n, 0);
}

const RETURN_EXCEPTIONS = 1;
const EAGER = 2;

/** The options of `gather` / `gatherAll` as bits. */
function gatherOptions(where: string, options: unknown): number {
  const opts = checkOptions(where, options, ["returnExceptions", "eager"]);
  const re = opts.returnExceptions;
  if (re !== undefined && typeof re !== "boolean") {
    throw new TypeError(`${where}: 'returnExceptions' must be a boolean, got ${describe(re)}`);
  }
  if (opts.eager !== undefined && typeof opts.eager !== "boolean") {
    throw new TypeError(`${where}: 'eager' must be a boolean, got ${describe(opts.eager)}`);
  }
  return (re === true ? RETURN_EXCEPTIONS : 0) | (opts.eager === true ? EAGER : 0);
}

/**
 * `gather` of an array or any iterable, with no limit on its length but
 * memory: `gather(...items)` spreads its arguments on the stack, and the
 * engine refuses a call with a few hundred thousand of them ("Maximum call
 * stack size exceeded"). The same rules as `gather` otherwise; the result is
 * an array of the results in iteration order.
 *
 * @example
 * ```ts
 * const pages = yield* gatherAll(urls.map((u) => fetchPage(u)));
 * const settled = yield* gatherAll(jobs, { returnExceptions: true });
 * ```
 * @throws TypeError if `aws` is not an iterable, or for an element that is not awaitable (naming its index)
 */
export function gatherAll<T>(aws: Iterable<FutureLike<T>>, options: GatherOptions & { returnExceptions: true }): Future<(T | Error)[]>;
export function gatherAll<T>(aws: Iterable<FutureLike<T>>, options?: GatherOptions & { returnExceptions?: false }): Future<T[]>;
export function gatherAll<T>(aws: Iterable<FutureLike<T>>, options?: GatherOptions): Future<(T | Error)[]>;
export function gatherAll(aws: Iterable<unknown>, options?: GatherOptions): Future<unknown[]> {
  const where = "gatherAll(aws, options)";
  if (typeof aws !== "object" || aws === null || isFuture(aws) || isCoroutine(aws) || typeof (aws as Iterable<unknown>)[Symbol.iterator] !== "function") {
    // A generator object is a coroutine here, as in wait(): Array.from() it to gather what it yields.
    const hint = isCoroutine(aws) ? " (a generator object is taken for a coroutine: pass Array.from(gen) to gather what it yields)" : "";
    throw new TypeError(`${where}: 'aws' must be an iterable (e.g. an array) of awaitables, got ${describe(aws)}${hint}`);
  }
  const bits = options === undefined ? 0 : gatherOptions(where, options);
  const items = Array.isArray(aws) ? (aws as unknown[]) : Array.from(aws);
  return gatherArray(items, items.length, bits, where);
}

/** The body of `gather` and `gatherAll`: `args[0..n)` gathered. */
function gatherArray(args: readonly unknown[], n: number, bits: number, where = "gather(...aws)"): Future<unknown[]> {
  const returnExceptions = (bits & RETURN_EXCEPTIONS) !== 0;
  const eager = (bits & EAGER) !== 0;
  if (n === 0) {
    const outer = getRunningLoop().createFuture<unknown[]>();
    outer.setResult([]);
    return outer;
  }

  // The loop: that of the first future, else the running one. Every argument
  // is checked before any task starts.
  const loop = checkAwaitables(where, args, "aws", n) ?? getRunningLoop();
  const taskOptions: TaskOptions = eager ? { loop, eager } : { loop };
  // A task factory makes the tasks, as asyncio's gather goes through ensure_future.
  const viaFactory = loop._taskFactory !== null;

  const children = new Array<Future<unknown>>(n);
  // asyncio runs a repeated argument once: one task for a coroutine passed
  // twice. Futures need no lookup: a repeated future simply fills two slots
  // (and is counted twice), which gives the same results. A generator
  // coroutine is marked with the task it was given to (tasks.ts, OWNER), so
  // a repeat of one is a coroutine whose task was made by this very call:
  // its id is at least `firstId`. For the rest (promises, observables,
  // sleep() and other coroutine objects that are futures themselves), one
  // Set.add per argument spots a repeat; only a repeat looks back for its
  // child. (Hashing every argument was most of the cost of spawning
  // 100,000 coroutines through gather.)
  const firstId = _nextTaskId();
  let seen: Set<unknown> | null = null;
  // Where each argument first appears, made at the first repeat (so many
  // repeats cost no more than one pass).
  let firstAt: Map<unknown, number> | null = null;
  for (let i = 0; i < n; i++) {
    const a = args[i];
    if (isFuture(a)) {
      children[i] = a;
      continue;
    }
    if (!viaFactory && isCoroutine(a) && !(a instanceof Future)) {
      const owner = _ownerOf(a);
      // Marked before this call: the Task constructor refuses the reuse.
      children[i] = owner !== undefined && owner._id >= firstId ? owner : new Task<unknown>(a as CoroutineLike<unknown>, taskOptions);
      continue;
    }
    seen ??= new Set();
    const size = seen.size;
    if (seen.add(a).size === size) {
      firstAt ??= firstIndexes(args, i);
      children[i] = children[firstAt.get(a)!]!;
      continue;
    }
    firstAt?.set(a, i);
    children[i] = isCoroutine(a)
      ? viaFactory
        ? loop.createTask(a as CoroutineLike<unknown>, taskOptions)
        : new Task<unknown>(a as CoroutineLike<unknown>, taskOptions)
      : toFuture<unknown>(a, loop, where, `aws[${i}]`, taskOptions);
  }
  const outer = new GatheringFuture<unknown[]>(loop, children, returnExceptions);
  const cb = outer._onChildDone;
  let anyDone = false;
  for (let i = 0; i < n; i++) {
    const c = children[i]!;
    if ((c._flags & STATE_BITS) === PENDING) c._addCallback(cb as never);
    else anyDone = true;
  }
  // Children done already (eager tasks that finished, done futures) count
  // now, as in asyncio 3.12: if all are, the gather is done when returned and
  // `yield*` on it does not suspend.
  if (anyDone) for (let i = 0; i < n; i++) if ((children[i]!._flags & STATE_BITS) !== PENDING) outer._childDone(children[i]!);
  return outer;
}
