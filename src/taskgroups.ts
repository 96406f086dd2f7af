/**
 * `TaskGroup` / `taskGroup`: structured concurrency (asyncio's `taskgroups`
 * module, CPython 3.13+ semantics including `TaskGroup.cancel()`).
 *
 * The group cancels its parent task (the one running the body) to interrupt
 * the body when a child fails, and withdraws that request with `uncancel()` on
 * exit, so that only cancellations from outside propagate. The regression
 * cases this keeps right: the uncancel is never skipped (gh-95289), child
 * errors beat cancellation (gh-95704), a nested group re-cancels its parent
 * when an outside cancel is pending (gh-116720), every child gets its done
 * callback (gh-128550), and a cancel from outside that arrives after
 * `tg.cancel()` is not swallowed (gh-155433).
 *
 * @module
 */
import type { Coroutine } from "./coroutines.js";
import { describe, isCoroutine } from "./coroutines.js";
import { CancelledError, ExceptionGroup, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { getRunningLoop } from "./running-loop.js";
import type { FutureLike } from "./ensure-future.js";
import { Future } from "./futures.js";
import { toAwaitable } from "./internal/awaitables.js";
import type { Task, TaskInput } from "./tasks.js";
import type { Context } from "./contextvars.js";

/** Options of `TaskGroup.createTask`. */
export interface TaskGroupTaskOptions {
  /** The task's name. */
  name?: string;
  /** The context it runs in (default: a copy of the current one). */
  context?: Context;
  /** Run its first step now, inside `createTask` (see `TaskOptions.eager`). */
  eager?: boolean;
}

/** The body of a task group: gets the group, returns what to wait for. */
export type TaskGroupBody<T> = (tg: TaskGroup) => FutureLike<T>;

const NO_ERROR: unique symbol = Symbol("no error");

/**
 * A group of tasks that live no longer than the body that made them. When the
 * body ends, the group waits for every task. On the first failure the other
 * tasks and the body are cancelled, the group waits for all of them, then
 * throws an `ExceptionGroup` of every failure (CancelledErrors are not
 * failures). Cancelling the parent task cancels the children.
 *
 * @example
 * ```ts
 * const tg = new TaskGroup();
 * yield* tg.run(function* () {
 *   tg.createTask(worker(1), { name: "w1" });
 *   tg.createTask(worker(2));
 * });
 * // or: yield* taskGroup(function* (tg) { ... })
 * ```
 */
export class TaskGroup {
  /** @internal */ _entered = false;
  /** @internal */ _exiting = false;
  /** @internal */ _aborting = false;
  /** @internal */ _loop: EventLoop | null = null;
  /** @internal */ _parentTask: Task<unknown> | null = null;
  /** @internal */ _parentCancelRequested = false;
  /** @internal */ readonly _tasks = new Set<Task<unknown>>();
  /** @internal */ _errors: unknown[] = [];
  /** @internal */ _onCompletedFut: Future<boolean> | null = null;
  /** @internal */ _cancelOnEnter = false;
  /** @internal One callback for every child (it is given the child). */
  readonly _onTaskDone = (task: Future<unknown>): void => this._taskDone(task as Task<unknown>);

  /**
   * Runs `body(tg)` as the group's body (asyncio's `async with tg:`) and
   * evaluates to its result once every task of the group is done. If the body
   * was cut short by `tg.cancel()` (or by a child's failure that is then
   * thrown), there is no result: `undefined`.
   * @throws RuntimeError if the group was already entered or there is no current task
   */
  run<T>(body: TaskGroupBody<T>): Coroutine<T | undefined> {
    if (typeof body !== "function") {
      throw new TypeError(`TaskGroup.run(body): 'body' must be a function (tg) => coroutine, got ${describe(body)}`);
    }
    return this._run(body);
  }

  private *_run<T>(body: TaskGroupBody<T>): Coroutine<T | undefined> {
    this._enter();
    let result: T | undefined;
    let exc: unknown = NO_ERROR;
    try {
      result = yield* toAwaitable<T>(body(this), "TaskGroup body", "the value it returned");
    } catch (e) {
      exc = e;
    }
    yield* this._exit(exc);
    return exc === NO_ERROR ? result : undefined;
  }

  /**
   * Starts `coro` as a task of the group (asyncio's `tg.create_task`).
   * @throws RuntimeError if the group is not entered yet, has finished, or is shutting down
   */
  createTask<T>(coro: TaskInput<T>, options: TaskGroupTaskOptions = {}): Task<T> {
    let refusal: string | null = null;
    if (!this._entered) refusal = `TaskGroup ${this} has not been entered`;
    else if (this._exiting && this._tasks.size === 0) refusal = `TaskGroup ${this} is finished: create its tasks while its body or its tasks still run`;
    else if (this._aborting) refusal = `TaskGroup ${this} is shutting down`;
    if (refusal !== null) {
      // Close the coroutine so that it never runs (and its finally blocks neither).
      if (isCoroutine(coro)) coro.return?.(undefined as T);
      throw new RuntimeError(refusal);
    }
    const task = this._loop!.createTask<T>(coro, options);
    // An eager task may be done already: handled now, as asyncio does (a
    // failure aborts the group at once; no callback is scheduled).
    if (task.done()) this._taskDone(task as Task<unknown>);
    else {
      this._tasks.add(task as Task<unknown>);
      task.addDoneCallback(this._onTaskDone);
    }
    return task;
  }

  /**
   * Cancels the group: every task not done yet and the body. The group then
   * ends without `CancelledError` (failures of its tasks are still thrown).
   * Before the group is entered, it is cancelled on entry; after it has
   * finished, this does nothing. Idempotent.
   */
  cancel(): void {
    if (!this._entered) {
      this._cancelOnEnter = true;
      return;
    }
    if (this._exiting && this._tasks.size === 0) return;
    if (!this._aborting) {
      this._abort();
      if (this._parentTask !== null && !this._parentCancelRequested) {
        this._parentCancelRequested = true;
        this._parentTask.cancel();
      }
    }
  }

  toString(): string {
    const info: string[] = [];
    if (this._tasks.size > 0) info.push(`tasks=${this._tasks.size}`);
    if (this._errors.length > 0) info.push(`errors=${this._errors.length}`);
    if (this._aborting) info.push("cancelling");
    else if (this._entered && this._exiting && this._tasks.size === 0) info.push("finished");
    else if (this._entered) info.push("entered");
    return `<TaskGroup${info.length > 0 ? " " + info.join(" ") : ""}>`;
  }

  private _enter(): void {
    if (this._entered) throw new RuntimeError(`TaskGroup ${this} has already been entered`);
    const loop = getRunningLoop();
    const parent = loop._currentTask;
    if (parent === null) throw new RuntimeError(`TaskGroup ${this} cannot determine the parent task`);
    this._loop = loop;
    this._parentTask = parent;
    this._entered = true;
    if (this._cancelOnEnter) this.cancel();
  }

  private *_exit(exc: unknown): Coroutine<void> {
    this._exiting = true;
    const loop = this._loop!;
    const parent = this._parentTask!;
    let propagateCancel: CancelledError | null = exc instanceof CancelledError ? exc : null;
    // The body failed or was cancelled from outside: stop the children.
    if (exc !== NO_ERROR && !this._aborting) this._abort();

    // The parent may be cancelled again while it waits, so wait in a loop.
    let pendingCancel: CancelledError | null = null;
    while (this._tasks.size > 0) {
      this._onCompletedFut ??= new GroupExitFuture(loop, this);
      try {
        yield* this._onCompletedFut;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        pendingCancel = e;
        if (!this._aborting) {
          // The parent is cancelled from outside while its children run.
          propagateCancel = e;
          this._abort();
        }
      }
      this._onCompletedFut = null;
    }

    if (this._parentCancelRequested) {
      // We cancelled the parent ourselves: always withdraw it (gh-95289).
      if (parent.uncancel() === 0) propagateCancel = null;
      // What is left is someone else's cancel: keep it (gh-155433).
      else propagateCancel ??= pendingCancel;
    }
    const errors = this._errors;
    // A cancellation propagates, unless there are errors: those win (gh-95704).
    if (propagateCancel !== null && errors.length === 0) throw propagateCancel;
    if (exc !== NO_ERROR && !(exc instanceof CancelledError)) errors.push(exc);
    if (errors.length > 0) {
      // Keep an outside cancel pending for the parent's next wait (gh-116720).
      if (parent.cancelling() > 0) {
        parent.uncancel();
        parent.cancel();
      }
      this._errors = [];
      throw new ExceptionGroup("unhandled errors in a TaskGroup", errors);
    }
  }

  private _abort(): void {
    this._aborting = true;
    for (const t of this._tasks) if (!t.done()) t.cancel();
  }

  private _taskDone(task: Task<unknown>): void {
    this._tasks.delete(task);
    const fut = this._onCompletedFut;
    if (fut !== null && this._tasks.size === 0 && !fut.done()) fut.setResult(true);
    if (task.cancelled()) return;
    const exc = task.exception();
    if (exc === null) return;
    this._errors.push(exc);
    const parent = this._parentTask!;
    if (parent.done()) {
      this._loop!.callExceptionHandler({
        message: `Task ${task} has errored out but its parent task ${parent} is already completed`,
        exception: exc,
        task,
      });
      return;
    }
    if (!this._aborting && !this._parentCancelRequested) {
      // Interrupt the body; the cancel is withdrawn again on exit.
      this._abort();
      this._parentCancelRequested = true;
      parent.cancel();
    }
  }
}

/**
 * Runs `body(tg)` with a new `TaskGroup`: `yield* taskGroup(function* (tg) {
 * tg.createTask(...) })`. Evaluates to the body's result once every task of
 * the group is done; see {@link TaskGroup}.
 *
 * @example
 * ```ts
 * yield* taskGroup(function* (tg) {
 *   const a = tg.createTask(fetchA());
 *   const b = tg.createTask(fetchB());
 * }); // both done here; if one failed, the other was cancelled and an ExceptionGroup is thrown
 * ```
 */
export function taskGroup<T>(body: TaskGroupBody<T>): Coroutine<T | undefined> {
  if (typeof body !== "function") {
    throw new TypeError(`taskGroup(body): 'body' must be a function (tg) => coroutine, got ${describe(body)}`);
  }
  return new TaskGroup().run(body);
}

/**
 * What the parent waits on while the group's tasks finish: traces show it as
 * "TaskGroup", and the task tree shows the group's tasks below it.
 * @internal
 */
class GroupExitFuture extends Future<boolean> {
  constructor(
    loop: EventLoop,
    private readonly _group: TaskGroup,
  ) {
    super(loop);
  }

  override _traceLabel(): string {
    return "TaskGroup";
  }

  _traceChildren(): Future<unknown>[] {
    return Array.from(this._group._tasks);
  }
}
