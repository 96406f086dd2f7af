/**
 * `mapTask`: map each value to a task, at most `concurrency` at a time.
 *
 * @module
 */
import { Observable, type OperatorFunction, type Subscription } from "rxjs";
import type { CoroutineLike } from "../coroutines.js";
import { describe } from "../coroutines.js";
import type { Future } from "../futures.js";
import { RingQueue } from "../internal/ring-queue.js";
import type { Task } from "../tasks.js";
import { callProject, cancelRunning, checkProject, subscriptionLoop, type TaskProject } from "./internals.js";

export type { TaskProject } from "./internals.js";

/**
 * Maps each value to a task made from `project(value, index)` and emits the
 * results as they finish, with at most `concurrency` tasks at a time (values
 * beyond that wait in FIFO order). It completes when the source has completed
 * and every task is done.
 *
 * Unlike `mergeMap(v => task(...), n)`, a failure is structured, as in a
 * `TaskGroup`: the source is unsubscribed, queued values are dropped, the
 * running tasks are cancelled, and the error is delivered only after their
 * cleanup has finished. A source error does the same. Unsubscribing cancels
 * the running tasks (their cleanup still runs to the end on the loop).
 *
 * @example
 * ```ts
 * ids$.pipe(mapTask(function* (id) { return yield* fetchUser(id); }, 4))
 *   .subscribe((user) => console.log(user));
 * ```
 * @throws TypeError / RangeError at once for a bad `project` or `concurrency`
 */
export function mapTask<T, R>(project: TaskProject<T, R>, concurrency = Infinity): OperatorFunction<T, R> {
  const where = "mapTask(project, concurrency)";
  checkProject(where, project);
  if (typeof concurrency !== "number") {
    throw new TypeError(`${where}: 'concurrency' must be a number (an integer >= 1 or Infinity), got ${describe(concurrency)}`);
  }
  if (!(concurrency >= 1) || (concurrency !== Infinity && !Number.isInteger(concurrency))) {
    throw new RangeError(`${where}: 'concurrency' must be an integer >= 1 or Infinity, got ${describe(concurrency)}`);
  }
  return (source) =>
    new Observable<R>((subscriber) => {
      const loop = subscriptionLoop();
      const running = new Set<Task<R>>();
      const queue = new RingQueue<T>();
      let index = 0;
      let sourceDone = false;
      let failed = false;
      let failure: unknown;
      let sourceSub: Subscription | null = null;

      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        failure = err;
        queue.clear();
        sourceSub?.unsubscribe();
        for (const t of running) t.cancel();
        settleIfIdle();
      };
      const settleIfIdle = () => {
        if (running.size > 0) return;
        if (failed) subscriber.error(failure);
        else if (sourceDone && queue.length === 0) subscriber.complete();
      };
      const onDone = (f: Future<R>) => {
        const t = f as Task<R>;
        running.delete(t);
        if (failed) {
          // Errors after the first are not lost: they were seen (retrieved) here.
          if (!t.cancelled()) t.exception();
        } else if (t.cancelled()) {
          fail(t._makeCancelledError());
          return;
        } else {
          const exc = t.exception();
          if (exc !== null) {
            fail(exc);
            return;
          }
          subscriber.next(t.result());
          while (!failed && running.size < concurrency && queue.length > 0) start(queue.shift() as T);
        }
        settleIfIdle();
      };
      const start = (value: T) => {
        let coro: CoroutineLike<R>;
        try {
          coro = callProject(where, project, value, index++);
        } catch (e) {
          fail(e);
          return;
        }
        const t = loop.createTask<R>(coro);
        running.add(t);
        t.addDoneCallback(onDone);
      };

      sourceSub = source.subscribe({
        next: (value) => {
          if (failed) return;
          if (running.size < concurrency) start(value);
          else queue.push(value);
        },
        error: (err: unknown) => fail(err),
        complete: () => {
          sourceDone = true;
          if (!failed) settleIfIdle();
        },
      });
      if (failed) sourceSub.unsubscribe();

      return () => {
        sourceSub?.unsubscribe();
        queue.clear();
        cancelRunning(running, onDone);
      };
    });
}
