/**
 * `Task`: a coroutine driven by the loop (asyncio's `tasks` module).
 *
 * A step `next()`s (or `throw()`s into) the generator inside a loop callback.
 * The generator hands back the future it waits on; the task puts itself on that
 * future's callback list (no closure) and is pushed onto the ready queue when
 * the future is done. Cancellation cancels the future the task waits on, so the
 * next step throws `CancelledError` at the pending `yield*`; a cancel requested
 * while no future is awaited is remembered and delivered by the next step. A
 * step never runs synchronously from `cancel()` or from a teardown.
 *
 * @module
 */
import type { AsyncTaskFunction, Coroutine, CoroutineFunction, CoroutineLike } from "./coroutines.js";
import { describe, isCoroutine, isCoroutineFunction } from "./coroutines.js";
import { CancelledError, loopCancelledError, nullishFailure, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import type { Runnable } from "./handles.js";
import { _isDraining, _swapRunningLoop, getRunningLoop } from "./running-loop.js";
import { asyncContextTask } from "./internal/async-context.js";
import { Future, isFuture } from "./futures.js";
import {
  CANCEL_COUNT_SHIFT,
  CANCEL_COUNT_UNIT,
  CANCELLED,
  F_BLOCKING,
  F_CANCEL_WALK,
  F_EXCEPTION,
  F_LOG_TRACEBACK,
  F_MUST_CANCEL,
  FINISHED,
  PENDING,
  STATE_BITS,
} from "./internal/future-state.js";
import { checkLoop, checkOptionKeys } from "./internal/loop-checks.js";
import { Context, contextState, inheritContext, type ContextOwner } from "./contextvars.js";
import { AsyncCall } from "./async-task.js";
import { bindSignal, checkSignal } from "./internal/abort-signal.js";
import { SUSPENDED } from "./internal/suspend-result.js";

/** The keys of `TaskOptions`: any other is a typo, refused at once. */
const TASK_OPTIONS = ["name", "loop", "signal", "context", "eager"] as const;

/** What `createTask`, `run` and `runUntilComplete` accept. */
export type TaskInput<T> = CoroutineLike<T> | CoroutineFunction<T> | AsyncTaskFunction<T>;

/** Options of `createTask`. */
export interface TaskOptions {
  /** The task's name (default `Task-<n>`). */
  name?: string;
  /** The loop (default: the running loop). */
  loop?: EventLoop;
  /**
   * Aborting it cancels the task, with the signal's reason as the cancel
   * message (a signal already aborted cancels the task before its first step).
   */
  signal?: AbortSignal;
  /**
   * The context the task runs in (Python 3.11's `context=`): the task's
   * `ContextVar.set()` calls change this very Context. Default: a copy of the
   * current context.
   */
  context?: Context;
  /**
   * Run the first step now, inside this call, as asyncio 3.12's eager tasks do:
   * a coroutine that finishes without suspending never touches the loop. The
   * task is `currentTask()` and in `allTasks()` during that step; an exception
   * in it is stored in the task, not thrown here. Only while the loop is
   * running; otherwise the task is scheduled as usual.
   */
  eager?: boolean;
}

let taskCounter = 0;

/**
 * The property naming the task a coroutine was given to. A coroutine runs
 * once: a second task on it would resume it mid-await, or get `undefined`
 * from a finished generator (CPython: "cannot reuse already awaited
 * coroutine"). A property, not a WeakMap: a WeakMap entry per task made
 * spawning 200k tasks about 2.5x slower (ephemeron tables are costly to GC);
 * the property costs a few percent of spawning, and 8 bytes per task when V8
 * still had a spare slot in the generator's shape (a task made right after
 * its generator), else a 40-byte property array (generators made in bulk
 * before their tasks, as a gather's arguments are: V8 sizes a generator
 * function's objects from its first few, made with no property).
 */
const OWNER = Symbol("rx-asyncio task");

/**
 * The task a generator coroutine was given to, if any (gather uses it to spot
 * a coroutine passed twice without hashing every argument). @internal
 */
export function _ownerOf(coro: object): Task<unknown> | undefined {
  return (coro as { [OWNER]?: Task<unknown> })[OWNER];
}

/** The id the next task will get: tasks made from now on have ids at least this. @internal */
export function _nextTaskId(): number {
  return taskCounter + 1;
}

/**
 * Names given to tasks (the others are `Task-<id>`). Most tasks are never
 * named, so the name is not a field every task carries.
 */
const taskNames = new WeakMap<Task<unknown>, string>();

/**
 * A coroutine scheduled on the loop; a `Future` of its return value.
 *
 * @example
 * ```ts
 * function* main(): Coroutine<void> {
 *   const t = createTask(worker(), { name: "worker" });
 *   yield* sleep(100);
 *   t.cancel("enough");
 *   try { yield* t; } catch (e) { console.log(e instanceof CancelledError); } // true
 * }
 * ```
 */
export class Task<T = unknown> extends Future<T> implements Runnable, ContextOwner {
  // The invariant (asyncio's Task opens with the same one): while the task is
  // PENDING, either
  //   - `_futWaiter` is null and a step is scheduled: the task is on the
  //     loop's ready queue exactly once (a new task, one that yielded
  //     nothing, one whose awaited future was already done, or one with an
  //     exception to throw in at the next step), or
  //   - `_futWaiter` is the pending future it awaits, and the task is on that
  //     future's callback list (as itself, a Runnable: no closure), so the
  //     future's completion schedules the step.
  // `cancel()` keeps it: with a future awaited it cancels that future (whose
  // completion schedules the step); without one it sets F_MUST_CANCEL for the
  // step already scheduled. A step never runs synchronously from `cancel()`.
  //
  // Declared, assigned in the constructor, and few (see Future). A cancel to
  // deliver at the next step is the F_MUST_CANCEL bit of `_flags`, and
  // `cancelling()` the bits above; an exception to throw in at the next step
  // waits in `_exception` (the table: internal/future-state.ts); the name is
  // in a side table.
  /** @internal */ declare readonly _coro: CoroutineLike<T>;
  /** @internal */ declare readonly _id: number;
  /** @internal The future this task waits on. */
  declare _futWaiter: Future<unknown> | null;
  /** @internal Links in the loop's list of pending tasks. */
  declare _prevLink: Task<unknown> | null;
  /** @internal */ declare _nextLink: Task<unknown> | null;
  /**
   * @internal Its context (contextvars.ts): `null` while it is empty, so a
   * program that never sets a ContextVar allocates nothing per task.
   */
  declare _context: Context | null;

  /** Prefer `createTask`. The first step runs on the loop's next iteration (now, with `eager`). */
  constructor(coro: CoroutineLike<T>, options: TaskOptions = {}) {
    if (!isCoroutine(coro)) {
      throw new TypeError(`new Task(coro): 'coro' must be a coroutine (a generator object), got ${describe(coro)}`);
    }
    const loop = options.loop === undefined ? getRunningLoop() : checkLoop("new Task(coro, options)", options.loop);
    loop._checkClosed();
    const owner = (coro as { [OWNER]?: Task<unknown> })[OWNER];
    if (owner !== undefined) {
      throw new RuntimeError(
        `cannot reuse already awaited coroutine: it was given to task '${owner.getName()}' already ` +
          "(a coroutine runs once: call the generator function again for a new one, or await that task)",
      );
    }
    super(loop);
    // A sleep() or other future-coroutine refuses a second use itself (and
    // keeps its shape); a frozen coroutine-like cannot be marked.
    if (!(coro instanceof Future)) {
      try {
        (coro as { [OWNER]?: Task<unknown> })[OWNER] = this as Task<unknown>;
      } catch {
        /* not extensible */
      }
    }
    this._coro = coro;
    if (options.name !== undefined) taskNames.set(this as Task<unknown>, String(options.name));
    this._id = ++taskCounter;
    this._futWaiter = null;
    this._prevLink = null;
    this._nextLink = null;
    if (options.context !== undefined && !(options.context instanceof Context)) {
      throw new TypeError(`new Task(coro, options): 'context' must be a Context, got ${describe(options.context)}`);
    }
    this._context = options.context === undefined ? inheritContext() : options.context;
    loop._tasks.add(this as Task<unknown>);
    if (loop._tracer !== null) {
      try {
        loop._tracer.taskCreated(this as Task<unknown>, loop._currentTask);
      } catch (e) {
        tracerFailed(this as Task<unknown>, "taskCreated", e);
      }
    }
    // Eager (asyncio's __eager_start): the first step runs here, as the current
    // task and registered; if it suspends, the step filed the task where its
    // wait says (the invariant below holds as after any step).
    // Bound before the first step, so a signal already aborted cancels it there.
    if (options.signal !== undefined) bindSignal(this, options.signal);
    if (options.eager === true && loop.isRunning()) this._eagerStart();
    else loop._pushReady(this);
  }

  /** @internal The first step, now (asyncio's `__eager_start`). */
  private _eagerStart(): void {
    // Called from outside a drain (a promise continuation), the step still
    // sees its loop as the running one. The step's context is found through
    // the loop's current task, so the callback or Context.run() this is
    // called from steps aside meanwhile.
    const prevLoop = _swapRunningLoop(this._loop);
    const prevOwner = contextState.owner;
    contextState.owner = null;
    try {
      this._run();
    } finally {
      contextState.owner = prevOwner;
      _swapRunningLoop(prevLoop);
    }
  }

  /** The task's name (`Task-<n>` unless set). */
  getName(): string {
    return taskNames.get(this as Task<unknown>) ?? `Task-${this._id}`;
  }

  /** Renames the task. */
  setName(name: string): void {
    taskNames.set(this as Task<unknown>, String(name));
  }

  /** The coroutine the task drives. */
  getCoro(): CoroutineLike<T> {
    return this._coro;
  }

  /** A task's result is set by its coroutine only. @throws RuntimeError */
  override setResult(_value: T): never {
    throw new RuntimeError("Task does not support setResult()");
  }

  /** A task's exception is set by its coroutine only. @throws RuntimeError */
  override setException(_exception: unknown): never {
    throw new RuntimeError("Task does not support setException()");
  }

  /**
   * Requests cancellation: `CancelledError(msg)` is thrown into the coroutine at
   * its pending `yield*` on a later step, so its `catch`/`finally` run (and may
   * `yield*`). Returns `false` if the task is already done.
   */
  override cancel(msg?: string): boolean {
    if ((this._flags & STATE_BITS) !== PENDING) return false;
    // asyncio's cancel() calls the awaited future's cancel(), which for a task
    // recurses: a chain of tasks awaiting tasks goes one stack frame per task,
    // and a cycle of tasks awaiting each other recurses until RecursionError.
    // Here a chain of tasks is walked in a loop, each task marked F_CANCEL_WALK
    // while its cancel is under way. Meeting a marked task again (directly, or
    // through a gather or shield whose cancel calls back into this method)
    // closes a cycle: the cancel lands on the task whose wait closes it, which
    // is woken at once with CancelledError; its end then wakes the others.
    let t = this as Task<unknown>;
    for (;;) {
      t._flags += CANCEL_COUNT_UNIT;
      const w = t._futWaiter;
      if (w === null) break;
      if (w instanceof Task && w.cancel === taskCancel) {
        if ((w._flags & STATE_BITS) !== PENDING) break; // done: its callback wakes t
        if ((w._flags & F_CANCEL_WALK) !== 0) {
          t._wakeToCancel(w, msg);
          endCancelWalk(this as Task<unknown>);
          return true;
        }
        t._flags |= F_CANCEL_WALK;
        t = w;
        continue;
      }
      t._flags |= F_CANCEL_WALK;
      let landed: boolean;
      try {
        landed = w.cancel(msg);
      } finally {
        endCancelWalk(this as Task<unknown>);
      }
      if (landed) return true;
      // Not cancellable (done, its callback to t scheduled): t's step delivers it.
      t._flags |= F_MUST_CANCEL;
      t._cancelMessage = msg;
      return true;
    }
    endCancelWalk(this as Task<unknown>);
    // No future to cancel: a step is already scheduled and will deliver it.
    t._flags |= F_MUST_CANCEL;
    t._cancelMessage = msg;
    return true;
  }

  /**
   * @internal Stops waiting on `w` (a task in the cycle being cancelled) and
   * schedules the step that throws CancelledError in; keeps the invariant.
   */
  _wakeToCancel(w: Future<unknown>, msg: string | undefined): void {
    w._removeWaiter(this);
    this._futWaiter = null;
    this._flags |= F_MUST_CANCEL;
    this._cancelMessage = msg;
    this._loop._pushReady(this);
  }

  /** @internal Whether a cancel waits to be delivered at the next step. */
  get _mustCancel(): boolean {
    return (this._flags & F_MUST_CANCEL) !== 0;
  }

  /** How many cancel requests are pending (`cancel()` calls minus `uncancel()` calls). */
  cancelling(): number {
    return this._flags >>> CANCEL_COUNT_SHIFT;
  }

  /** Withdraws one cancel request; returns how many remain. */
  uncancel(): number {
    if (this._flags >= CANCEL_COUNT_UNIT) {
      this._flags -= CANCEL_COUNT_UNIT;
      if (this._flags < CANCEL_COUNT_UNIT) this._flags &= ~F_MUST_CANCEL;
    }
    return this._flags >>> CANCEL_COUNT_SHIFT;
  }

  override toString(): string {
    return `<Task ${this._stateName()} name='${this.getName()}'>`;
  }

  /** @internal Runs one step; the tracer, when there is one, sees it begin and end. */
  _run(): void {
    const tracer = this._loop._tracer;
    if (tracer === null) {
      this._step();
      return;
    }
    // A tracer that throws is reported; the step still runs (else the task would hang).
    try {
      tracer.stepStarted(this as Task<unknown>);
    } catch (e) {
      tracerFailed(this as Task<unknown>, "stepStarted", e);
    }
    this._step();
    try {
      tracer.stepEnded(this as Task<unknown>, this._futWaiter);
    } catch (e) {
      tracerFailed(this as Task<unknown>, "stepEnded", e);
    }
  }

  /** @internal */
  override _traceLabel(): string {
    return `task '${this.getName()}'`;
  }

  /**
   * @internal The wake-up (asyncio's `__wakeup`): reads the outcome of the
   * future the task waited on, and what else waits to be thrown in, and
   * returns the exception the step throws into the coroutine (`undefined`:
   * resume it with `next()`). Leaves `_futWaiter` null.
   */
  _wakeUp(): unknown {
    let exc = this._exception;
    this._exception = undefined;
    if ((this._flags & F_MUST_CANCEL) !== 0) {
      this._flags &= ~F_MUST_CANCEL;
      exc = loopCancelledError(this._cancelMessage);
    }
    const waited = this._futWaiter;
    if (waited === null) return exc;
    this._futWaiter = null;
    // A failed or cancelled wait is thrown straight in (as asyncio's __wakeup
    // does) rather than thrown from inside the awaited iterator's next(): V8
    // unwinds a generator's throw() about twice as fast.
    // The task has seen the awaited future's failure even when a pending
    // cancel is thrown in instead (asyncio's __wakeup calls result() first).
    const st = waited._flags & STATE_BITS;
    if (st === CANCELLED) {
      if (exc === undefined) exc = waited._makeCancelledError();
    } else if ((waited._flags & F_EXCEPTION) !== 0) {
      if ((waited._flags & F_LOG_TRACEBACK) !== 0) waited._retrieved();
      if (exc === undefined) exc = waited._exception;
    }
    return exc;
  }

  /**
   * @internal One step (asyncio's `__step`): resumes the coroutine with what
   * the wake-up read, then files what it yielded, keeping the invariant above.
   */
  _step(): void {
    if ((this._flags & STATE_BITS) !== PENDING) return;
    const loop = this._loop;
    const exc = this._wakeUp();
    const prev = loop._currentTask;
    loop._currentTask = this as Task<unknown>;
    let r: IteratorResult<unknown, T>;
    try {
      r = exc === undefined ? this._coro.next() : this._coro.throw(exc);
    } catch (e) {
      loop._currentTask = prev;
      this._end();
      if (e instanceof CancelledError) this._setCancelled(e);
      else this._fail(explainFailure(nullishFailure(e, "coroutine threw")));
      return;
    }
    loop._currentTask = prev;
    if (typeof r !== "object" || r === null) {
      // A hand-written coroutine whose next()/throw() broke the iterator
      // protocol: reading `done` on it would requeue the task forever.
      this._end();
      this._fail(new TypeError(`Task ${this.getName()}: its coroutine's ${exc === undefined ? "next()" : "throw()"} returned ${describe(r)}, not an iterator result { value, done }`));
      return;
    }
    if (r.done === true) {
      this._end();
      if ((this._flags & F_MUST_CANCEL) !== 0) {
        // Cancelled while finishing: asyncio reports the task as cancelled.
        this._flags &= ~F_MUST_CANCEL;
        this._setCancelled(loopCancelledError(this._cancelMessage));
      } else {
        this._result = r.value;
        this._flags |= FINISHED; // from PENDING (0): no state bits to clear
        this._scheduleCallbacks();
      }
      return;
    }
    const y = r.value;
    // The shared suspension result (internal/suspend-result.ts) keeps no future alive.
    if (r === SUSPENDED) SUSPENDED.value = undefined;
    // (A `sleep()` not started yet is a coroutine, yielded by mistake: not a future.)
    if (isFuture(y)) {
      if ((y._flags & F_BLOCKING) !== 0) {
        y._flags &= ~F_BLOCKING;
        if (y._loop !== loop) {
          this._retry(new RuntimeError(`Task ${this.getName()} got a future attached to a different loop`));
        } else if (y === this) {
          this._retry(new RuntimeError(`Task ${this.getName()} cannot await itself`));
        } else if ((y._flags & STATE_BITS) !== PENDING) {
          loop._pushReady(this);
        } else {
          y._addCallback(this);
          this._futWaiter = y;
          if ((this._flags & F_MUST_CANCEL) !== 0 && y.cancel(this._cancelMessage)) this._flags &= ~F_MUST_CANCEL;
        }
      } else {
        this._retry(new RuntimeError(`'yield' was used instead of 'yield*' in task ${this.getName()} with ${describe(y)}`));
      }
    } else if (y === undefined) {
      // A bare yield (what sleep(0) does): let everything else ready run first.
      loop._pushReady(this);
    } else {
      const hint =
        isCoroutine(y) || (typeof y === "object" && y !== null && Symbol.iterator in y)
          ? " (did you mean yield*?)"
          : isPromiseLike(y)
            ? " (a promise: write `yield* ensureFuture(promise)` to await it in a coroutine)"
            : "";
      this._retry(new RuntimeError(`Task ${this.getName()} got bad yield: ${describe(y)}${hint}`));
    }
  }

  private _retry(exc: RuntimeError): void {
    this._exception = exc;
    this._loop._pushReady(this);
  }

  private _end(): void {
    this._loop._tasks.delete(this as Task<unknown>);
  }

  private _setCancelled(e: CancelledError): void {
    this._flags = (this._flags & ~STATE_BITS) | CANCELLED;
    this._cancelMessage = e.message === "" ? this._cancelMessage : e.message;
    this._exception = e;
    this._scheduleCallbacks();
  }
}

const taskCancel = Task.prototype.cancel;

/** Clears F_CANCEL_WALK down the chain that `cancel()` marked from `t`. */
function endCancelWalk(t: Task<unknown>): void {
  let c: Task<unknown> | null = t;
  while (c !== null && (c._flags & F_CANCEL_WALK) !== 0) {
    c._flags &= ~F_CANCEL_WALK;
    const w: Future<unknown> | null = c._futWaiter;
    c = w instanceof Task ? w : null;
  }
}

function tracerFailed(task: Task<unknown>, hook: string, exception: unknown): void {
  task._loop.callExceptionHandler({ message: `Exception in tracer hook ${hook} for ${task._traceLabel()}`, exception, task });
}

/** Whether `x` is a Task. */
export function isTask(x: unknown): x is Task<unknown> {
  return x instanceof Task;
}

/** Where to read about the nesting limit (docs/reliability.md, "Limits"). */
const NESTING_DOC = "https://github.com/rx-asyncio/rx-asyncio/blob/main/docs/reliability.md#limits";

/**
 * Adds what the library knows to two engine errors that escape a coroutine
 * and say nothing useful: `yield* promise` ("... is not iterable": a promise
 * is awaited with `yield* ensureFuture(promise)`), and a stack overflow,
 * which in a task is most often `yield*` nested thousands of levels deep or
 * `gather(...items)` spreading too many arguments (the engine says the same
 * for both, so the hint names both).
 * The error keeps its class and stack frames; only its message (and the
 * stack's first line) gain the hint. Runs only on a failure.
 */
function explainFailure(e: unknown): unknown {
  let hint: string;
  if (e instanceof TypeError && e.message.includes("is not iterable")) {
    hint = " (rx-asyncio: to await a promise in a coroutine, write `yield* ensureFuture(promise)`)";
  } else if (e instanceof RangeError && e.message.includes("Maximum call stack size exceeded")) {
    hint = ` (rx-asyncio: yield* nested deeper than about 4,000 levels exhausts the stack, as does a call spreading a few hundred thousand arguments, such as gather(...items): use gatherAll(items); see ${NESTING_DOC})`;
  } else return e;
  if (e.message.includes("(rx-asyncio: ")) return e;
  const old = e.message;
  try {
    e.message = old + hint;
    if (typeof e.stack === "string") e.stack = e.stack.replace(old, e.message);
  } catch {
    /* a frozen error keeps its message */
  }
  return e;
}

function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === "object" || typeof x === "function") && x !== null && typeof (x as PromiseLike<unknown>).then === "function";
}

/** Normalizes what `createTask` & co. accept into a coroutine. @internal */
export function toCoroutine<T>(x: TaskInput<T>, where: string): CoroutineLike<T> {
  if (isCoroutine(x)) return x;
  if (isCoroutineFunction(x)) return x() as Coroutine<T>;
  if (typeof x === "function") {
    return new AsyncCall<T>(x as (signal: AbortSignal) => unknown, where);
  }
  throw new TypeError(`${where}: expected a coroutine, a generator function or an async function, got ${describe(x)}`);
}

/** What `loop.setTaskFactory()` takes: makes the task for `loop.createTask(coro, options)`. */
export type TaskFactory = <T>(loop: EventLoop, coro: CoroutineLike<T>, options: TaskOptions) => Task<T>;

/**
 * A task factory that makes every task eager (asyncio 3.12's
 * `eager_task_factory`): `loop.setTaskFactory(eagerTaskFactory)`.
 *
 * @example
 * ```ts
 * import { eagerTaskFactory, getRunningLoop, run } from "rx-asyncio";
 *
 * await run(function* () {
 *   getRunningLoop().setTaskFactory(eagerTaskFactory);
 * });
 * ```
 */
export const eagerTaskFactory: TaskFactory = (loop, coro, options) => new Task(coro, { ...options, loop, eager: true });

/**
 * A task factory making eager tasks of a `Task` subclass (asyncio's
 * `create_eager_task_factory(custom_task_constructor)`).
 * @throws TypeError if `TaskClass` is not a constructor
 */
export function createEagerTaskFactory(
  TaskClass: new <T>(coro: CoroutineLike<T>, options: TaskOptions) => Task<T>,
): TaskFactory {
  if (typeof TaskClass !== "function") {
    throw new TypeError(`createEagerTaskFactory(TaskClass): 'TaskClass' must be a Task class, got ${describe(TaskClass)}`);
  }
  return (loop, coro, options) => new TaskClass(coro, { ...options, loop, eager: true });
}

/**
 * Schedules a coroutine on the running loop as a task.
 *
 * @example
 * ```ts
 * const t = createTask(fetchData(), { name: "fetch" });
 * const data = yield* t;
 * ```
 */
export function createTask<T>(coro: TaskInput<T>, options: TaskOptions = {}): Task<T> {
  checkTaskOptions("createTask(coro, options)", options);
  const loop = options.loop ?? getRunningLoop();
  return loop.createTask(coro, options);
}

/** Checks the options of `createTask`: an object, with an EventLoop as `loop`. @internal */
export function checkTaskOptions(where: string, options: unknown): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
  }
  checkOptionKeys(where, options, TASK_OPTIONS);
  const o = options as TaskOptions;
  if (o.loop !== undefined) checkLoop(where, o.loop);
  if (o.eager !== undefined && typeof o.eager !== "boolean") {
    throw new TypeError(`${where}: 'eager' must be a boolean, got ${describe(o.eager)}`);
  }
  if (o.context !== undefined && !(o.context instanceof Context)) {
    throw new TypeError(`${where}: 'context' must be a Context (see copyContext()), got ${describe(o.context)}`);
  }
  checkSignal(where, o.signal);
}

/** The task running now, or `null` in a plain callback. @throws RuntimeError outside a running loop */
export function currentTask(loop?: EventLoop): Task<unknown> | null {
  const l = loop === undefined ? getRunningLoop() : checkLoop("currentTask(loop)", loop);
  if (l._currentTask !== null || _isDraining()) return l._currentTask;
  // In an async-function task's continuation: that task.
  const t = asyncContextTask();
  return t !== undefined && t !== null && t._loop === l ? t : null;
}

/** The loop's tasks that are not done yet. @throws RuntimeError outside a running loop */
export function allTasks(loop?: EventLoop): Set<Task<unknown>> {
  return new Set((loop === undefined ? getRunningLoop() : checkLoop("allTasks(loop)", loop))._tasks);
}
