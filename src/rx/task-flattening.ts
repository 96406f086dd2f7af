/**
 * The switch, concat and exhaust forms of `mapTask` (which is the merge form),
 * named as RxJS names its flattening operators. Each keeps mapTask's
 * structured failure: an error cancels the running task and is delivered
 * after its cleanup has finished.
 *
 * @module
 */
import type { OperatorFunction } from "rxjs";
import { flattenTasks } from "./map-task.js";
import { checkProject, type TaskProject } from "./internals.js";

/**
 * Maps each value to a task; a new value cancels the running task, and the
 * new value's task starts only once the cancelled one has finished its
 * cleanup (asyncio's rule: a cancelled task's `finally` runs to the end).
 * Values arriving meanwhile replace each other: only the latest starts. A
 * superseded task's late result is dropped; an error its cleanup raises fails
 * the stream. Completes when the source has and the last task is done.
 *
 * @example
 * ```ts
 * query$.pipe(switchMapTask(function* (q) { return yield* search(q); }))
 *   .subscribe(show);
 * ```
 * @throws TypeError at once for a bad `project`
 */
export function switchMapTask<T, R>(project: TaskProject<T, R>): OperatorFunction<T, R> {
  const where = "switchMapTask(project)";
  checkProject(where, project);
  return flattenTasks(where, project, 1, "switch");
}

/**
 * Maps each value to a task, one at a time, in the order the values came:
 * `mapTask(project, 1)`.
 * @throws TypeError at once for a bad `project`
 */
export function concatMapTask<T, R>(project: TaskProject<T, R>): OperatorFunction<T, R> {
  const where = "concatMapTask(project)";
  checkProject(where, project);
  return flattenTasks(where, project, 1, "queue");
}

/**
 * Maps a value to a task only when no task runs; values arriving while one
 * runs are ignored (RxJS's exhaustMap).
 * @throws TypeError at once for a bad `project`
 */
export function exhaustMapTask<T, R>(project: TaskProject<T, R>): OperatorFunction<T, R> {
  const where = "exhaustMapTask(project)";
  checkProject(where, project);
  return flattenTasks(where, project, 1, "drop");
}
