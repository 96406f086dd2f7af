/**
 * What the RxJS layer's operators share (as RxJS keeps mergeMap's machinery in
 * mergeInternals.ts): the loop a subscription runs its tasks on, the checks of
 * a `project` argument, and the teardown of a set of running tasks.
 *
 * @module
 */
import type { CoroutineLike } from "../coroutines.js";
import { describe, isCoroutine } from "../coroutines.js";
import { EventLoop } from "../event-loop.js";
import type { DoneCallback } from "../futures.js";
import { _getRunningLoop } from "../running-loop.js";
import type { Task } from "../tasks.js";

let implicitLoop: EventLoop | null = null;

/**
 * The loop that task observables use outside a running loop: it runs whenever
 * it has work, on RxJS's `asyncScheduler` clock (virtual inside
 * `TestScheduler.run`), and holds no host timer while idle.
 */
export function rxLoop(): EventLoop {
  if (implicitLoop === null || implicitLoop.isClosed()) {
    implicitLoop = new EventLoop({ clock: "real", _autoRun: true } as never);
  }
  return implicitLoop;
}

/**
 * The loop a subscription runs its tasks on, worked out when it subscribes:
 * the one given, else the running loop, else `rxLoop()`. @internal
 */
export function subscriptionLoop(given?: EventLoop): EventLoop {
  return given ?? _getRunningLoop() ?? rxLoop();
}

/** What `mapTask` and `firstCompleted` call for each value: it returns a coroutine. */
export type TaskProject<T, R> = (value: T, index: number) => CoroutineLike<R>;

/** @internal Checks a `project` argument. */
export function checkProject(where: string, project: unknown): void {
  if (typeof project !== "function") {
    throw new TypeError(`${where}: 'project' must be a function (value, index) => coroutine, got ${describe(project)}`);
  }
}

/** @internal Calls `project` and checks that it made a coroutine. */
export function callProject<T, R>(where: string, project: TaskProject<T, R>, value: T, index: number): CoroutineLike<R> {
  const coro = project(value, index);
  if (!isCoroutine(coro)) {
    throw new TypeError(`${where}: 'project' must return a coroutine (call a generator function), got ${describe(coro)}`);
  }
  return coro;
}

/**
 * @internal The teardown of an operator that runs tasks: each running task
 * stops reporting to it (`onDone`) and is cancelled (its cleanup still runs to
 * the end on the loop).
 */
export function cancelRunning<R>(running: Set<Task<R>>, onDone: DoneCallback<R>): void {
  for (const t of running) {
    t.removeDoneCallback(onDone);
    t.cancel();
  }
  running.clear();
}
