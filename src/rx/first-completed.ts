/**
 * `firstCompleted` / `raceTasks`: the first task to finish wins, the others
 * are cancelled and waited for.
 *
 * @module
 */
import { EmptyError, from, Observable, type OperatorFunction, type Subscription } from "rxjs";
import type { CoroutineFunction, CoroutineLike } from "../coroutines.js";
import { describe } from "../coroutines.js";
import { ExceptionGroup } from "../errors.js";
import type { Future } from "../futures.js";
import type { Task } from "../tasks.js";
import { callProject, cancelRunning, checkProject, subscriptionLoop, type TaskProject } from "./internals.js";

/** Options of `firstCompleted`. */
export interface FirstCompletedOptions {
  /**
   * `false` (default): the first task to finish wins, whether it returns or
   * fails (asyncio's `FIRST_COMPLETED`). `true`: failures are set aside and the
   * first task to return wins; if the source completes and every task failed,
   * the Observable errors with an `ExceptionGroup` of the failures.
   */
  ignoreErrors?: boolean;
}

/**
 * Starts a task `project(value, index)` for each source value as it arrives;
 * the first task to finish wins. Then the source is unsubscribed, the other
 * tasks are cancelled, and only after their cleanup has finished does the
 * winner's result (or error) go downstream, followed by completion. A source
 * that completes with no value gives `EmptyError`. Unsubscribing cancels every
 * running task.
 *
 * `race(task(a), task(b))` drops the losers without waiting for their
 * cleanup; this operator waits, as asyncio code does. A source that spaces its
 * values out gives a staggered race (asyncio's Happy Eyeballs).
 *
 * @example
 * ```ts
 * // Try a mirror every 200 ms until one answers; stop the others.
 * interval(200).pipe(take(mirrors.length), firstCompleted((i) => download(mirrors[i]), { ignoreErrors: true }))
 * ```
 * @throws TypeError at once for a bad `project` or options
 */
export function firstCompleted<T, R>(project: TaskProject<T, R>, options: FirstCompletedOptions = {}): OperatorFunction<T, R> {
  const where = "firstCompleted(project, options)";
  checkProject(where, project);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
  }
  const ignoreErrors = options.ignoreErrors ?? false;
  if (typeof ignoreErrors !== "boolean") {
    throw new TypeError(`${where}: 'ignoreErrors' must be a boolean, got ${describe(ignoreErrors)}`);
  }
  return (source) =>
    new Observable<R>((subscriber) => {
      const loop = subscriptionLoop();
      const running = new Set<Task<R>>();
      const failures: unknown[] = [];
      let index = 0;
      let sourceDone = false;
      let decided = false;
      let winner: Task<R> | null = null;
      let setback: unknown; // an error that decides the race (project threw, source errored)
      let hasSetback = false;
      let sourceSub: Subscription | null = null;

      const decide = () => {
        decided = true;
        sourceSub?.unsubscribe();
        for (const t of running) t.cancel();
        settle();
      };
      const settle = () => {
        if (running.size > 0) return;
        if (winner !== null) winner._emitTo(subscriber);
        else if (hasSetback) subscriber.error(setback);
        else if (failures.length > 0) subscriber.error(new ExceptionGroup("firstCompleted: every task failed", failures));
        else subscriber.error(new EmptyError());
      };
      const onDone = (f: Future<R>) => {
        const t = f as Task<R>;
        running.delete(t);
        if (decided) {
          if (!t.cancelled()) t.exception(); // a loser's late error: seen, not reported
          settle();
          return;
        }
        if (ignoreErrors && !t.cancelled() && t.exception() !== null) {
          failures.push(t.exception());
          if (sourceDone && running.size === 0) decide();
          return;
        }
        winner = t;
        decide();
      };

      sourceSub = source.subscribe({
        next: (value) => {
          if (decided) return;
          let coro: CoroutineLike<R>;
          try {
            coro = callProject(where, project, value, index++);
          } catch (e) {
            setback = e;
            hasSetback = true;
            decide();
            return;
          }
          const t = loop.createTask<R>(coro);
          running.add(t);
          t.addDoneCallback(onDone);
        },
        error: (err: unknown) => {
          if (decided) return;
          setback = err;
          hasSetback = true;
          decide();
        },
        complete: () => {
          sourceDone = true;
          if (!decided && running.size === 0) decide();
        },
      });
      if (decided) sourceSub.unsubscribe();

      return () => {
        sourceSub?.unsubscribe();
        cancelRunning(running, onDone);
      };
    });
}

/**
 * Runs each coroutine function as a task; the first to finish wins. The
 * others are cancelled and their cleanup finishes before the winner's result
 * (or error) is emitted. Cold: each subscription races anew.
 *
 * @example
 * ```ts
 * const fastest = yield* ensureFuture(raceTasks(() => fetchFrom("a"), () => fetchFrom("b")));
 * ```
 * @throws TypeError at once unless given at least one function
 */
export function raceTasks<R>(...coroFns: CoroutineFunction<R>[]): Observable<R> {
  if (coroFns.length === 0) throw new TypeError("raceTasks(...coroFns): needs at least one coroutine function");
  coroFns.forEach((fn, i) => {
    if (typeof fn !== "function") {
      throw new TypeError(`raceTasks(...coroFns): coroFns[${i}] must be a coroutine function, got ${describe(fn)}`);
    }
  });
  return from(coroFns).pipe(firstCompleted((fn: CoroutineFunction<R>) => fn()));
}
